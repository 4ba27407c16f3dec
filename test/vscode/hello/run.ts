/** `tsc -p . && node out/test/vscode/hello/run.js`: the hello-world suites alone. */
import { main } from '../harness/run';
import { helloSuites } from './suites';

void main(helloSuites());
