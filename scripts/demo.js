// npm run demo: renders every storyboard in examples/ against the embedded simulator and prints where the MP4s and
// their sidecars are. Nothing real is generated or spent. The simulator runs 10× faster than real time here.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const examples = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.kling.json')).sort();
const env = {
  ...process.env,
  KLING_STATE_DIR: process.env.KLING_STATE_DIR ?? path.join(root, '.kling', 'demo-state'),
  KLING_SIMULATOR_TIME_SCALE: process.env.KLING_SIMULATOR_TIME_SCALE ?? '100',
};
let failed = 0;
for (const file of examples) {
  console.log(`\n== kling render examples/${file} --simulator --yes`);
  const run = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'render', path.join('examples', file), '--simulator', '--yes'], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (run.status !== 0) failed++;
}
console.log(failed ? `\n${failed} storyboard(s) failed.` : '\nDone: the videos and their .mp4.json sidecars are under examples/videos/. Run it again: nothing is re-rendered.');
process.exitCode = failed ? 1 : 0;
