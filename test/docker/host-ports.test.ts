// Port holders on the real machine: real listening processes, a real PostgreSQL, real /proc; and the one
// process runner the lookups (ss, lsof, netstat) and the doctor's probes share.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canBind, findHostListener, isPortInUse, realHostPorts } from '../../src/doctor/host-ports.js';
import { runCommand } from '../../src/util/exec.js';
import { freePort, startPostgres, type RunningPostgres } from '../helpers/postgres.js';

const children = new Set<ChildProcess>();

function waitExit(child: ChildProcess, timeoutMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await waitExit(child);
  children.delete(child);
}

/**
 * Starts a process that prints the port it listens on; resolves once it does (20 s at most: far above
 * the usual tens of ms, for a loaded machine).
 */
function startListener(file: string, args: string[]): Promise<{ child: ChildProcess; pid: number; port: number }> {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}\nstdout: ${out}\nstderr: ${err}`));
    };
    const timer = setTimeout(() => fail('listener did not print its port within 20 s'), 20_000);
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^(\d+)\n/.exec(out);
      if (match && child.pid !== undefined) {
        clearTimeout(timer);
        resolve({ child, pid: child.pid, port: Number(match[1]) });
      }
    });
    child.once('error', (error) => fail(String(error)));
    child.once('exit', (code, signal) => fail(`listener exited early (${code ?? signal})`));
  });
}

// Exits by itself after 60 s, in case the test runner dies before cleaning up.
const NODE_LISTENER = `
const server = require('node:net').createServer((socket) => socket.destroy());
server.listen({ port: 0, host: process.argv[1] }, () => console.log(server.address().port));
setTimeout(() => process.exit(0), 60000).unref();
setInterval(() => {}, 1000);
`;

function startNodeListener(host: string) {
  return startListener(process.execPath, ['-e', NODE_LISTENER, host]);
}

afterEach(async () => {
  await Promise.all([...children].map(kill));
});

describe.skipIf(process.platform !== 'linux')('port holders (Linux, real processes)', () => {
  it('a node process listening on 127.0.0.1: in use, not bindable, found by pid; free once it is gone', async () => {
    const { child, pid, port } = await startNodeListener('127.0.0.1');
    expect(await isPortInUse(port)).toBe(true);
    expect(await canBind(port)).toBe(false);
    const found = await findHostListener(port);
    expect(found?.pid).toBe(pid);
    // /proc/<pid>/comm of a node process is "node" (the executable's name).
    expect(found?.name).toBe('node');
    expect(found?.command).toContain('-e');

    await kill(child);
    expect(await isPortInUse(port)).toBe(false);
    expect(await canBind(port)).toBe(true);
    expect(await findHostListener(port)).toBeUndefined();
  });

  it('a listener on [::] (the /proc/net/tcp6 table) is found too', async () => {
    const { pid, port } = await startNodeListener('::');
    expect(await isPortInUse(port)).toBe(true);
    expect(await canBind(port)).toBe(false);
    expect((await findHostListener(port))?.pid).toBe(pid);
  });

  it('a free port: not in use (refused, not timed out), bindable, nobody listens', async () => {
    const port = await freePort();
    // A connect that times out counts as in use (the stuck listener below): false means it was refused.
    expect(await isPortInUse(port)).toBe(false);
    expect(await canBind(port)).toBe(true);
    expect(await findHostListener(port)).toBeUndefined();
  });

  it('a stuck listener (full accept queue, connects time out) still counts as in use, within the timeout', async () => {
    // listen(0) and never accept; its own first connection fills the queue, so further SYNs are dropped.
    const script = [
      'import socket, sys, time',
      's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
      'c = socket.socket(); c.connect(s.getsockname())',
      'print(s.getsockname()[1]); sys.stdout.flush()',
      'time.sleep(60)',
    ].join('\n');
    const { pid, port } = await startListener('python3', ['-c', script]);
    const started = Date.now();
    expect(await isPortInUse(port, { timeoutMs: 300 })).toBe(true);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2_000);
    expect(await findHostListener(port)).toMatchObject({ pid, name: 'python3' });
  });
});

describe.skipIf(process.platform !== 'linux')('a real PostgreSQL holding a port', () => {
  let server: RunningPostgres | undefined;

  beforeAll(async () => {
    server = await startPostgres();
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
  }, 30_000);

  it('is named postgres, with the postmaster pid and its command line', async () => {
    const pgServer = server!;
    expect(await isPortInUse(pgServer.port)).toBe(true);
    expect(await canBind(pgServer.port)).toBe(false);
    const found = await findHostListener(pgServer.port);
    expect(found).toMatchObject({ pid: pgServer.pid, name: 'postgres' });
    expect(found?.command).toContain(`${pgServer.binDir}/postgres`);
  });
});

describe.skipIf(process.platform !== 'linux')('the process runner', () => {
  const env = { PATH: process.env.PATH };

  it('passes arguments without a shell and exactly the env it is given', async () => {
    const result = await runCommand(
      'sh',
      ['-c', 'printf "%s|%s|%s" "$1" "$DEC_RUNNER_TEST" "$HOME"', 'sh', '$(id); *'],
      {
        env: { ...env, DEC_RUNNER_TEST: 'given' },
        timeoutMs: 5_000,
      },
    );
    expect(result).toEqual({ exitCode: 0, stdout: '$(id); *|given|', stderr: '', notFound: false, timedOut: false });
  });

  it('says when a command is not installed, and gives the exit code and stderr of one that fails', async () => {
    expect(await runCommand('dec-no-such-command', [], { env, timeoutMs: 5_000 })).toMatchObject({
      notFound: true,
      exitCode: undefined,
    });
    expect(await runCommand('sh', ['-c', 'echo oops >&2; exit 3'], { env, timeoutMs: 5_000 })).toMatchObject({
      exitCode: 3,
      stderr: 'oops',
      notFound: false,
      timedOut: false,
    });
  });

  it('a command that outlives its timeout is killed and reported as timed out', async () => {
    const result = await runCommand('sleep', ['30'], { env, timeoutMs: 200 });
    expect(result).toMatchObject({ exitCode: undefined, timedOut: true });
  });

  it('returns even when a grandchild keeps the output pipes open (execa alone waits for it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dec-runner-'));
    const pidFile = join(dir, 'pid');
    try {
      // The shell exits at once; its background sleep holds stdout for 30 s (beyond this test's timeout).
      const result = await runCommand('sh', ['-c', `sleep 30 & echo $! > ${pidFile}; exit 0`], {
        env,
        timeoutMs: 300,
      });
      expect(result).toMatchObject({ timedOut: true, stdout: '' });
    } finally {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      if (pid > 0) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 5_000);

  it('ss runs through the runner: with /proc unreadable, the listener is still found', async () => {
    const { pid, port } = await startNodeListener('127.0.0.1');
    const noProc = {
      readFile: async () => undefined,
      readdir: async () => [],
      readlink: async () => undefined,
    };
    expect(await findHostListener(port, noProc)).toEqual({ pid, name: 'node' });
  });

  it("realHostPorts, the ProbeContext's ports, answers for a real listener", async () => {
    const { pid, port } = await startNodeListener('127.0.0.1');
    const ports = realHostPorts(env, 'linux');
    expect(await ports.inUse(port, 500)).toBe(true);
    expect(await ports.canBind(port)).toBe(false);
    expect((await ports.listener(port))?.pid).toBe(pid);
  });
});
