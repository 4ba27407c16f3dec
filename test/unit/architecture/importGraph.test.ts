import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ts from 'typescript';

// The layers as docs/architecture.md draws them, read from the sources' imports (type imports included: a type
// import is still a dependency a reader follows, and it is how the lazy bundle's cycle used to close).
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.m?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Each file's imports: relative ones resolved to files, others by package name. */
function importGraph(): Map<string, { files: string[]; packages: string[] }> {
  const graph = new Map<string, { files: string[]; packages: string[] }>();
  for (const file of sourceFiles(SRC)) {
    // `import` and `export … from` only: the lazy loaders' require('./klingCore.js') is the boundary itself, a load
    // at run time on first use, not a dependency of the loader's module.
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, false);
    const files: string[] = [];
    const packages: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) {
        packages.push(fileName);
        continue;
      }
      const base = path.resolve(path.dirname(file), fileName).replace(/\.js$/, '');
      const found = ['.ts', '.mts'].map((ext) => base + ext).find((candidate) => graph.has(candidate) || sourceFiles(path.dirname(candidate)).includes(candidate));
      if (found) files.push(found);
    }
    graph.set(file, { files, packages });
  }
  return graph;
}

/** Groups of files that import each other, directly or around a loop (Tarjan's strongly connected components). */
function cycles(graph: Map<string, { files: string[] }>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.files ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) found.push(group.map((f) => path.relative(ROOT, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

describe('the import graph', () => {
  const graph = importGraph();

  it('has no cycle, type imports included', () => {
    assert.ok(graph.size > 100, `read ${graph.size} files`);
    assert.deepEqual(cycles(graph), []);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const a = path.join(SRC, 'a.ts');
    const b = path.join(SRC, 'b.ts');
    assert.deepEqual(cycles(new Map([[a, { files: [b] }], [b, { files: [a] }]])), [['src/a.ts', 'src/b.ts']]);
  });

  it('keeps src/core free of VS Code and of the editor, the CLI and the pages', () => {
    const wrong = [...graph]
      .filter(([file]) => relative(file).startsWith('src/core/'))
      .flatMap(([file, { files, packages }]) => [
        ...packages.filter((p) => p === 'vscode').map((p) => `${relative(file)} imports ${p}`),
        ...files.filter((f) => !relative(f).startsWith('src/core/')).map((f) => `${relative(file)} imports ${relative(f)}`),
      ]);
    assert.deepEqual(wrong, []);
  });

  it('loads the editor features only from the activation bundle, and the lazy core half holds no feature', () => {
    const features = path.join(SRC, 'extension', 'lazyFeatures.ts');
    const importers = [...graph].filter(([, { files }]) => files.includes(features)).map(([file]) => relative(file));
    const reachable = new Set<string>();
    const walk = (file: string) => {
      if (reachable.has(file)) return;
      reachable.add(file);
      for (const next of graph.get(file)?.files ?? []) walk(next);
    };
    walk(path.join(SRC, 'extension', 'lazy', 'editorFeatures.ts'));
    assert.deepEqual(importers.filter((file) => reachable.has(path.join(ROOT, file))), [], 'no feature reaches its own loader');
    assert.ok(importers.length > 0, 'the registrations load the features through lazyFeatures.ts');
    const coreHalf = graph.get(path.join(SRC, 'extension', 'lazy', 'coreModules.ts'))!;
    const coreReach = new Set<string>();
    const walkCore = (file: string) => {
      if (coreReach.has(file)) return;
      coreReach.add(file);
      for (const next of graph.get(file)?.files ?? []) walkCore(next);
    };
    coreHalf.files.forEach(walkCore);
    assert.deepEqual([...coreReach].filter((file) => graph.get(file)?.packages.includes('vscode')).map(relative), [], 'the core half uses no vscode API');
  });
});
