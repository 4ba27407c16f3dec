/**
 * A real VS Code server (the one inside code-server), started for one suite with fresh data folders
 * and stopped, with every process it forked, when the suite ends.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from './exec';
import { groupAlive, killGroup, removeAtExit, removeTempDir, trackGroup } from './processes';
import type { ToolPaths } from './setup';
import { seconds, waitFor } from './wait';

/** User settings for calm, repeatable screenshots: no AI side bar, no welcome page, no update checks. */
export const CLEAN_SETTINGS: Readonly<Record<string, unknown>> = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
};

export interface ServerOptions {
  tools: ToolPaths;
  /**
   * Lets the workbench URL carry `extensionDevelopmentPath`/`extensionTestsPath` (API tests). It also
   * suppresses notification toasts and dialogs, so UI tests must leave it off.
   */
  smokeTestDriver?: boolean;
  /** The user's settings.json; `CLEAN_SETTINGS` unless told. */
  settings?: Record<string, unknown>;
  /** Trust every folder (no trust prompt, no Restricted Mode). Default true; false for trust tests. */
  disableWorkspaceTrust?: boolean;
  /**
   * VS Code's display language (`--locale`), as a user's argv.json sets it. VS Code switches only to a language an
   * installed language pack contributes (test/vscode/fixtures/zh-cn-language-pack): install one with `vsixes`.
   */
  locale?: string;
  /** `.vsix` files installed into the fresh extensions folder before the server starts. */
  vsixes?: string[];
  /** Extra environment for the server; its extension hosts inherit it. */
  env?: Record<string, string>;
  /** How long to wait for `/version`; 30 s unless told. */
  readyTimeoutMs?: number;
  /** Keep the temp folder (logs, user data) after stop; also with `KLING_TEST_KEEP=1`. */
  keepDirs?: boolean;
}

export interface ServerDirs {
  root: string;
  userData: string;
  serverData: string;
  extensions: string;
}

export interface VsCodeServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly pid: number;
  readonly dirs: ServerDirs;
  /** `vscode-remote://127.0.0.1:<port><absPath>`: how the workbench names a file on this server. */
  remoteUri(absPath: string): string;
  /** The workbench page, opened on `folder`, with an optional smoke-test payload. */
  workbenchUrl(options?: { folder?: string; payload?: ReadonlyArray<readonly [string, string]> }): string;
  /** The last lines the server printed. */
  logTail(lines?: number): string;
  /** Ends the server and everything it forked; safe to call twice. */
  stop(): Promise<void>;
}

const LOG_LINES_KEPT = 400;

