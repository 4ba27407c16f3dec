import { Agent, request } from 'undici';
import type { Task } from '../../src/core/api/apiSchemas';
import { taskVideoUrl } from '../../src/core/api/taskResults';
import { SIMULATOR_API_KEY, startSimulator } from '../../src/core/simulator/simulatorServer';

// A child process of the bench: a simulator holding one completed video task, padded to the size asked, so that a
// downloader in another process (ours or curl) is measured against a server that has an event loop of its own.

export interface SimulatorProcessArgs {
  paddingBytes: number;
}

export type SimulatorProcessMessage = { type: 'ready'; url: string; bytes: number } | { type: 'stats'; downloads: number };

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as SimulatorProcessArgs;
  // Every task completes the moment it is created: this process serves downloads, it does not simulate waiting.
  const simulator = await startSimulator({
    timeScale: 1,
    queueSeconds: 0,
    processingSeconds: 0,
    processingSecondsPerVideoSecond: 0,
    videoPaddingBytes: args.paddingBytes,
  });
  process.once('disconnect', () => void simulator.close().then(() => process.exit(0)));
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stats') send({ type: 'stats', downloads: simulator.stats().downloads });
  });

  const dispatcher = new Agent();
  const headers = { authorization: `Bearer ${SIMULATOR_API_KEY}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ model: 'kling-v3-text-to-video', prompt: 'A benchmark: zeros after a short clip', duration: 5 });
  const created = await request(`${simulator.baseUrl}/v1/videos/generations`, { method: 'POST', headers, body, dispatcher });
  const { id } = (await created.body.json()) as { id: string };
  const polled = await request(`${simulator.baseUrl}/v1/tasks/${id}`, { headers, dispatcher });
  const url = taskVideoUrl((await polled.body.json()) as Task);
  if (!url) throw new Error(`task ${id} has no video link`);
  const head = await request(url, { method: 'HEAD', dispatcher });
  await head.body.dump();
  await dispatcher.close();
  send({ type: 'ready', url, bytes: Number(head.headers['content-length']) });
}

function send(message: SimulatorProcessMessage): void {
  process.send?.(message);
}

main().catch((error: unknown) => {
  console.error(`simulator process: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
