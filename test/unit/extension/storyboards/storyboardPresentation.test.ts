import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JournalEntry } from '../../../../src/core/journal/taskState';
import { planStoryboard, type StoryboardPlan } from '../../../../src/core/render/storyboardPlan';
import { outlineStoryboard, type StoryboardOutline } from '../../../../src/core/storyboard/storyboardOutline';
import { checkStoryboardText } from '../../../../src/core/storyboard/validateStoryboard';
import {
  describeVideos,
  estimateText,
  problemsRefusal,
  spendDetail,
  takesDescription,
  takesLens,
  fileDescription,
  fileLens,
  fileSummary,
  videoDescription,
  videoHoverMarkdown,
  videoLenses,
  videoStatus,
  type VideoStatus,
} from '../../../../src/extension/storyboards/storyboardPresentation';
import { anEntry } from '../../../helpers/builders';

// What the editor says above each video and above the file, from a real check and a real plan (no file on disk:
// nothing is up to date unless the journal says it is under way).

const TEXT = `{
  "version": 1,
  "videos": [
    { "name": "hero", "prompt": "A dog", "duration": 5 },
    { "name": "trailer", "quality": "1080p", "shots": [ { "prompt": "a", "duration": 4 }, { "prompt": "b", "duration": 6 } ] },
    { "name": "teaser", "prompt": "Reveal", "duration": 9, "sound": "on" }
  ]
}
`;
const STORYBOARD_PATH = '/nowhere/boards/launch.kling.json';

async function setUp(text = TEXT, entries: JournalEntry[] = []) {
  const outline = outlineStoryboard(checkStoryboardText(text));
  const plan = outline.renderable ? await planStoryboard(outline.renderable, { storyboardPath: STORYBOARD_PATH, journal: entries }) : undefined;
  const journal = { get: (id: string) => entries.find((e) => e.id === id), entries: () => entries };
  const statuses = outline.videos.map((v) => videoStatus(v, plan?.videos.find((p) => p.name === v.name), journal, 'no price'));
  return { outline, plan, statuses };
}

const titles = (statuses: VideoStatus[]) => statuses.map((s) => videoLenses(s).map((l) => l.title));
const summaryOf = (outline: StoryboardOutline, plan: StoryboardPlan | undefined, statuses: VideoStatus[]) => fileSummary(outline, plan, statuses);

