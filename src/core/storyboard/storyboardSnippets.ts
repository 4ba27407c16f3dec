// What the editor offers to insert in a storyboard, as VS Code's JSON `defaultSnippets`: a body is the JSON value
// to insert, its strings may hold snippet placeholders (`${1:hero}`), and a string that starts with `^` is inserted
// as it is, unquoted (how a number gets a placeholder). Offered only where they fit: a video in `videos`, shots in
// `shots`, a whole storyboard in an empty file.

export interface JsonSnippet {
  label: string;
  description: string;
  body: unknown;
}

export const VIDEO_SNIPPETS: readonly JsonSnippet[] = [
  {
    label: 'Video',
    description: 'A video from a prompt: name, prompt and duration (5 s at 720p costs $0.375).',
    body: { name: '${1:hero}', prompt: '${2:A golden retriever running through a sunlit meadow, cinematic slow motion}', duration: '^${3:5}' },
  },
  {
    label: 'Multi-shot video',
    description: 'A video made of your own shots, each with its prompt and duration; the video lasts their sum.',
    body: {
      name: '${1:trailer}',
      shots: [
        { prompt: '${2:A person on a hilltop at dawn}', duration: '^${3:4}' },
        { prompt: '${4:The camera pulls back to reveal the city}', duration: '^${5:6}' },
      ],
    },
  },
  {
    label: 'Image-to-video video',
    description: 'A video that starts from an image (JPEG or PNG, relative to this file, or an https URL).',
    body: { name: '${1:logo-spin}', prompt: '${2:The logo turns slowly}', image: '${3:assets/logo.png}' },
  },
];

export const SHOTS_SNIPPETS: readonly JsonSnippet[] = [
  {
    label: 'Two shots',
    description: 'A list of shots; the video lasts the sum of their durations.',
    body: [
      { prompt: '${1:A person on a hilltop at dawn}', duration: '^${2:4}' },
      { prompt: '${3:The camera pulls back to reveal the city}', duration: '^${4:6}' },
    ],
  },
];

export const STORYBOARD_SNIPPETS: readonly JsonSnippet[] = [
  {
    label: 'New storyboard',
    description: 'A storyboard with one video.',
    body: { version: '^1', videos: [VIDEO_SNIPPETS[0]!.body] },
  },
];

/**
 * The JSON a snippet inserts once its placeholders take their default text: what a user gets by pressing Tab
 * through it. (Tests check that every snippet makes a valid storyboard.)
 */
export function snippetDefaultText(body: unknown): string {
  const text = (value: unknown): string => {
    if (typeof value === 'string') return value.startsWith('^') ? value.slice(1) : JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map(text).join(', ')}]`;
    if (value !== null && typeof value === 'object') {
      return `{${Object.entries(value).map(([key, v]) => `${JSON.stringify(key)}: ${text(v)}`).join(', ')}}`;
    }
    return JSON.stringify(value);
  };
  return text(body).replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '');
}
