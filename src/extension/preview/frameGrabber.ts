import * as path from 'node:path';
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import { contentSecurityPolicy, newNonce } from '../webview/contentSecurityPolicy';

const GrabberMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('grabber/frame'), width: z.int(), height: z.int(), bytes: z.string() }),
  z.object({ type: z.literal('grabber/failed'), detail: z.string().check(z.maxLength(500)) }),
]);

const GRAB_TIMEOUT_MS = 60_000;

/**
 * Decodes one frame of a local video in a webview, the one place the editor has an H.264 decoder (the extension host
 * has none, and Kling Studio never shells out to ffmpeg): a small page opens beside the editor without taking the
 * focus, draws the frame at the video's size, posts its bytes, and is closed. For the poster of a `"web"` video and
 * for a storyboard's frame of another video.
 */
export async function grabFrameInWebview(videoPath: string, at: 'first' | 'last', type: 'image/png' | 'image/jpeg', pageRoot = defaultPageRoot()): Promise<{ bytes: Uint8Array; width: number; height: number }> {
  const video = vscode.Uri.file(videoPath);
  const panel = vscode.window.createWebviewPanel(
    'klingStudio.frameGrabber',
    vscode.l10n.t('Kling: taking a frame of {0}', path.basename(videoPath)),
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    { enableScripts: true, enableForms: false, localResourceRoots: [vscode.Uri.file(path.dirname(videoPath)), pageRoot] },
  );
  try {
    const answer = new Promise<z.infer<typeof GrabberMessage>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame came from the decoder within ${GRAB_TIMEOUT_MS / 1000} s`)), GRAB_TIMEOUT_MS);
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const parsed = GrabberMessage.safeParse(raw);
        if (!parsed.success) return;
        clearTimeout(timer);
        resolve(parsed.data);
      });
      panel.onDidDispose(() => reject(new Error('the frame grabber was closed before it had the frame')));
    });
    const nonce = newNonce();
    const webview = panel.webview;
    const settings = { src: webview.asWebviewUri(video).toString(), at, type };
    const script = webview.asWebviewUri(vscode.Uri.joinPath(pageRoot, 'frameGrabber.js')).toString();
    webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview, nonce, { media: true })}">
<meta id="settings" data-settings="${escapeAttribute(JSON.stringify(settings))}"></head>
<body><p>Taking the ${at} frame of ${escapeAttribute(path.basename(videoPath))}…</p><video id="video" playsinline muted></video>
<script nonce="${nonce}" src="${escapeAttribute(script)}"></script></body></html>`;
    const message = await answer;
    if (message.type === 'grabber/failed') throw new Error(message.detail);
    return { bytes: Buffer.from(message.bytes, 'base64'), width: message.width, height: message.height };
  } finally {
    panel.dispose();
  }
}

/** dist/webview of this extension, where frameGrabber.js is built. */
function defaultPageRoot(): vscode.Uri {
  const extension = vscode.extensions.getExtension('kling-studio.kling-studio');
  if (!extension) throw new Error('Kling Studio cannot find its own pages');
  return vscode.Uri.joinPath(extension.extensionUri, 'dist', 'webview');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
