import { describe, expect, it } from 'vitest';
import {
  findHostListener,
  parseLsofOutput,
  parseNetstatOutput,
  parseProcNetTcp,
  parseSsOutput,
  parseTasklistCsv,
  type ListenerDeps,
  type ListenerExecResult,
} from '../../src/doctor/host-ports.js';

// /proc/net/tcp of a machine with: sshd on 0.0.0.0:22, a Postgres on 127.0.0.1:5432 (0x1538) with one
// client connected (ESTABLISHED rows both ways, the server side on local port 5432), Redis on
// 127.0.0.1:6379, and a TIME_WAIT row on 5432 with inode 0.
const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21345 1 ffff8f1c3a5e0000 100 0 0 10 0
   1: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 48812 1 ffff8f1c3a5e1a00 100 0 0 10 0
   2: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   108        0 31877 1 ffff8f1c3a5e2d00 100 0 0 10 0
   3: 0100007F:1538 0100007F:D3A2 01 00000000:00000000 00:00000000 00000000   104        0 50123 1 ffff8f1c3a5e5600 20 4 30 10 -1
   4: 0100007F:D3A2 0100007F:1538 01 00000000:00000000 00:00000000 00000000  1000        0 50122 1 ffff8f1c3a5e4300 20 4 30 10 -1
   5: 0100007F:1538 0100007F:C001 06 00000000:00000000 03:00000d2c 00000000     0        0 0 3 ffff8f1c3a5e6900
   6: 0A00020F:0016 0A000201:E2C4 01 00000000:00000000 02:000a7d3a 00000000     0        0 22001 4 ffff8f1c3a5e7c00 20 4 31 10 -1
`;

// /proc/net/tcp6: sshd on [::]:22, the same Postgres on [::1]:5432, and an ESTABLISHED client on
// [::1] port 5432 that must be ignored.
const PROC_NET_TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21347 1 ffff8f1c3b2a0000 100 0 0 10 0
   1: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 48813 1 ffff8f1c3b2a1400 100 0 0 10 0
   2: 00000000000000000000000001000000:1538 00000000000000000000000001000000:A1B2 01 00000000:00000000 00:00000000 00000000   104        0 50400 1 ffff8f1c3b2a2800 20 4 30 10 -1
`;

// Windows `netstat -ano`: IPv4 and IPv6 TCP rows, UDP rows, and a client connection to 5432.
const NETSTAT = `
Active Connections

  Proto  Local Address          Foreign Address        State           PID
  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1088
  TCP    0.0.0.0:445            0.0.0.0:0              LISTENING       4
  TCP    0.0.0.0:15432          0.0.0.0:0              LISTENING       9999
  TCP    127.0.0.1:54321        127.0.0.1:5432         ESTABLISHED     7040
  TCP    127.0.0.1:5432         127.0.0.1:54321        ESTABLISHED     6124
  TCP    0.0.0.0:5432           0.0.0.0:0              LISTENING       6124
  TCP    [::]:135               [::]:0                 LISTENING       1088
  TCP    [::]:5432              [::]:0                 LISTENING       6124
  TCP    [::]:8080              [::]:0                 LISTENING       3310
  UDP    0.0.0.0:5353           *:*                                    2280
  UDP    [::]:5432              *:*                                    4444
`.replace(/\n/g, '\r\n');

// German Windows: the state column is translated.
const NETSTAT_DE = `
Aktive Verbindungen

  Proto  Lokale Adresse         Remoteadresse          Status           PID
  TCP    127.0.0.1:5432         127.0.0.1:50000        HERGESTELLT      6124
  TCP    0.0.0.0:5432           0.0.0.0:0              ABHÖREN          6124
`;

describe('parseProcNetTcp', () => {
  it('finds the LISTEN socket on the port, ignoring established and time-wait rows', () => {
    expect(parseProcNetTcp(PROC_NET_TCP, 5432)).toEqual(['48812']);
    expect(parseProcNetTcp(PROC_NET_TCP, 22)).toEqual(['21345']);
    expect(parseProcNetTcp(PROC_NET_TCP, 6379)).toEqual(['31877']);
  });

  it('reads IPv6 tables', () => {
    expect(parseProcNetTcp(PROC_NET_TCP6, 5432)).toEqual(['48813']);
    expect(parseProcNetTcp(PROC_NET_TCP6, 22)).toEqual(['21347']);
  });

  it('returns nothing for a port nobody listens on, or garbage', () => {
    expect(parseProcNetTcp(PROC_NET_TCP, 8080)).toEqual([]);
    // 54178 (0xD3A2) is only a client port here.
    expect(parseProcNetTcp(PROC_NET_TCP, 0xd3a2)).toEqual([]);
    expect(parseProcNetTcp('', 5432)).toEqual([]);
    expect(parseProcNetTcp('not a table\n1: x', 5432)).toEqual([]);
  });
});

