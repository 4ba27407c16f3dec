// `npm run docs`: brings the generated parts of docs/ up to date (today, the field tables of storyboard-format.md).
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderStoryboardFormatDoc, storyboardFormatDocPath } from './docs/storyboardFormatDoc';

// Compiled to out/scripts/writeDocs.js: the checkout is two folders up.
const repoRoot = path.resolve(__dirname, '..', '..');

function main(): void {
  const file = storyboardFormatDocPath(repoRoot);
  const before = readFileSync(file, 'utf8');
  const after = renderStoryboardFormatDoc(before);
  const name = path.relative(repoRoot, file);
  if (after === before) {
    console.log(`${name} is up to date`);
    return;
  }
  writeFileSync(file, after);
  console.log(`${name}: field tables written from src/core/storyboard/storyboardSchema.ts`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
