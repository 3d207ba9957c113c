// Who holds a TCP port on this machine: is it in use, can we bind it, and which process listens.
// The doctor's top question (port 5432 held by a local Postgres). Nothing here throws or hangs:
// every socket and every external command is bounded by a timeout. External commands go through
// dec's one process runner (util/exec.ts).
import { readFile, readdir, readlink } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { runCommand, type ExecResult } from '../util/exec.js';
import type { HostPorts } from './types.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 500;
const DEFAULT_EXEC_TIMEOUT_MS = 2000;
const COMMAND_MAX_CHARS = 200;
/** Processes whose fd tables are read at once while scanning /proc. */
const PROC_SCAN_BATCH = 16;

export interface PortCheckOptions {
  host?: string;
  timeoutMs?: number;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * True when something accepts TCP connections on host:port (127.0.0.1 by default).
 * Refused (or any other connect error) means free. A timeout on loopback almost always means a
 * listener whose accept queue is full (a stuck server: the kernel drops the SYN), rarely a firewall
 * DROP; so on a timeout we ask the kernel directly whether the port can be bound, and call the port
 * in use only when binding fails with EADDRINUSE. For a non-loopback host a timeout counts as free.
 */
export async function isPortInUse(port: number, options: PortCheckOptions = {}): Promise<boolean> {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const outcome = await new Promise<'open' | 'closed' | 'timeout'>((resolve) => {
    let settled = false;
    const socket = createConnection({ host, port });
    const finish = (result: 'open' | 'closed' | 'timeout'): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.once('connect', () => finish('open'));
    socket.once('error', () => finish('closed'));
  });
  if (outcome !== 'timeout') return outcome === 'open';
  if (!isLoopback(host)) return false;
  return (await tryBind(port, host === 'localhost' ? '127.0.0.1' : host)) === 'in-use';
}

type BindOutcome = 'free' | 'in-use' | 'denied' | 'error';

function tryBind(port: number, host: string): Promise<BindOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const server = createServer();
    const finish = (result: BindOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (server.listening) server.close(() => resolve(result));
      else resolve(result);
    };
    // Binding is immediate; the timer only guards against the impossible.
    const timer = setTimeout(() => finish('error'), DEFAULT_EXEC_TIMEOUT_MS);
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') finish('in-use');
      else if (error.code === 'EACCES') finish('denied');
      else finish('error');
    });
    server.once('listening', () => finish('free'));
    try {
      server.listen({ port, host, exclusive: true });
    } catch {
      finish('error');
    }
  });
}

/**
 * True when this process could listen on host:port right now (the port is released again before
 * this resolves). False when it is taken (EADDRINUSE), privileged (EACCES) or the address is not
 * local. Note: on macOS and Windows binding 127.0.0.1 may succeed while another process holds
 * 0.0.0.0 on the same port, so prefer isPortInUse to decide whether a port is free.
 */
export async function canBind(port: number, host = '127.0.0.1'): Promise<boolean> {
  return (await tryBind(port, host)) === 'free';
}

/** The process listening on a port. All fields absent: something listens, but the OS will not say who. */
export interface HostListener {
  pid?: number;
  name?: string;
  command?: string;
}

/** What findHostListener reads of a command's run (its stderr is never looked at). */
export type ListenerExecResult = Omit<ExecResult, 'stderr'>;

/** What findHostListener touches. A ProbeContext fits: exec = (f, a, t) => ctx.exec(f, a, { timeoutMs: t }). */
export interface ListenerDeps {
  platform: NodeJS.Platform;
  /** File contents, or undefined when it cannot be read. */
  readFile(path: string): Promise<string | undefined>;
  /** Entry names, or [] when the folder cannot be read. */
  readdir(path: string): Promise<string[]>;
  /** Link target, or undefined when it cannot be read. */
  readlink(path: string): Promise<string | undefined>;
  /** Runs a program without a shell, killed after timeoutMs. Never rejects. */
  exec(file: string, args: string[], timeoutMs: number): Promise<ListenerExecResult>;
  /** Bound for each external command and for the whole /proc scan; default 2000 ms. */
  timeoutMs: number;
}

/** ss, lsof and netstat in the C locale, so their output parses the same everywhere. */
function listenerExec(env: NodeJS.ProcessEnv) {
  return (file: string, args: string[], timeoutMs: number): Promise<ListenerExecResult> =>
    runCommand(file, args, { env: { ...env, LC_ALL: 'C' }, timeoutMs });
}

const defaultDeps: ListenerDeps = {
  platform: process.platform,
  readFile: (path) => readFile(path, 'utf8').catch(() => undefined),
  readdir: (path) => readdir(path).catch(() => []),
  readlink: (path) => readlink(path).catch(() => undefined),
  exec: listenerExec(process.env),
  timeoutMs: DEFAULT_EXEC_TIMEOUT_MS,
};