describe('parseSsOutput', () => {
  it('reads the process from the users field', () => {
    const text =
      'LISTEN 0      244        127.0.0.1:5432       0.0.0.0:*    users:(("postgres",pid=812,fd=6))\n' +
      'LISTEN 0      244            [::1]:5432          [::]:*    users:(("postgres",pid=812,fd=5))\n';
    expect(parseSsOutput(text)).toEqual({ pid: 812, name: 'postgres' });
  });

  it('takes the lowest pid when processes share the socket', () => {
    const text =
      'LISTEN 0 511 0.0.0.0:8080 0.0.0.0:* users:(("nginx",pid=1402,fd=6),("nginx",pid=1401,fd=6),("nginx",pid=1399,fd=6))\n';
    expect(parseSsOutput(text)).toEqual({ pid: 1399, name: 'nginx' });
  });

  it('keeps odd process names', () => {
    const text = 'LISTEN 0 4096 0.0.0.0:5432 0.0.0.0:* users:(("docker-proxy",pid=23015,fd=4))';
    expect(parseSsOutput(text)).toEqual({ pid: 23015, name: 'docker-proxy' });
  });

  it('a listener without users (not ours to see) is {}; no listener is undefined', () => {
    expect(parseSsOutput('LISTEN 0      244        127.0.0.1:5432       0.0.0.0:*\n')).toEqual({});
    expect(parseSsOutput('')).toBeUndefined();
    expect(parseSsOutput('State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n')).toBeUndefined();
  });
});

describe('parseLsofOutput', () => {
  it('reads p and c fields', () => {
    const text = 'p1234\ncpostgres\nf7\nn127.0.0.1:5432\nf8\nn[::1]:5432\n';
    expect(parseLsofOutput(text)).toEqual({ pid: 1234, name: 'postgres' });
  });

  it('keeps the first process when several listen', () => {
    const text = 'p501\ncnginx\nn*:8080\np502\ncnginx\nn*:8080\n';
    expect(parseLsofOutput(text)).toEqual({ pid: 501, name: 'nginx' });
  });

  it('handles a process without a command field, and nothing', () => {
    expect(parseLsofOutput('p77\nn*:5432\n')).toEqual({ pid: 77 });
    expect(parseLsofOutput('')).toBeUndefined();
  });
});

describe('parseNetstatOutput', () => {
  it('finds the listening pid on IPv4 and IPv6 rows, not a client or UDP row', () => {
    expect(parseNetstatOutput(NETSTAT, 5432)).toBe(6124);
    expect(parseNetstatOutput(NETSTAT, 8080)).toBe(3310);
    expect(parseNetstatOutput(NETSTAT, 135)).toBe(1088);
  });

  it('does not match a longer port ending in the same digits', () => {
    // The 15432 row (pid 9999) comes first and must not be taken for 5432.
    expect(parseNetstatOutput(NETSTAT, 5432)).toBe(6124);
    expect(parseNetstatOutput(NETSTAT, 15432)).toBe(9999);
    expect(parseNetstatOutput(NETSTAT, 432)).toBeUndefined();
  });

  it('ignores ports nobody listens on', () => {
    expect(parseNetstatOutput(NETSTAT, 54321)).toBeUndefined();
    expect(parseNetstatOutput(NETSTAT, 5353)).toBeUndefined();
  });

  it('works when the state column is translated', () => {
    expect(parseNetstatOutput(NETSTAT_DE, 5432)).toBe(6124);
  });
});

