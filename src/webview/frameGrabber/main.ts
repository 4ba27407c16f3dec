// The frame grabber: a page with nothing but a <video>, opened for a moment by the host (src/extension/preview/
// frameGrabber.ts) to decode one frame of a video (its first, for a poster; its last, for a frame reference) where a
// browser's decoder is at hand. It draws the frame on a canvas at the video's size and posts the encoded bytes back.

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

interface GrabberSettings {
  src: string;
  at: 'first' | 'last';
  type: 'image/png' | 'image/jpeg';
}

const vscode = acquireVsCodeApi();
const settings = JSON.parse(document.getElementById('settings')!.getAttribute('data-settings')!) as GrabberSettings;
const video = document.getElementById('video') as HTMLVideoElement;

void grab().then(
  (frame) => vscode.postMessage({ type: 'grabber/frame', ...frame }),
  (error: unknown) => vscode.postMessage({ type: 'grabber/failed', detail: (error instanceof Error ? error.message : String(error)).slice(0, 500) }),
);

async function grab(): Promise<{ width: number; height: number; bytes: string }> {
  video.muted = true;
  video.preload = 'auto';
  await new Promise<void>((resolve, reject) => {
    video.addEventListener('loadeddata', () => resolve(), { once: true });
    video.addEventListener('error', () => reject(new Error(`the video cannot be decoded here (${video.error?.message || video.error?.code || 'no reason given'})`)), { once: true });
    video.src = settings.src;
  });
  if (settings.at === 'last') {
    await new Promise<void>((resolve) => {
      video.addEventListener('seeked', () => resolve(), { once: true });
      video.currentTime = video.duration;
    });
  }
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')!.drawImage(video, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, settings.type, 0.9));
  if (!blob) throw new Error(`the frame could not be encoded as ${settings.type}`);
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { width: canvas.width, height: canvas.height, bytes: btoa(binary) };
}