describe('storyboard presentation', () => {
  it('prices each video and the whole file in the words of the issue', async () => {
    const { outline, plan, statuses } = await setUp();
    assert.deepEqual(titles(statuses), [['$(play) Render · $0.375 · 5 s · 720p'], ['$(play) Render · $1.00 · 10 s · 1080p'], ['$(play) Render · $1.0125 · 9 s · 720p · sound']]);
    const summary = summaryOf(outline, plan, statuses);
    assert.equal(fileLens(summary)?.title, '$(play) Render all · $2.3875 · 3 videos');
    assert.equal(fileLens(summary)?.action, 'render-all');
    assert.equal(fileDescription(summary), '3 videos · $2.3875 to render');
    assert.deepEqual(statuses.map(videoDescription), ['$0.375 · 5 s · 720p', '$1.00 · 10 s · 1080p', '$1.0125 · 9 s · 720p · sound']);
  });

  it('shows a task under way with its live progress, and counts it out of "Render all"', async () => {
    const first = await setUp();
    const hero = first.plan!.videos[0]!;
    const running = anEntry({ outputPath: hero.outputPath, requestHash: hero.requestHash, state: { status: 'processing', progress: 40 } });
    const { outline, plan, statuses } = await setUp(TEXT, [running]);
    assert.deepEqual(videoLenses(statuses[0]!).map((l) => [l.title, l.action]), [['$(sync~spin) Rendering 40%', 'show-tasks']]);
    const summary = summaryOf(outline, plan, statuses);
    assert.equal(fileLens(summary)?.title, '$(play) Render all · $2.0125 · 3 videos', 'what rendering now costs: the two others');
    assert.equal(videoDescription(statuses[0]!), 'rendering 40%');
  });

  it('does not turn the icon of a task already saved, drawn before the plan is looked at again', async () => {
    const first = await setUp();
    const hero = first.plan!.videos[0]!;
    const running = anEntry({ outputPath: hero.outputPath, requestHash: hero.requestHash, state: { status: 'processing', progress: 40 } });
    const { statuses } = await setUp(TEXT, [running]);
    const under = statuses[0]!;
    if (under.kind !== 'rendering') return assert.fail(`hero is ${under.kind}`);
    const saved: VideoStatus = { ...under, entry: { ...running, state: { status: 'saved', filePath: hero.outputPath } } };
    assert.deepEqual(videoLenses(saved).map((l) => l.title), ['$(check) Saved']);
    assert.match(videoHoverMarkdown('hero', saved, false), /\$\(check\) Saved/);
  });

  it('says when a video is up to date, and what the whole file is then', () => {
    const price = { seconds: 5, quality: '720p', sound: 'off', usd: 3750, credits: 270000 } as never;
    const status: VideoStatus = { kind: 'up-to-date', price, outputPath: '/w/videos/hero.mp4' };
    assert.deepEqual(
      videoLenses(status).map((l) => [l.title, l.action]),
      [
        ['$(check) Up to date', 'none'],
        ['Open', 'open-result'],
      ],
    );
    const summary = { videos: 3, upToDate: 1, toRender: 2, rendering: 0, cost: { seconds: 10, usd: 23300, credits: 0 } as never, fullCost: undefined, errors: 0 };
    assert.equal(fileLens(summary)?.title, '$(play) Render all · $2.33 · 3 videos (1 up to date)');
    assert.equal(fileLens({ ...summary, upToDate: 3, toRender: 0, fullCost: { seconds: 15, usd: 11250, credits: 0 } as never })?.title, '$(check) All 3 videos are up to date');
  });

  it('puts a video with problems aside, and the file lens says how many problems stop Render all', async () => {
    const { outline, plan, statuses } = await setUp(TEXT.replace('"duration": 9', '"duration": 99'));
    assert.deepEqual(titles(statuses)[2], ['$(error) 1 problem to fix before rendering']);
    assert.deepEqual(titles(statuses)[0], ['$(play) Render · $0.375 · 5 s · 720p'], 'the other videos keep their price');
    // The file lens keeps the price of what can be rendered (it dropped it once a video had a problem).
    assert.equal(fileLens(summaryOf(outline, plan, statuses))?.title, '$(error) 1 problem to fix before rendering all · $1.375 for 2 videos without problems');
    assert.match(videoHoverMarkdown('teaser', statuses[2]!, false), /1 problem to fix before it can be priced: duration must be/);
  });

  it('remembers a failed render of the same request next to its Render lens', async () => {
    const first = await setUp();
    const hero = first.plan!.videos[0]!;
    const failed = anEntry({ outputPath: hero.outputPath, requestHash: hero.requestHash, state: { status: 'failed', code: 'content_policy_violation', message: 'Flagged', retryable: false } });
    const { statuses } = await setUp(TEXT, [failed]);
    assert.deepEqual(titles(statuses)[0], ['$(play) Render · $0.375 · 5 s · 720p', '$(error) Last render failed']);
    assert.equal(videoLenses(statuses[0]!)[1]!.tooltip, 'Flagged · content_policy_violation');
  });

  it('hovers a name with its price, credits and state', async () => {
    const { statuses } = await setUp();
    const hover = videoHoverMarkdown('trailer', statuses[1]!, true);
    assert.match(hover, /\*\*trailer\*\*/);
    assert.match(hover, /\$1\.00 · 71\.982 credits — 10 s · 1080p · sound off \*\(simulator: nothing is spent\)\*/);
    assert.match(hover, /Not rendered yet/);
  });

  it('estimates each video, the total, and what rendering now costs', async () => {
    const { plan } = await setUp();
    const { message, detail } = estimateText('launch.kling.json', plan!, 0);
    assert.equal(message, 'launch.kling.json: $2.3875 for 3 videos (24 s of video, 171.882 credits)');
    assert.equal(
      detail,
      [
        'hero: 5 s · 720p · sound off — $0.375',
        'trailer: 10 s · 1080p · sound off — $1.00',
        'teaser: 9 s · 720p · sound on — $1.0125',
        '',
        'Rendering now costs $2.3875 (171.882 credits): 3 videos.',
      ].join('\n'),
    );
  });

  it('lists under the price the images that will be sent and the callback_url', async () => {
    const text = `{
  "version": 1,
  "defaults": { "callback_url": "https://hooks.example.com/kling" },
  "videos": [
    { "name": "hero", "prompt": "A dog", "image": "https://cdn.example.com/first.png", "end_image": "https://cdn.example.com/last.png" },
    { "name": "wave", "prompt": "<<<element_1>>> waves", "elements": ["mascot"] }
  ],
  "elements": [ { "name": "mascot", "description": "A robot", "frontal_image": "https://cdn.example.com/front.png", "refer_images": ["https://cdn.example.com/side.png"] } ]
}
`;
    const { plan } = await setUp(text);
    const toRender = plan!.videos.filter((v) => v.state.kind === 'to-render');
    assert.equal(
      spendDetail(plan!, toRender),
      [
        'hero: 5 s · 720p · sound off — $0.375',
        'wave: 5 s · 720p · sound off — $0.375',
        '1 new element (mascot): 1 credit each',
        '',
        'Images sent:',
        '· https://cdn.example.com/front.png: front image of element "mascot"',
        '· https://cdn.example.com/side.png: reference image of element "mascot"',
        '· https://cdn.example.com/first.png: first frame of hero',
        '· https://cdn.example.com/last.png: last frame of hero',
        'The service will post each result to https://hooks.example.com/kling (callback_url of hero, wave)',
      ].join('\n'),
    );
  });

  it('says why a render cannot go ahead: problems anywhere for Render all, only the video’s own for Render Video', async () => {
    const broken = await setUp(TEXT.replace('"duration": 9', '"duration": 99'));
    assert.equal(problemsRefusal(broken.outline, undefined), '1 problem to fix before it can be rendered.');
    assert.equal(problemsRefusal(broken.outline, ['hero']), undefined, 'hero itself is fine');
    assert.equal(problemsRefusal(broken.outline, ['teaser']), 'teaser has 1 problem to fix before it can be rendered.');
    assert.equal(problemsRefusal(broken.outline, ['nobody']), 'no video is named "nobody".');
    const version = await setUp(TEXT.replace('"version": 1', '"version": 2'));
    assert.equal(problemsRefusal(version.outline, ['hero']), '1 problem outside the videos to fix before any video can be rendered.');
    assert.equal(problemsRefusal((await setUp()).outline, undefined), undefined);
  });

  it('puts the price question in words: what is paid for, each video, and what is skipped', async () => {
    const first = await setUp();
    const hero = first.plan!.videos[0]!;
    const running = anEntry({ outputPath: hero.outputPath, requestHash: hero.requestHash, state: { status: 'pending' } });
    const { plan } = await setUp(TEXT, [running]);
    const toRender = plan!.videos.filter((v) => v.state.kind === 'to-render');
    assert.equal(describeVideos(toRender, 0), '2 videos');
    assert.equal(describeVideos(toRender.slice(0, 1), 1), 'trailer (10 s, 1080p) and 1 element');
    assert.equal(
      spendDetail(plan!, toRender),
      'trailer: 10 s · 1080p · sound off — $1.00\nteaser: 9 s · 720p · sound on — $1.0125\nAlready under way, not created again: hero',
    );
  });

  it('prices several takes as many times, and says so in the lens, the view, the question and its detail', async () => {
    const { outline, plan, statuses } = await setUp(TEXT.replace('"duration": 5 }', '"duration": 5, "takes": 3 }'));
    assert.deepEqual(videoLenses(statuses[0]!).map((l) => l.title), ['$(play) Render · 3 takes · $1.125 · 5 s · 720p']);
    assert.match(videoLenses(statuses[0]!)[0]!.tooltip, /^Render this video 3 times \(3 takes, each paid for\): \$1\.125 \(81 credits\)\./);
    assert.equal(videoDescription(statuses[0]!), '3 takes · $1.125 · 5 s · 720p');
    assert.equal(fileLens(summaryOf(outline, plan, statuses))?.title, '$(play) Render all · $3.1375 · 3 videos', 'the total counts the takes');
    const toRender = plan!.videos.filter((v) => v.state.kind === 'to-render');
    assert.equal(describeVideos(toRender.slice(0, 1), 0), 'hero (3 takes, 5 s, 720p)');
    assert.equal(describeVideos(toRender, 0), '3 videos (5 takes)');
    assert.equal(spendDetail(plan!, toRender.slice(0, 1)).split('\n')[0], 'hero: 3 takes × 5 s · 720p · sound off — $1.125');
  });

  it('shows a video\'s takes: a lens to compare them from two on, and which one is in use', () => {
    assert.equal(takesLens(undefined), undefined);
    assert.equal(takesLens({ count: 1, chosen: 1 }), undefined, 'one take: nothing to compare');
    assert.deepEqual(takesLens({ count: 2, chosen: 2 }), {
      title: '$(versions) 2 takes',
      action: 'compare-takes',
      tooltip: 'Take 2 is in use. Compare the takes side by side and choose one.',
    });
    assert.equal(takesDescription({ count: 3, chosen: 2 }), 'take 2 of 3');
    assert.equal(takesDescription({ count: 3, chosen: undefined }), '3 takes, none in use');
    assert.equal(takesDescription({ count: 1, chosen: 1 }), '');
  });
});