function truncateCommand(command: string): string | undefined {
  const trimmed = command.trim();
  if (!trimmed) return undefined;
  return trimmed.length > COMMAND_MAX_CHARS ? trimmed.slice(0, COMMAND_MAX_CHARS) : trimmed;
}

/** Drops absent fields so results compare cleanly with toEqual. */
function listener(pid: number | undefined, name: string | undefined, command: string | undefined): HostListener {
  const result: HostListener = {};
  if (pid !== undefined) result.pid = pid;
  if (name) result.name = name;
  if (command) result.command = command;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Parsers (pure; exported for unit tests)

/**
 * Inodes of the sockets in LISTEN state (0A) on a local port, from /proc/net/tcp or /proc/net/tcp6.
 * Any local address counts (0.0.0.0, 127.0.0.1, ::, ::1, ...).
 */
export function parseProcNetTcp(text: string, port: number): string[] {
  const inodes: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    if (fields.length < 10 || !/^\d+:$/.test(fields[0] ?? '')) continue;
    const local = fields[1] ?? '';
    const colon = local.lastIndexOf(':');
    if (colon < 0) continue;
    const localPort = Number.parseInt(local.slice(colon + 1), 16);
    if (localPort !== port || fields[3]?.toUpperCase() !== '0A') continue;
    const inode = fields[9] ?? '';
    if (/^\d+$/.test(inode) && inode !== '0' && !inodes.includes(inode)) inodes.push(inode);
  }
  return inodes;
}

/**
 * The listener from `ss -ltnpH sport = :PORT`: `users:(("postgres",pid=123,fd=5))`. When several
 * processes share the socket (pre-forking servers), the lowest pid (usually the parent). Lines
 * without a users field (another user's process, not root): {}. No listening line: undefined.
 */
export function parseSsOutput(text: string): HostListener | undefined {
  let found = false;
  let best: HostListener | undefined;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || /^(State|Recv-Q|Netid)\b/.test(trimmed)) continue;
    found = true;
    for (const match of trimmed.matchAll(/\("((?:[^"\\]|\\.)*)",pid=(\d+)/g)) {
      const pid = Number(match[2]);
      if (best?.pid === undefined || pid < best.pid) best = listener(pid, match[1], undefined);
    }
  }
  if (best) return best;
  return found ? {} : undefined;
}

/** The first process in `lsof -Fpcn` output (fields p<pid>, c<command>, n<name>, one per line). */
export function parseLsofOutput(text: string): HostListener | undefined {
  let pid: number | undefined;
  let name: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const tag = line[0];
    const value = line.slice(1);
    if (tag === 'p') {
      if (pid !== undefined) break; // the next process: keep the first
      const parsed = Number(value);
      if (Number.isInteger(parsed) && parsed > 0) pid = parsed;
    } else if (tag === 'c' && pid !== undefined && name === undefined) {
      name = value.trim() || undefined;
    }
  }
  return pid === undefined ? undefined : listener(pid, name, undefined);
}

/**
 * The pid listening on a port, from Windows `netstat -ano`. A row counts as listening when its
 * state says LISTENING or, since the state column is translated on non-English Windows, when its
 * foreign address is the wildcard (0.0.0.0:0 or [::]:0), which only listening sockets have.
 */
export function parseNetstatOutput(text: string, port: number): number | undefined {
  for (const line of text.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5 || fields[0]?.toUpperCase() !== 'TCP') continue;
    const local = fields[1] ?? '';
    const foreign = fields[2] ?? '';
    const state = fields[3] ?? '';
    const pidText = fields[fields.length - 1] ?? '';
    if (!local.endsWith(`:${port}`)) continue;
    const listening = state.toUpperCase() === 'LISTENING' || foreign === '0.0.0.0:0' || foreign === '[::]:0';
    if (!listening || !/^\d+$/.test(pidText)) continue;
    return Number(pidText);
  }
  return undefined;
}

/** The image name from `tasklist /FI "PID eq N" /FO CSV /NH` ("postgres.exe","123",...). */
export function parseTasklistCsv(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*"((?:[^"]|"")*)"\s*,/.exec(line);
    if (match?.[1]) return match[1].replace(/""/g, '"');
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Per-platform strategies

async function describeLinuxPid(deps: ListenerDeps, pid: number, fallbackName?: string): Promise<HostListener> {
  const comm = (await deps.readFile(`/proc/${pid}/comm`))?.trim();
  const cmdline = await deps.readFile(`/proc/${pid}/cmdline`);
  const command = cmdline === undefined ? undefined : truncateCommand(cmdline.replace(/\0/g, ' '));
  return listener(pid, comm || fallbackName, command);
}

