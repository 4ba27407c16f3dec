import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { TaskJournal } from '../../../../src/core/journal/taskJournal';
import { anEntry } from '../../../helpers/builders';

const tempJournal = async () => path.join(await mkdtemp(path.join(tmpdir(), 'kling-journal-')), 'state', 'journal.json');

describe('TaskJournal', () => {
  it('writes each change to disk, where a new process finds it', async () => {
    const file = await tempJournal();
    const journal = new TaskJournal(file);
    await journal.load();
    const entry = await journal.add(anEntry());
    await journal.update(entry.id, (e) => ({ ...e, state: { status: 'processing', progress: 40 } }));
    const reopened = new TaskJournal(file);
    await reopened.load();
    assert.deepEqual(reopened.get(entry.id)?.state, { status: 'processing', progress: 40 });
    assert.deepEqual(await readdir(path.dirname(file)), ['journal.json'], 'no temporary or lock file left behind');
  });

  it('does not lose the changes of two processes writing at once', async () => {
    const file = await tempJournal();
    const a = new TaskJournal(file);
    const b = new TaskJournal(file);
    await Promise.all([a.load(), b.load()]);
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).add(anEntry())));
    const check = new TaskJournal(file);
    await check.load();
    assert.equal(check.list().length, 10);
  });

  it('sets an unreadable journal aside instead of throwing it away, and keeps the entries it can read', async () => {
    const file = await tempJournal();
    const journal = new TaskJournal(file);
    await journal.load();
    const good = await journal.add(anEntry());
    const text = JSON.parse(await readFile(file, 'utf8'));
    text.entries.push({ id: 'broken', state: 'nonsense' });
    await writeFile(file, JSON.stringify(text));
    const reopened = new TaskJournal(file);
    const result = await reopened.load();
    assert.match(result.problem ?? '', /could not be read in full; a copy was kept at .*unreadable/);
    assert.deepEqual(reopened.list().map((e) => e.id), [good.id]);
    assert.ok((await readdir(path.dirname(file))).some((f) => f.includes('unreadable')));
  });

  it('tells listeners about each change', async () => {
    const journal = new TaskJournal(await tempJournal());
    await journal.load();
    const seen: string[] = [];
    journal.onDidChange((entry, id) => seen.push(`${id}:${entry?.state.status ?? 'removed'}`));
    const entry = await journal.add(anEntry());
    await journal.remove(entry.id);
    assert.deepEqual(seen, [`${entry.id}:pending`, `${entry.id}:removed`]);
  });
});
