import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { suite, test } from '../../harness/hostRunner';
import { eventually, klingExtension } from '../../kling/api/klingExtension';
import { openStoryboard, rangeOf } from '../storyboardBed';

// Completion and hovers come from VS Code's own JSON service, with the schema the extension contributes for
// *.kling.json (no "$schema" in the file): these tests ask the editor, as typing Ctrl+Space would.

const TEXT = `{
  "version": 1,
  "defaults": { "quality": "" },
  "videos": [
    { "name": "hero", "prompt": "A dog",  },

  ]
}
`;

const labelOf = (item: vscode.CompletionItem) => (typeof item.label === 'string' ? item.label : item.label.label);

async function completionsAt(uri: vscode.Uri, position: vscode.Position, schemaSign?: string): Promise<vscode.CompletionItem[]> {
  // The JSON service starts with the first JSON file, and learns the schemas of extensions a moment later: ask until
  // it answers with something, and, for the first question, with something that only the schema can know.
  return eventually(`completions at ${position.line + 1}:${position.character + 1}${schemaSign ? ` to include ${schemaSign}` : ''}`, async () => {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, position);
    if (!list.items.length) return undefined;
    if (schemaSign && !list.items.some((item) => labelOf(item) === schemaSign)) throw new Error(`offered: ${list.items.map(labelOf).join(', ')}`);
    return list.items;
  });
}

suite('storyboard completion and hovers (VS Code JSON service)', () => {
  test('inside "quality": "" completion offers 720p and 1080p, and nothing else', async () => {
    await klingExtension();
    const editor = await openStoryboard('completion.kling.json', TEXT);
    const inside = rangeOf(TEXT, '""').start.translate(0, 1);
    const items = await completionsAt(editor.document.uri, inside, '"720p"');
    assert.deepEqual(items.map(labelOf).sort(), ['"1080p"', '"720p"']);
    assert.ok(
      items.every((i) => i.kind === vscode.CompletionItemKind.Value),
      'values',
    );
  });

  test("a video's fields are completed with their descriptions, and a chosen field starts its value", async () => {
    const editor = await openStoryboard('fields.kling.json', TEXT);
    const after = rangeOf(TEXT, '"A dog", ').end;
    const items = await completionsAt(editor.document.uri, after);
    const labels = items.map(labelOf);
    for (const field of ['duration', 'shots', 'quality', 'aspect_ratio', 'sound', 'image', 'end_image', 'elements', 'negative_prompt', 'watermark', 'callback_url']) {
      assert.ok(labels.includes(field), `${field} is offered; offered: ${labels.join(', ')}`);
    }
    assert.ok(!labels.includes('name') && !labels.includes('prompt'), 'fields already there are not offered again');
    const duration = items.find((i) => labelOf(i) === 'duration')!;
    assert.match(docText(duration), /Length in whole seconds, 3 to 15/);
    assert.match(insertText(duration), /^"duration": \$\{1:5\},?$/);
    assert.match(insertText(items.find((i) => labelOf(i) === 'image')!), /^"image": \$1,?$/, 'image offers its two kinds of value next: a file or link, or a frame of another video');
    assert.match(insertText(items.find((i) => labelOf(i) === 'shots')!), /^"shots": \$1,?$/, 'shots offers its two kinds of value next');
  });

  test('inside "videos" the three video snippets are offered', async () => {
    const editor = await openStoryboard('snippets.kling.json', TEXT);
    const emptyLine = new vscode.Position(5, 4);
    const items = await completionsAt(editor.document.uri, emptyLine);
    const labels = items.map(labelOf);
    for (const label of ['Video', 'Multi-shot video', 'Image-to-video video']) assert.ok(labels.includes(label), `${label}; offered: ${labels.join(', ')}`);
    const multiShot = insertText(items.find((i) => labelOf(i) === 'Multi-shot video')!);
    assert.match(multiShot, /"shots": \[/);
  });

  test('hovering a field shows its description from the zod schema', async () => {
    const editor = await openStoryboard('hover.kling.json', TEXT);
    const hovers = await eventually('a hover on "quality"', async () => {
      const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, rangeOf(TEXT, 'quality').start.translate(0, 2));
      return found.length ? found : undefined;
    });
    // The hover is Markdown: its punctuation comes escaped.
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n').replace(/\\(.)/g, '$1');
    assert.match(text, /Resolution: 720p or 1080p\. 1080p costs a third more\. Default 720p\./);
  });
});

function docText(item: vscode.CompletionItem): string {
  const doc = item.documentation;
  return typeof doc === 'string' ? doc : (doc?.value ?? '');
}

function insertText(item: vscode.CompletionItem): string {
  const text = item.insertText;
  return (typeof text === 'string' ? text : (text?.value ?? '')).trim();
}
