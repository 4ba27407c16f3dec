/** What the storyboard tests inside the extension host share: files in the workspace, and the editor's view of them. */
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { eventually } from '../kling/api/klingExtension';

export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite opens a workspace folder');
  return folder.uri.fsPath;
}

/** Writes `text` to `relative` in the workspace and opens it in an editor. */
export async function openStoryboard(relative: string, text: string): Promise<vscode.TextEditor> {
  const file = join(workspaceDir(), relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  return vscode.window.showTextDocument(document);
}

/** Kling Studio's own diagnostics of a file. */
export function klingDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'kling');
}

/** Waits until Kling Studio's diagnostics of `uri` pass `check`, and returns them. */
export function diagnosticsWhen(uri: vscode.Uri, what: string, check: (diagnostics: vscode.Diagnostic[]) => boolean, timeoutMs = 20_000): Promise<vscode.Diagnostic[]> {
  return eventually(
    what,
    () => {
      const diagnostics = klingDiagnostics(uri);
      return check(diagnostics) ? diagnostics : undefined;
    },
    timeoutMs,
  );
}

/** The CodeLens titles of a document, top to bottom, each with its line (1-based). */
export async function lenses(uri: vscode.Uri): Promise<Array<{ line: number; title: string; command: string; args: unknown[] }>> {
  const found = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
  return found
    .filter((lens) => lens.command)
    .map((lens) => ({ line: lens.range.start.line + 1, title: plainSpaces(lens.command!.title), command: lens.command!.command, args: lens.command!.arguments ?? [] }))
    .sort((a, b) => a.line - b.line);
}

/**
 * A lens title with plain spaces: a lens keeps a no-break space between its icon and its first word (so the two never
 * part), which the storyboards UI test checks on screen; the API tests compare the words.
 */
function plainSpaces(title: string): string {
  return title.replace(/\u00a0/g, ' ');
}

/** Waits until the CodeLens titles of `uri` pass `check`. */
export function lensesWhen(uri: vscode.Uri, what: string, check: (titles: string[]) => boolean, timeoutMs = 20_000): Promise<string[]> {
  return eventually(
    what,
    async () => {
      const titles = (await lenses(uri)).map((l) => l.title);
      return check(titles) ? titles : undefined;
    },
    timeoutMs,
  );
}

/** The 0-based position where the `occurrence`-th `needle` starts in `text`, and the range it covers. */
export function rangeOf(text: string, needle: string, occurrence = 1): vscode.Range {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    assert.ok(index >= 0, `${JSON.stringify(needle)} occurs fewer than ${occurrence} times`);
  }
  const start = positionAt(text, index);
  return new vscode.Range(start, positionAt(text, index + needle.length));
}

function positionAt(text: string, offset: number): vscode.Position {
  const before = text.slice(0, offset).split('\n');
  return new vscode.Position(before.length - 1, before[before.length - 1]!.length);
}

export function describeRange(range: vscode.Range): string {
  return `${range.start.line + 1}:${range.start.character + 1}-${range.end.line + 1}:${range.end.character + 1}`;
}

export function write(relative: string, bytes: Uint8Array | string): string {
  const file = join(workspaceDir(), relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return file;
}
