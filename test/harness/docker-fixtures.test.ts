// The Docker and socket fixtures of test/helpers/docker.ts, proven against the real engine and kernel.
import { lstatSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpGetLocal,
  BUSYBOX_INDEX,
  BUSYBOX_TAG,
  closeSocketFixtures,
  docker,
  dockerAnswers,
  ensureBusyboxImage,
  freePort,
  hangingSocket,
  importBusyboxImage,
  pruneTestImages,
  removeContainer,
  removeTestContainers,
  requireDocker,
  runAsNobody,
  runContainer,
  staleSocket,
  unreadableSocket,
  waitUntil,
} from '../helpers/docker.js';

const scratch = mkdtempSync(join(tmpdir(), 'dec-fixtures-'));

afterAll(async () => {
  await closeSocketFixtures();
  await removeTestContainers();
  rmSync(scratch, { recursive: true, force: true });
});

/** 'connected' or the error code of connecting to a unix socket, within 5 s. */
function connectOutcome(path: string): Promise<string> {
  return new Promise((done) => {
    const socket = connect(path);
    socket.setTimeout(5_000, () => {
      socket.destroy();
      done('timeout');
    });
    socket.on('connect', () => {
      socket.destroy();
      done('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

describe('docker engine', () => {
  let image = '';

  beforeAll(async () => {
    await requireDocker();
    image = await ensureBusyboxImage();
  }, 90_000);

  it('answers at /var/run/docker.sock', async () => {
    await expect(requireDocker()).resolves.toBeUndefined();
    expect(await dockerAnswers()).toBe(true);
  });

  it('has the busybox test image, idempotently', async () => {
    expect(image).toBe(BUSYBOX_TAG);
    expect(await ensureBusyboxImage()).toBe(BUSYBOX_TAG);
    const id = (await docker(['image', 'inspect', '--format', '{{.Id}}', BUSYBOX_TAG])).trim();
    expect(id).toMatch(/^sha256:/);
    const listing = await docker([
      'run',
      '--rm',
      '--pull',
      'never',
      '--label',
      'dec.test=1',
      image,
      'sh',
      '-c',
      'echo /bin/*',
    ]);
    expect(listing.trim().split(' ')).toEqual(
      ['busybox', 'cat', 'echo', 'httpd', 'nc', 'sh', 'sleep'].map((applet) => `/bin/${applet}`),
    );
  });

  it('two imports of one tag at once both succeed', async () => {
    const tag = `dec-test/busybox-race:${process.pid}`;
    try {
      await expect(Promise.all([importBusyboxImage(tag), importBusyboxImage(tag)])).resolves.toEqual([tag, tag]);
      const echoed = await docker(['run', '--rm', '--pull', 'never', '--label', 'dec.test=1', tag, 'echo', 'hi']);
      expect(echoed.trim()).toBe('hi');
    } finally {
      await docker(['rmi', tag]).catch(() => undefined);
      await pruneTestImages();
    }
  }, 60_000);

  it('a container publishing 127.0.0.1:<free port> → 80 answers HTTP there', async () => {
    const port = await freePort();
    const name = await runContainer({
      name: `fixtures-httpd-${process.pid}`,
      image,
      cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
      publish: [{ host: port, container: 80 }],
      labels: { 'dec.test.suite': 'docker-fixtures' },
    });
    expect(name).toBe(`dec-test-fixtures-httpd-${process.pid}`);
    try {
      const inspected = JSON.parse(await docker(['inspect', name])) as Array<{
        Config: { Labels: Record<string, string> };
        HostConfig: { PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }>> };
      }>;
      const config = inspected[0]!;
      expect(config.Config.Labels).toMatchObject({
        'dec.test': '1',
        'dec.test.pid': String(process.pid),
        'dec.test.suite': 'docker-fixtures',
      });
      expect(config.HostConfig.PortBindings['80/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(port) }]);

      const reply = await waitUntil(() => httpGetLocal(port).catch(() => undefined), {
        timeoutMs: 15_000,
        what: `httpd on 127.0.0.1:${port}`,
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toBe(BUSYBOX_INDEX);
    } finally {
      await removeContainer(name);
    }
    expect((await docker(['ps', '-aq', '--filter', `name=^/${name}$`])).trim()).toBe('');
  });

  it('removeTestContainers removes this process’s labelled containers and leaves others alone', async () => {
    const mine = await runContainer({ name: `fixtures-sleep-${process.pid}`, image, cmd: ['sleep', '300'] });
    // A container whose owner is still alive (pid 1) belongs to someone else and must survive.
    const other = `dec-test-fixtures-other-${process.pid}`;
    await docker([
      'run',
      '-d',
      '--pull',
      'never',
      '--name',
      other,
      '--label',
      'dec.test=1',
      '--label',
      'dec.test.pid=1',
      image,
      'sleep',
      '300',
    ]);
    try {
      expect(await removeTestContainers()).toBeGreaterThanOrEqual(1);
      expect((await docker(['ps', '-aq', '--filter', `name=^/${mine}$`])).trim()).toBe('');
      expect((await docker(['ps', '-aq', '--filter', `name=^/${other}$`])).trim()).not.toBe('');
    } finally {
      await removeContainer(other);
    }
  });
});

describe('unix socket fixtures', () => {
  it('staleSocket: a socket file with no listener refuses connections', async () => {
    const path = await staleSocket(scratch);
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(await connectOutcome(path)).toBe('ECONNREFUSED');
  });

  it('hangingSocket: accepts and stays silent for a second', async () => {
    const server = await hangingSocket(scratch);
    try {
      const socket = connect(server.path);
      let received = '';
      let closed = false;
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('close', () => (closed = true));
      await new Promise<void>((done, fail) => {
        socket.once('connect', () => done());
        socket.once('error', fail);
      });
      socket.write('GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n');
      await new Promise((wake) => setTimeout(wake, 1_000));
      expect(received).toBe('');
      expect(closed).toBe(false);
      socket.destroy();
    } finally {
      await server.close();
    }
    expect(existsSync(server.path)).toBe(false);
  });

  it('unreadableSocket: root connects, nobody gets EACCES', async () => {
    const path = await unreadableSocket(scratch);
    const stat = lstatSync(path);
    expect(stat.isSocket()).toBe(true);
    expect(stat.uid).toBe(0);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(await connectOutcome(path)).toBe('connected');

    const probe = `
      const socket = require('node:net').connect(process.argv[1]);
      socket.on('connect', () => { console.log('connected'); socket.destroy(); });
      socket.on('error', (error) => console.log(error.code));
    `;
    const result = await runAsNobody(process.execPath, ['-e', probe, path]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('EACCES');
    expect(result.code).toBe(0);
  });

  it('runAsNobody: runs as nobody with its own writable HOME and DEC_HOME', async () => {
    const root = mkdtempSync(join(scratch, 'nobody-'));
    const script = `
      const fs = require('node:fs');
      fs.writeFileSync(process.env.HOME + '/written', 'x');
      fs.writeFileSync(process.env.DEC_HOME + '/written', 'x');
      console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), groups: process.getgroups(),
        home: process.env.HOME, decHome: process.env.DEC_HOME, cwd: process.cwd() }));
    `;
    const result = await runAsNobody(process.execPath, ['-e', script], { root });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({ uid: 65534, home: join(root, 'home'), decHome: join(root, 'dec-home') });
    expect(seen.cwd).toBe(join(root, 'home'));
    expect(seen.groups).not.toContain(0);
    expect(existsSync(join(root, 'home', 'written'))).toBe(true);
    expect(existsSync(join(root, 'dec-home', 'written'))).toBe(true);
  });
});