describe('parseTasklistCsv', () => {
  it('reads the image name', () => {
    expect(parseTasklistCsv('"postgres.exe","6124","Services","0","12,844 K"\r\n')).toBe('postgres.exe');
    expect(parseTasklistCsv('\r\n"com.docker.backend.exe","3310","Console","1","88,112 K"\r\n')).toBe(
      'com.docker.backend.exe',
    );
  });

  it('returns undefined when no task matches', () => {
    expect(parseTasklistCsv('INFO: No tasks are running which match the specified criteria.\r\n')).toBeUndefined();
    expect(parseTasklistCsv('')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------

interface FakeWorld {
  files?: Record<string, string>;
  dirs?: Record<string, string[]>;
  links?: Record<string, string>;
  commands?: Record<string, Partial<ListenerExecResult>>;
}

function fakeDeps(platform: NodeJS.Platform, world: FakeWorld) {
  const calls: string[] = [];
  const deps: Partial<ListenerDeps> = {
    platform,
    readFile: async (path) => world.files?.[path],
    readdir: async (path) => world.dirs?.[path] ?? [],
    readlink: async (path) => world.links?.[path],
    exec: async (file, args) => {
      const line = [file, ...args].join(' ');
      calls.push(line);
      const result = world.commands?.[line];
      if (!result) return { stdout: '', notFound: true, timedOut: false };
      return { stdout: '', notFound: false, timedOut: false, exitCode: 0, ...result };
    },
  };
  return { deps, calls };
}

/** A Linux /proc with init (1), the Postgres (812, socket inode 48812) and a shell (2001). */
function linuxWorld(): FakeWorld {
  return {
    files: {
      '/proc/net/tcp': PROC_NET_TCP,
      '/proc/net/tcp6': PROC_NET_TCP6,
      '/proc/812/comm': 'postgres\n',
      '/proc/812/cmdline':
        '/usr/lib/postgresql/15/bin/postgres\0-D\0/var/lib/postgresql/15/main\0-c\0config_file=/etc/postgresql/15/main/postgresql.conf\0',
      '/proc/2001/comm': 'bash\n',
    },
    dirs: {
      '/proc': ['1', '812', '2001', 'self', 'net', 'sys', 'cpuinfo'],
      '/proc/1/fd': ['0', '1', '2'],
      '/proc/812/fd': ['0', '1', '2', '3', '5', '6'],
      '/proc/2001/fd': ['0', '1', '2', '255'],
    },
    links: {
      '/proc/1/fd/0': '/dev/null',
      '/proc/1/fd/1': '/dev/null',
      '/proc/1/fd/2': '/dev/null',
      '/proc/812/fd/0': '/dev/null',
      '/proc/812/fd/1': 'pipe:[40001]',
      '/proc/812/fd/2': 'pipe:[40001]',
      '/proc/812/fd/3': 'anon_inode:[eventpoll]',
      '/proc/812/fd/5': 'socket:[48813]',
      '/proc/812/fd/6': 'socket:[48812]',
      '/proc/2001/fd/0': '/dev/pts/0',
      '/proc/2001/fd/255': '/dev/pts/0',
    },
  };
}

describe('findHostListener on Linux', () => {
  it('finds the process through /proc', async () => {
    const { deps, calls } = fakeDeps('linux', linuxWorld());
    expect(await findHostListener(5432, deps)).toEqual({
      pid: 812,
      name: 'postgres',
      command:
        '/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main -c config_file=/etc/postgresql/15/main/postgresql.conf',
    });
    expect(calls).toEqual([]);
  });

  it('truncates a long command line to 200 characters', async () => {
    const world = linuxWorld();
    world.files!['/proc/812/cmdline'] = `postgres\0${'x'.repeat(500)}\0`;
    const { deps } = fakeDeps('linux', world);
    const found = await findHostListener(5432, deps);
    expect(found?.command).toHaveLength(200);
    expect(found?.command?.startsWith('postgres x')).toBe(true);
  });

  it('finds an IPv6-only listener', async () => {
    const world = linuxWorld();
    world.files!['/proc/net/tcp'] = PROC_NET_TCP.split('\n')
      .filter((line) => !line.includes(' 48812 '))
      .join('\n');
    delete world.links!['/proc/812/fd/6'];
    const { deps } = fakeDeps('linux', world);
    expect((await findHostListener(5432, deps))?.pid).toBe(812);
  });

  it('returns undefined when nothing listens, without running ss', async () => {
    const { deps, calls } = fakeDeps('linux', linuxWorld());
    expect(await findHostListener(8080, deps)).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('falls back to ss when the process is not visible in /proc', async () => {
    const world = linuxWorld();
    world.dirs!['/proc/812/fd'] = []; // another user's process: EACCES
    world.commands = {
      'ss -ltnpH sport = :5432': {
        stdout: 'LISTEN 0 244 127.0.0.1:5432 0.0.0.0:* users:(("postgres",pid=812,fd=6))\n',
      },
    };
    const { deps, calls } = fakeDeps('linux', world);
    expect(await findHostListener(5432, deps)).toMatchObject({ pid: 812, name: 'postgres' });
    expect(calls).toEqual(['ss -ltnpH sport = :5432']);
  });

  it('returns {} when a listener exists but neither /proc nor ss names it', async () => {
    const world = linuxWorld();
    world.dirs!['/proc/812/fd'] = [];
    world.commands = { 'ss -ltnpH sport = :5432': { stdout: 'LISTEN 0 244 127.0.0.1:5432 0.0.0.0:*\n' } };
    const { deps } = fakeDeps('linux', world);
    expect(await findHostListener(5432, deps)).toEqual({});
  });

  it('returns {} when ss is missing or times out', async () => {
    const world = linuxWorld();
    world.dirs!['/proc/812/fd'] = [];
    const missing = fakeDeps('linux', world);
    expect(await findHostListener(5432, missing.deps)).toEqual({});
    world.commands = { 'ss -ltnpH sport = :5432': { timedOut: true, exitCode: undefined } };
    const hung = fakeDeps('linux', world);
    expect(await findHostListener(5432, hung.deps)).toEqual({});
  });

  it('uses ss alone when /proc/net is unreadable', async () => {
    const { deps } = fakeDeps('linux', {
      commands: {
        'ss -ltnpH sport = :8080': { stdout: 'LISTEN 0 511 0.0.0.0:8080 0.0.0.0:* users:(("java",pid=3100,fd=9))\n' },
      },
    });
    expect(await findHostListener(8080, deps)).toEqual({ pid: 3100, name: 'java' });
    const none = fakeDeps('linux', {});
    expect(await findHostListener(8080, none.deps)).toBeUndefined();
  });

  it('never throws when a dependency does', async () => {
    const deps: Partial<ListenerDeps> = {
      platform: 'linux',
      readFile: () => Promise.reject(new Error('boom')),
    };
    await expect(findHostListener(5432, deps)).resolves.toBeUndefined();
  });
});

describe('findHostListener on macOS', () => {
  it('reads lsof, then the command line from ps', async () => {
    const { deps, calls } = fakeDeps('darwin', {
      commands: {
        'lsof -nP -iTCP:5432 -sTCP:LISTEN -Fpcn': { stdout: 'p6231\ncpostgres\nn127.0.0.1:5432\nn[::1]:5432\n' },
        'ps -o command= -p 6231': {
          stdout: '/opt/homebrew/opt/postgresql@14/bin/postgres -D /opt/homebrew/var/postgresql@14\n',
        },
      },
    });
    expect(await findHostListener(5432, deps)).toEqual({
      pid: 6231,
      name: 'postgres',
      command: '/opt/homebrew/opt/postgresql@14/bin/postgres -D /opt/homebrew/var/postgresql@14',
    });
    expect(calls).toEqual(['lsof -nP -iTCP:5432 -sTCP:LISTEN -Fpcn', 'ps -o command= -p 6231']);
  });

  it('returns undefined when lsof finds nothing (exit 1) or is missing', async () => {
    const nothing = fakeDeps('darwin', {
      commands: { 'lsof -nP -iTCP:5432 -sTCP:LISTEN -Fpcn': { exitCode: 1, stdout: '' } },
    });
    expect(await findHostListener(5432, nothing.deps)).toBeUndefined();
    expect(await findHostListener(5432, fakeDeps('darwin', {}).deps)).toBeUndefined();
  });
});

describe('findHostListener on Windows', () => {
  it('reads netstat, then the image name from tasklist', async () => {
    const { deps, calls } = fakeDeps('win32', {
      commands: {
        'netstat -ano': { stdout: NETSTAT },
        'tasklist /FI PID eq 6124 /FO CSV /NH': { stdout: '"postgres.exe","6124","Services","0","12,844 K"\r\n' },
      },
    });
    expect(await findHostListener(5432, deps)).toEqual({ pid: 6124, name: 'postgres', command: 'postgres.exe' });
    expect(calls).toEqual(['netstat -ano', 'tasklist /FI PID eq 6124 /FO CSV /NH']);
  });

  it('keeps the pid when tasklist says nothing', async () => {
    const { deps } = fakeDeps('win32', {
      commands: {
        'netstat -ano': { stdout: NETSTAT },
        'tasklist /FI PID eq 3310 /FO CSV /NH': {
          stdout: 'INFO: No tasks are running which match the specified criteria.\r\n',
        },
      },
    });
    expect(await findHostListener(8080, deps)).toEqual({ pid: 3310 });
  });

  it('returns undefined for a free port or a failing netstat', async () => {
    const ok = fakeDeps('win32', { commands: { 'netstat -ano': { stdout: NETSTAT } } });
    expect(await findHostListener(9000, ok.deps)).toBeUndefined();
    expect(ok.calls).toEqual(['netstat -ano']);
    const broken = fakeDeps('win32', { commands: { 'netstat -ano': { exitCode: 1 } } });
    expect(await findHostListener(5432, broken.deps)).toBeUndefined();
  });
});
