/**
 * The VS Code tier of `npm test`: every Kling Studio suite in a real VS Code (code-server) driven by chromium.
 * `node out/test/vscode/run.js [name-filter]` runs the suites whose name contains the filter.
 */
import { main } from './harness/run';
import { klingSuites } from './kling/suites';

async function run(): Promise<void> {
  const { suites, close } = await klingSuites();
  const filter = process.argv[2];
  try {
    await main(filter ? suites.filter((s) => s.name.includes(filter)) : suites);
  } finally {
    await close();
  }
}

void run();