export async function startServer(options: ServerOptions): Promise<VsCodeServer> {
  const root = mkdtempSync(join(tmpdir(), 'kling-vscode-'));
  const dirs: ServerDirs = {
    root,
    userData: join(root, 'user-data'),
    serverData: join(root, 'server-data'),
    extensions: join(root, 'extensions'),
  };
  const keep = options.keepDirs ?? process.env.KLING_TEST_KEEP === '1';
  if (!keep) {
    removeAtExit(root);
  }
  const removeDirs = (): void => {
    if (!keep) {
      removeTempDir(root);
    }
  };
  try {
    mkdirSync(join(dirs.userData, 'User'), { recursive: true });
    mkdirSync(dirs.serverData, { recursive: true });
    mkdirSync(dirs.extensions, { recursive: true });
    writeFileSync(
      join(dirs.userData, 'User', 'settings.json'),
      `${JSON.stringify(options.settings ?? CLEAN_SETTINGS, null, 2)}\n`,
    );
    for (const vsix of options.vsixes ?? []) {
      await installExtension(options.tools, dirs, vsix);
    }
    if (options.locale) {
      writeLanguagePacks(dirs);
    }
  } catch (error) {
    removeDirs();
    throw error;
  }

  const port = await freePort();
  const args = [
    options.tools.serverMain,
    ...commonArgs(dirs),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--without-connection-token',
    // Extension hosts otherwise outlive a closed browser for hours (~150 MB each).
    '--reconnection-grace-time',
    '5',
  ];
  if (options.smokeTestDriver) {
    args.push('--enable-smoke-test-driver');
  }
  if (options.disableWorkspaceTrust ?? true) {
    args.push('--disable-workspace-trust');
  }
  if (options.locale) {
    args.push('--locale', options.locale);
  }

  // Its own process group, so that stop() reaches the extension host and pty host it forks.
  const child = spawn(options.tools.node, args, {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The extension's shared state (the upload cache) stays in this server's folder, not the machine's.
    env: { ...process.env, KLING_STATE_DIR: join(root, 'kling-state'), ...options.env },
  });
  if (child.pid === undefined) {
    removeDirs();
    throw new Error(`could not start ${options.tools.node} ${options.tools.serverMain}`);
  }
  const pid = child.pid;
  trackGroup(pid);

  const log: string[] = [];
  const keepLine = (line: string): void => {
    log.push(line);
    if (log.length > LOG_LINES_KEPT) {
      log.shift();
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(keepLine);
    });
  }
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  });

  const origin = `http://127.0.0.1:${port}`;
  const logTail = (lines = 60): string => log.slice(-lines).join('\n');
  let stopped: Promise<void> | undefined;
  const server: VsCodeServer = {
    port,
    origin,
    pid,
    dirs,
    remoteUri: (absPath) => `vscode-remote://127.0.0.1:${port}${encodeURI(absPath)}`,
    workbenchUrl: ({ folder, payload } = {}) => {
      const query: string[] = [];
      if (folder) {
        query.push(`folder=${encodeURIComponent(folder)}`);
      }
      if (payload && payload.length > 0) {
        query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
      }
      return `${origin}/${query.length > 0 ? `?${query.join('&')}` : ''}`;
    },
    logTail,
    stop: () => {
      stopped ??= (async () => {
        if (groupAlive(pid)) {
          await killGroup(pid);
        }
        removeDirs();
      })();
      return stopped;
    },
  };

  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  try {
    await waitFor(
      async () => {
        if (exited) {
          throw new Error(`the VS Code server ${exited} before answering /version; its log:\n${logTail()}`);
        }
        return (await httpOk(`${origin}/version`)) ? true : undefined;
      },
      {
        timeoutMs,
        what: `the VS Code server to answer ${origin}/version`,
        detail: () => `code-server did not answer /version within ${seconds(timeoutMs)}; its log:\n${logTail()}`,
      },
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Installs a `.vsix` into a server's extensions folder with the server's own CLI (about a second). */
export async function installExtension(tools: ToolPaths, dirs: ServerDirs, vsix: string): Promise<void> {
  const { tail } = await exec(tools.node, [tools.serverMain, ...commonArgs(dirs), '--install-extension', vsix]);
  // It exits 1 when it cannot install (an engine mismatch, say); the success line is checked as well
  // so that a run that installed nothing cannot pass for one that did.
  const text = tail.join('\n');
  if (!/successfully installed/i.test(text)) {
    throw new Error(`installing ${vsix} into the VS Code server failed:\n${text}`);
  }
}

function commonArgs(dirs: ServerDirs): string[] {
  return [
    '--accept-server-license-terms',
    '--disable-telemetry',
    '--user-data-dir',
    dirs.userData,
    '--server-data-dir',
    dirs.serverData,
    '--extensions-dir',
    dirs.extensions,
  ];
}

/** A port that was free a moment ago on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') {
          resolve(address.port);
        } else {
          reject(new Error('could not find a free port'));
        }
      });
    });
  });
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/**
 * Records the installed language packs in `languagepacks.json`, as VS Code's language pack service does after it
 * installs one in a running window. `--install-extension` on the command line installs the files only, and the server
 * reads this file to decide whether `--locale` names a language it has (else it stays in English).
 */
function writeLanguagePacks(dirs: ServerDirs): void {
  interface Localization {
    languageId: string;
    languageName?: string;
    localizedLanguageName?: string;
    translations: Array<{ id: string; path: string }>;
  }
  const packs: Record<string, unknown> = {};
  for (const folder of readdirSync(dirs.extensions, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const root = join(dirs.extensions, folder.name);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name: string;
      publisher: string;
      version: string;
      contributes?: { localizations?: Localization[] };
    };
    for (const localization of manifest.contributes?.localizations ?? []) {
      packs[localization.languageId] = {
        hash: `${manifest.publisher}.${manifest.name}-${manifest.version}`,
        extensions: [{ extensionIdentifier: { id: `${manifest.publisher}.${manifest.name}` }, version: manifest.version }],
        translations: Object.fromEntries(localization.translations.map((t) => [t.id, join(root, t.path)])),
        label: localization.localizedLanguageName ?? localization.languageName ?? localization.languageId,
      };
    }
  }
  writeFileSync(join(dirs.userData, 'languagepacks.json'), `${JSON.stringify(packs, null, 2)}\n`);
}
