// Real Docker Engine and unix-socket fixtures for the doctor and setup suites.
//
// The engine is Debian's docker.io at /var/run/docker.sock (see shared/testing.md); `.ci/run` installs and
// starts it. No registry is reachable, so every image is built locally with `docker import` and every
// `docker run` uses `--pull never`. Everything here goes through argument arrays (execFile/spawn, never a
// shell string), every wait is bounded, and every container carries the label `dec.test=1`, the label
// `dec.test.pid=<pid of the test process>` and a name starting with `dec-test-`, so leftovers can be found.
//
// `unreadableSocket` and `runAsNobody` need root (CI runs as root); they throw a clear error otherwise.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { get as httpGet, request } from 'node:http';
import { connect as connectNet, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { TEST_PROJECT_PREFIX } from './project.js';
import type { RunResult } from './run.js';

export const DOCKER_SOCKET = '/var/run/docker.sock';
export const BUSYBOX_TAG = 'dec-test/busybox:1';
export const TEST_LABEL = 'dec.test';
const TEST_PREFIX = 'dec-test-';
/** Applets linked into the busybox test image (all in /bin). */
const BUSYBOX_APPLETS = ['sh', 'nc', 'httpd', 'sleep', 'cat', 'echo'] as const;
/** What `httpd -f -p 80 -h /www` serves at `/` in the busybox test image. */
export const BUSYBOX_INDEX = 'dec-test busybox httpd\n';

const PID_LABEL = 'dec.test.pid';
const IMAGE_LABEL = 'dec.test.image';
const DOCKER_ENV: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${DOCKER_SOCKET}` };
delete DOCKER_ENV.DOCKER_CONTEXT;

export interface DockerResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started or was killed by its time limit. */
  error?: string;
}

/** Runs the docker CLI against /var/run/docker.sock; never rejects, the result says what happened. */
export function dockerCli(args: string[], timeoutMs = 30_000): Promise<DockerResult> {
  return new Promise((done) => {
    execFile(
      'docker',
      args,
      { env: DOCKER_ENV, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return done({ code: 0, stdout, stderr });
        const failure = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
        const code = typeof failure.code === 'number' ? failure.code : null;
        const why = failure.killed
          ? `docker ${args[0] ?? ''} did not finish within ${timeoutMs} ms`
          : code === null
            ? String(failure.message)
            : undefined;
        done({ code, stdout, stderr, ...(why ? { error: why } : {}) });
      },
    );
  });
}

/** Like dockerCli, but rejects unless docker exits 0. */
export async function docker(args: string[], timeoutMs = 30_000): Promise<string> {
  const result = await dockerCli(args, timeoutMs);
  if (result.code !== 0) {
    const detail = result.error ?? (result.stderr.trim() || `exit code ${String(result.code)}`);
    throw new Error(`docker ${args.join(' ')}: ${detail}`);
  }
  return result.stdout;
}

/** True when the engine at /var/run/docker.sock answers GET /_ping within 3 s. */
export function dockerAnswers(timeoutMs = 3_000): Promise<boolean> {
  return new Promise((done) => {
    const req = request({ socketPath: DOCKER_SOCKET, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done(res.statusCode === 200 && body.trim() === 'OK'));
      res.on('error', () => done(false));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done(false));
    req.end();
  });
}

let dockerChecked: Promise<void> | undefined;

/**
 * Throws unless the engine at /var/run/docker.sock answers `docker info` within 10 s. There is no silent
 * skip: with DEC_TEST_REQUIRE_DOCKER or CI set the message says the engine is required here, otherwise it
 * says how to start one. Use dockerAnswers() to ask without throwing.
 */
export function requireDocker(): Promise<void> {
  dockerChecked ??= (async () => {
    const result = await dockerCli(['info', '--format', '{{.ServerVersion}}'], 10_000);
    if (result.code === 0 && result.stdout.trim() !== '') return;
    const why = result.error ?? (result.stderr.trim() || `docker info exited with ${String(result.code)}`);
    const strict = Boolean(process.env.DEC_TEST_REQUIRE_DOCKER || process.env.CI);
    throw new Error(
      strict
        ? `A Docker Engine is required (DEC_TEST_REQUIRE_DOCKER or CI is set) but ${DOCKER_SOCKET} does not answer: ${why}`
        : `These tests need a real Docker Engine at ${DOCKER_SOCKET}, which does not answer: ${why}\n` +
            'As root: apt-get install -y --no-install-recommends docker.io busybox-static, then ' +
            '`dockerd > /tmp/dockerd.log 2>&1 &` (see shared/testing.md), or run `bash .ci/run`.',
    );
  })();
  // A failure is not cached: a later call may find an engine that has started since.
  dockerChecked.catch(() => (dockerChecked = undefined));
  return dockerChecked;
}

const busyboxImages = new Map<string, Promise<string>>();

/**
 * The busybox test image (`/bin/{sh,nc,httpd,sleep,cat,echo}`, `/www/index.html`, `/tmp`, an
 * `/etc/passwd` with root and nobody), imported from the host's busybox-static when the tag is missing.
 * Idempotent; parallel test files may call it at once (two concurrent imports both succeed, the tag ends
 * on one of them). Returns the tag.
 */
export function ensureBusyboxImage(tag = BUSYBOX_TAG): Promise<string> {
  let pending = busyboxImages.get(tag);
  if (!pending) {
    pending = (async () => {
      await requireDocker();
      const found = await dockerCli(['image', 'inspect', '--format', '{{.Id}}', tag], 15_000);
      if (found.code !== 0) await importBusyboxImage(tag);
      return tag;
    })();
    busyboxImages.set(tag, pending);
    pending.catch(() => busyboxImages.delete(tag));
  }
  return pending;
}

/** Always builds and imports the busybox image under `tag` (ensureBusyboxImage is the usual entry). */
export async function importBusyboxImage(tag: string, timeoutMs = 60_000): Promise<string> {
  const busybox = '/bin/busybox';
  if (!existsSync(busybox)) {
    throw new Error(`${busybox} is missing: install Debian's busybox-static (apt-get install -y busybox-static)`);
  }
  const work = mkdtempSync(join(tmpdir(), 'dec-busybox-'));
  try {
    const root = join(work, 'rootfs');
    for (const sub of ['bin', 'etc', 'www', 'tmp']) mkdirSync(join(root, sub), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    copyFileSync(busybox, join(root, 'bin', 'busybox'));
    chmodSync(join(root, 'bin', 'busybox'), 0o755);
    for (const applet of BUSYBOX_APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
    writeFileSync(join(root, 'www', 'index.html'), BUSYBOX_INDEX);
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/sh\n');
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    await pipeTarIntoImport(root, tag, timeoutMs);
    return tag;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function pipeTarIntoImport(root: string, tag: string, timeoutMs: number): Promise<void> {
  return new Promise((done, fail) => {
    const tar = spawn('tar', ['-C', root, '--owner=0', '--group=0', '--numeric-owner', '-c', '.'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const importer = spawn(
      'docker',
      ['import', '--change', `LABEL ${IMAGE_LABEL}=1`, '--change', 'CMD ["/bin/sh"]', '-', tag],
      { env: DOCKER_ENV, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const errors = { tar: '', docker: '' };
    tar.stderr.on('data', (chunk: Buffer) => (errors.tar += chunk.toString()));
    importer.stderr.on('data', (chunk: Buffer) => (errors.docker += chunk.toString()));
    importer.stdout.resume();
    importer.stdin.on('error', () => {}); // EPIPE when docker import dies first; its exit code reports it
    tar.stdout.pipe(importer.stdin);

    const exits: { tar?: number | null; docker?: number | null } = {};
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      if (!error && (!('tar' in exits) || !('docker' in exits))) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        tar.kill('SIGKILL');
        importer.kill('SIGKILL');
        return fail(error);
      }
      if (exits.tar !== 0) return fail(new Error(`tar -C ${root} -c . failed: ${errors.tar.trim()}`));
      if (exits.docker !== 0) return fail(new Error(`docker import - ${tag} failed: ${errors.docker.trim()}`));
      done();
    };
    const timer = setTimeout(
      () => finish(new Error(`building ${tag} did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
    tar.on('error', (error) => finish(new Error(`could not run tar: ${error.message}`)));
    importer.on('error', (error) => finish(new Error(`could not run docker: ${error.message}`)));
    tar.on('close', (code) => ((exits.tar = code), finish()));
    importer.on('close', (code) => ((exits.docker = code), finish()));
  });
}

/** Removes untagged images left by concurrent imports of the busybox test image (only those). */
export async function pruneTestImages(): Promise<void> {
  await docker(['image', 'prune', '-f', '--filter', `label=${IMAGE_LABEL}=1`], 30_000);
}

export interface RunContainerOptions {
  /** Container name; `dec-test-` is put in front unless it is there already. */
  name: string;
  image: string;
  cmd: string[];
  /** Published on 127.0.0.1 only. */
  publish?: Array<{ host: number; container: number }>;
  labels?: Record<string, string>;
}

/** The container name for a test name: `dec-test-<name>`. */
export function testContainerName(name: string): string {
  const full = name.startsWith(TEST_PREFIX) ? name : `${TEST_PREFIX}${name}`;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(full)) throw new Error(`not a valid container name: ${full}`);
  return full;
}

/**
 * Starts a detached container (`docker run -d --pull never`), removing a leftover of the same name first.
 * Labels: dec.test=1, dec.test.pid=<this process>, plus `labels`. Resolves to the container's name.
 */
export async function runContainer(options: RunContainerOptions): Promise<string> {
  const name = testContainerName(options.name);
  await removeContainer(name);
  const args = ['run', '-d', '--pull', 'never', '--name', name];
  args.push('--label', `${TEST_LABEL}=1`, '--label', `${PID_LABEL}=${process.pid}`);
  for (const [key, value] of Object.entries(options.labels ?? {})) args.push('--label', `${key}=${value}`);
  for (const { host, container } of options.publish ?? []) {
    for (const port of [host, container]) {
      if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`not a port: ${port}`);
    }
    args.push('--publish', `127.0.0.1:${host}:${container}`);
  }
  args.push('--', options.image, ...options.cmd);
  await docker(args, 30_000);
  return name;
}

/** `docker rm -f -v`; a container that does not exist is fine. */
export async function removeContainer(name: string): Promise<void> {
  const full = testContainerName(name);
  const result = await dockerCli(['rm', '-f', '-v', full], 20_000);
  if (result.code === 0 || /no such container/i.test(result.stderr)) return;
  throw new Error(`docker rm -f ${full}: ${result.error ?? result.stderr.trim()}`);
}

/**
 * Removes containers labelled dec.test=1 that this test process started, and leftovers whose process is
 * gone (or that carry no dec.test.pid). Containers of other test files still running are left alone, so
 * this is safe in the afterAll of suites that vitest runs in parallel. `{ all: true }` removes every one.
 * Resolves to the number removed.
 */
export function removeTestContainers(options: { all?: boolean } = {}): Promise<number> {
  return removeTestResources('containers', options);
}

/**
 * Removes containers or volumes labelled dec.test=1 owned by this process, or by a process that is gone
 * (or by none: no dec.test.pid), or every one with `{ all: true }`. Resolves to the number removed.
 */
export async function removeTestResources(
  kind: 'containers' | 'volumes',
  options: { all?: boolean } = {},
): Promise<number> {
  const [list, key, remove] =
    kind === 'containers'
      ? [['ps', '-a'], '{{.ID}}', ['rm', '-f', '-v']]
      : [['volume', 'ls'], '{{.Name}}', ['volume', 'rm', '-f']];
  const listing = await docker(
    [...list, '--filter', `label=${TEST_LABEL}=1`, '--format', `${key}\t{{.Label "${PID_LABEL}"}}`],
    20_000,
  );
  const names: string[] = [];
  for (const line of listing.split('\n')) {
    const [name, owner] = line.trim().split('\t');
    if (!name) continue;
    if (options.all || !owner || Number(owner) === process.pid || !processAlive(Number(owner))) names.push(name);
  }
  if (names.length > 0) await docker([...remove, ...names], 60_000);
  return names.length;
}

/** GET http://127.0.0.1:<port><path>: status and body, within 2 s (rejects when nothing answers). */
export function httpGetLocal(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = httpGet({ host: '127.0.0.1', port, path, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
  });
}

/**
 * A Docker socket at `path` that passes requests to the real engine, then, at request `cutAfter + 1`,
 * drops every connection and disappears: the engine "going away" in the middle of a command.
 */
export async function cuttingDockerProxy(path: string, cutAfter: number): Promise<{ close(): Promise<void> }> {
  rmSync(path, { force: true });
  let requests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const engine = connectNet(DOCKER_SOCKET);
    sockets.add(client).add(engine);
    client.on('data', (chunk: Buffer) => {
      requests += (chunk.toString('latin1').match(/^(GET|POST|PUT|DELETE|HEAD) \//gm) ?? []).length;
      if (requests <= cutAfter) {
        engine.write(chunk);
        return;
      }
      for (const socket of sockets) socket.destroy();
      server.close();
      rmSync(path, { force: true });
    });
    engine.pipe(client);
    client.on('error', () => engine.destroy());
    engine.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        rmSync(path, { force: true });
      }),
  };
}

/**
 * Removes what `dec setup` made under a test project (DEC_PROJECT of a sandbox): the containers, volumes
 * and networks labelled with it, and nothing else. Refuses any project that is not a test project, so
 * a student's own stacks (project "dec") can never be touched by the suite.
 */
export async function removeDecProject(project: string): Promise<void> {
  if (!project.startsWith(TEST_PROJECT_PREFIX)) throw new Error(`not a test project: ${project}`);
  const filter = `label=dec.project=${project}`;
  const ids = (await docker(['ps', '-aq', '--filter', filter])).split('\n').filter(Boolean);
  if (ids.length > 0) await docker(['rm', '-f', '-v', ...ids]);
  const volumes = (await docker(['volume', 'ls', '-q', '--filter', filter])).split('\n').filter(Boolean);
  if (volumes.length > 0) await docker(['volume', 'rm', '-f', ...volumes]);
  const networks = (await docker(['network', 'ls', '-q', '--filter', filter])).split('\n').filter(Boolean);
  if (networks.length > 0) await docker(['network', 'rm', ...networks]);
}

/** The containers `dec setup` made under a project, name → id (running or not). */
export async function projectContainers(project: string): Promise<Record<string, string>> {
  const lines = await docker([
    'ps',
    '-a',
    '--filter',
    `label=dec.project=${project}`,
    '--format',
    '{{.Names}} {{.ID}}',
  ]);
  return Object.fromEntries(
    lines
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  );
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Ports freePort() has handed out in this process: the kernel may offer a just-closed one again. */
const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, and not one this process was given before (two
 * calls in a row could otherwise get the same port, and two services of one stack would clash on it).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await anyFreePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no new free port after 50 attempts');
}

function anyFreePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? done(port) : fail(new Error('no port'))));
    });
  });
}

/** Calls `probe` until it resolves to something other than undefined or `timeoutMs` passes (then throws). */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 200, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`${what} not met within ${timeoutMs} ms${why}`);
    }
    await new Promise((wake) => setTimeout(wake, intervalMs));
  }
}

// ---- unix socket fixtures ----------------------------------------------------------------------------

// A child process that listens on argv[1], optionally chmods the socket to argv[2] (octal), holds every
// connection without writing a byte, and exits when its stdin closes (so it cannot outlive the test).
const SOCKET_SERVER = `
const net = require('node:net');
const fs = require('node:fs');
const [path, mode] = process.argv.slice(1);
const held = [];
const server = net.createServer((socket) => { socket.on('error', () => {}); held.push(socket); });
server.on('error', (error) => { process.stderr.write(String(error.code || error.message)); process.exit(1); });
server.listen(path, () => {
  if (mode) fs.chmodSync(path, parseInt(mode, 8));
  process.stdout.write('ready\\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
`;

const socketChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function socketPath(dir: string, kind: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(resolve(dir), `${kind}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.sock`);
  if (Buffer.byteLength(path) > 100) throw new Error(`socket path too long for a unix socket: ${path}`);
  return path;
}

function startSocketServer(path: string, mode?: string, timeoutMs = 10_000): Promise<ChildProcess> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const child of socketChildren) child.kill('SIGKILL');
    });
  }
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-e', SOCKET_SERVER, path, mode ?? ''], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    socketChildren.add(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`socket server on ${path} not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready\n')) {
        clearTimeout(timer);
        // Ready: the server must not keep the test process alive (it also exits when its stdin closes).
        child.unref();
        for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as Socket | null)?.unref();
        done(child);
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.on('exit', (code, signal) => {
      socketChildren.delete(child);
      clearTimeout(timer);
      fail(new Error(`socket server on ${path} ended (${signal ?? code}) ${stderr.trim()}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  socketChildren.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

/** A unix socket file in `dir` with no listener behind it: connect() fails with ECONNREFUSED. */
export async function staleSocket(dir: string): Promise<string> {
  const path = socketPath(dir, 'stale');
  const child = await startSocketServer(path);
  await stopChild(child); // SIGKILL: the listener dies without unlinking the file
  if (!lstatSync(path).isSocket()) throw new Error(`${path} is not a socket`);
  return path;
}

/** A unix socket whose server (a child process) accepts every connection and never writes a byte. */
export async function hangingSocket(dir: string): Promise<{ path: string; close(): Promise<void> }> {
  const path = socketPath(dir, 'hanging');
  const child = await startSocketServer(path);
  return {
    path,
    async close() {
      await stopChild(child);
      rmSync(path, { force: true });
    },
  };
}

/**
 * A listening unix socket owned by root with mode 0600, which the `nobody` user cannot open (EACCES).
 * Needs root. `dir` is made traversable by others (o+x) so that the socket itself is what refuses.
 * The listener lives until closeSocketFixtures() or the end of the test process.
 */
export async function unreadableSocket(dir: string): Promise<string> {
  requireRoot('unreadableSocket');
  const path = socketPath(dir, 'unreadable');
  makeTraversable(dirname(path));
  await startSocketServer(path, '600');
  return path;
}

/** Stops every socket server these helpers started (for afterAll). */
export async function closeSocketFixtures(): Promise<void> {
  await Promise.all([...socketChildren].map((child) => stopChild(child)));
}

// ---- running as nobody ---------------------------------------------------------------------------------

export interface NobodyOptions {
  /**
   * A folder to use as in makeSandbox(): HOME is `<root>/home`, DEC_HOME `<root>/dec-home`; the whole
   * tree is chowned to nobody. Without it a temp folder is made and removed afterwards.
   */
  root?: string;
  /** Default: HOME. Must be reachable by nobody. */
  cwd?: string;
  /** Added to PATH and LANG; HOME and DEC_HOME are always set as above. */
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

export interface NobodyResult extends RunResult {
  home: string;
  decHome: string;
}

/**
 * Runs `file args` as user nobody (group nogroup, no supplementary groups) via
 * `setpriv --reuid --regid --clear-groups`, with HOME and DEC_HOME in a folder nobody owns. Needs root.
 */
export function runAsNobody(file: string, args: string[], options: NobodyOptions = {}): Promise<NobodyResult> {
  requireRoot('runAsNobody');
  return runUnprivileged(file, args, options);
}

/**
 * Runs `file args` as a user whom a folder's mode binds: as nobody under root (root reads and writes
 * whatever the mode says, so a read-only folder would prove nothing), otherwise as the current user.
 * HOME and DEC_HOME are as in runAsNobody, owned by whoever runs. So a permission test runs everywhere,
 * CI (root) and a developer's own account alike.
 */
export async function runUnprivileged(
  file: string,
  args: string[],
  options: NobodyOptions = {},
): Promise<NobodyResult> {
  const nobody = process.getuid?.() === 0 ? nobodyIds() : undefined;
  const owned = options.root === undefined;
  const root = options.root ?? mkdtempSync(join(tmpdir(), 'dec-nobody-'));
  const home = join(root, 'home');
  const decHome = join(root, 'dec-home');
  try {
    mkdirSync(home, { recursive: true });
    mkdirSync(decHome, { recursive: true });
    if (nobody) {
      chownTree(root, nobody.uid, nobody.gid);
      makeTraversable(root);
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      ...options.env,
      HOME: home,
      DEC_HOME: decHome,
    };
    const [command, commandArgs] = nobody
      ? ['setpriv', [`--reuid=${nobody.uid}`, `--regid=${nobody.gid}`, '--clear-groups', '--', file, ...args]]
      : [file, args];
    const result = await new Promise<RunResult>((done, fail) => {
      const child = spawn(command, commandArgs, {
        cwd: options.cwd ?? home,
        env,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        timeout: options.timeoutMs ?? 20_000,
        killSignal: 'SIGKILL',
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      if (options.input !== undefined) child.stdin?.end(options.input);
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
    return { ...result, home, decHome };
  } finally {
    if (owned) rmSync(root, { recursive: true, force: true });
  }
}

function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new Error(`${what} needs root (CI runs as root)`);
}

function nobodyIds(): { uid: number; gid: number } {
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  const entry = passwd.find((line) => line.startsWith('nobody:'))?.split(':');
  if (!entry?.[2] || !entry[3]) throw new Error('no user nobody in /etc/passwd');
  const group = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('nogroup:'))
    ?.split(':');
  return { uid: Number(entry[2]), gid: Number(group?.[2] ?? entry[3]) };
}

function chownTree(path: string, uid: number, gid: number): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  chownSync(path, uid, gid);
  if (stat.isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}

/**
 * Adds o+x to `dir` and to those of its parents inside the temp folder; throws if a parent outside it
 * cannot be traversed by others (nobody could not reach the fixture then, for the wrong reason).
 */
function makeTraversable(dir: string): void {
  const temp = resolve(tmpdir());
  let current = resolve(dir);
  for (;;) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      if (current === temp || !current.startsWith(temp + sep)) {
        throw new Error(`${current} is not traversable by other users; use a folder under ${temp}`);
      }
      chmodSync(current, (mode & 0o7777) | 0o001);
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}
