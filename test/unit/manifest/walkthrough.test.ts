import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

// The walkthrough as VS Code reads it from package.json: every step has its media in the package, and completes on
// something that happens (a command the extension contributes, or a context key its code sets).

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    commands: Array<{ command: string }>;
    walkthroughs: Array<{ id: string; title: string; description: string; steps: Array<{ id: string; title: string; description: string; media: Record<string, string>; completionEvents: string[] }> }>;
  };
};

// Titles and descriptions are %keys% into package.nls.json (docs/l10n.md): the English text is what VS Code shows.
const english = JSON.parse(readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
const localized = (value: string): string => value.replace(/^%(.+)%$/, (whole, key: string) => english[key] ?? whole);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

describe('the walkthrough', () => {
  const commands = new Set(manifest.contributes.commands.map((c) => c.command));
  const source = sourceFiles(path.join(ROOT, 'src', 'extension')).map((f) => readFileSync(f, 'utf8')).join('\n');
  const walkthrough = manifest.contributes.walkthroughs?.[0];

  it('has the five steps of the first minutes, in order', () => {
    assert.ok(walkthrough, 'contributes.walkthroughs');
    assert.deepEqual(walkthrough.steps.map((s) => s.id), ['simulator', 'composer', 'storyboard', 'preview', 'apiKey']);
  });

  it('each step has its media in the package and a title and description', () => {
    const ignore = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
    for (const step of walkthrough!.steps) {
      assert.ok(localized(step.title) !== step.title && localized(step.description) !== step.description, `${step.id}: title and description are in package.nls.json`);
      const media = step.media['markdown'] ?? step.media['image'] ?? step.media['svg'];
      assert.ok(media, `${step.id} has media`);
      assert.ok(existsSync(path.join(ROOT, media)), `${media} exists`);
      assert.ok(ignore.includes(`!${path.dirname(media)}/*${path.extname(media)}`), `${media} is packaged (.vscodeignore)`);
    }
  });

  it('each step completes on a contributed command or a context key the extension sets, and its buttons run contributed commands', () => {
    for (const step of walkthrough!.steps) {
      assert.ok(step.completionEvents.length > 0, `${step.id} has completion events`);
      for (const event of step.completionEvents) {
        const [kind, value] = event.split(/:(.*)/s) as [string, string];
        if (kind === 'onCommand') assert.ok(commands.has(value), `${step.id}: ${value} is a contributed command`);
        else if (kind === 'onContext') assert.ok(source.includes(`'${value}'`) && source.includes('setContext'), `${step.id}: ${value} is set by the extension`);
        else assert.fail(`${step.id}: unexpected completion event ${event}`);
      }
      for (const [, command] of localized(step.description).matchAll(/\(command:([\w.]+)\)/g)) assert.ok(commands.has(command!), `${step.id}: ${command} is contributed`);
    }
  });
});