/** The lowest pid with an fd on one of the socket inodes, or undefined. Bounded by the deadline. */
async function scanProcForSocket(deps: ListenerDeps, inodes: string[], deadline: number): Promise<number | undefined> {
  const targets = new Set(inodes.map((inode) => `socket:[${inode}]`));
  const pids = (await deps.readdir('/proc'))
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .sort((a, b) => a - b);
  for (let start = 0; start < pids.length; start += PROC_SCAN_BATCH) {
    if (Date.now() > deadline) return undefined;
    const batch = pids.slice(start, start + PROC_SCAN_BATCH);
    const hits = await Promise.all(
      batch.map(async (pid) => {
        // Another user's process: readdir gives [] (EACCES) and the process is skipped.
        const fds = await deps.readdir(`/proc/${pid}/fd`);
        const links = await Promise.all(fds.map((fd) => deps.readlink(`/proc/${pid}/fd/${fd}`)));
        return links.some((link) => link !== undefined && targets.has(link)) ? pid : undefined;
      }),
    );
    const hit = hits.find((pid) => pid !== undefined);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

async function findLinuxListener(port: number, deps: ListenerDeps): Promise<HostListener | undefined> {
  const deadline = Date.now() + deps.timeoutMs;
  const tables = await Promise.all([deps.readFile('/proc/net/tcp'), deps.readFile('/proc/net/tcp6')]);
  const procReadable = tables.some((table) => table !== undefined);
  const inodes = tables.flatMap((table) => (table === undefined ? [] : parseProcNetTcp(table, port)));
  // /proc lists every socket of this network namespace: no LISTEN row means nothing listens here.
  if (procReadable && inodes.length === 0) return undefined;

  if (inodes.length > 0) {
    const pid = await scanProcForSocket(deps, inodes, deadline);
    if (pid !== undefined) return describeLinuxPid(deps, pid);
  }

  const ss = await deps.exec('ss', ['-ltnpH', `sport = :${port}`], deps.timeoutMs);
  const fromSs = ss.exitCode === 0 ? parseSsOutput(ss.stdout) : undefined;
  if (fromSs?.pid !== undefined) return describeLinuxPid(deps, fromSs.pid, fromSs.name);
  if (inodes.length > 0 || fromSs) return {};
  return undefined;
}

async function findDarwinListener(port: number, deps: ListenerDeps): Promise<HostListener | undefined> {
  const lsof = await deps.exec('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpcn'], deps.timeoutMs);
  // lsof exits 1 when nothing matches.
  const found = lsof.exitCode === 0 ? parseLsofOutput(lsof.stdout) : undefined;
  if (found?.pid === undefined) return undefined;
  const ps = await deps.exec('ps', ['-o', 'command=', '-p', String(found.pid)], deps.timeoutMs);
  const command = ps.exitCode === 0 ? truncateCommand(ps.stdout.split('\n')[0] ?? '') : undefined;
  return listener(found.pid, found.name, command);
}

async function findWindowsListener(port: number, deps: ListenerDeps): Promise<HostListener | undefined> {
  // Without -p: `-p tcp` lists IPv4 only, and a listener may be on [::] alone.
  const netstat = await deps.exec('netstat', ['-ano'], deps.timeoutMs);
  if (netstat.exitCode !== 0) return undefined;
  const pid = parseNetstatOutput(netstat.stdout, port);
  if (pid === undefined) return undefined;
  const tasklist = await deps.exec('tasklist', ['/FI', `PID eq ${pid}`, '/FO', 'CSV', '/NH'], deps.timeoutMs);
  const image = tasklist.exitCode === 0 ? parseTasklistCsv(tasklist.stdout) : undefined;
  // "postgres.exe" → name "postgres" (as on the other platforms), command the image name.
  return listener(pid, image?.replace(/\.exe$/i, ''), image);
}

/**
 * Which host process listens on a TCP port. undefined: nothing listens (that this OS reports);
 * {}: something listens but the OS will not say who (another user's process without root);
 * otherwise the pid, a short name ("postgres", "node", "docker-proxy") and the command line when known.
 * Never throws; each external command and the /proc scan are bounded by deps.timeoutMs (2 s).
 */
export async function findHostListener(
  port: number,
  deps: Partial<ListenerDeps> = {},
): Promise<HostListener | undefined> {
  const full: ListenerDeps = { ...defaultDeps };
  for (const [key, value] of Object.entries(deps)) {
    if (value !== undefined) Object.assign(full, { [key]: value });
  }
  try {
    if (full.platform === 'linux') return await findLinuxListener(port, full);
    if (full.platform === 'win32') return await findWindowsListener(port, full);
    // macOS and the BSDs: lsof.
    return await findDarwinListener(port, full);
  } catch {
    return undefined;
  }
}

/** The real HostPorts of a ProbeContext: this machine's sockets, with commands run in `env`. */
export function realHostPorts(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): HostPorts {
  return {
    inUse: (port, timeoutMs) => isPortInUse(port, { timeoutMs }),
    canBind: (port) => canBind(port),
    listener: (port) => findHostListener(port, { platform, exec: listenerExec(env) }),
  };
}
