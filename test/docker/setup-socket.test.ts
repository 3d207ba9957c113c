// `dockerSocket: true` against the real engine: the service gets the socket of the engine dec talks to,
// and when dec reaches the same engine through another socket path (DOCKER_HOST to a link to it), the
// next setup recreates the service with that path (it is in the config hash and the dec.socket label);
// the same path again changes nothing. Its own sandbox (dectest-* project), removed afterwards.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, DOCKER_SOCKET, ensureBusyboxImage, removeDecProject, requireDocker } from '../helpers/docker.js';
import { makeSandbox, runDec, type RunResult, type Sandbox } from '../helpers/run.js';

const SYLLABUS = `schemaVersion: 1
id: socket-test
title: Socket test course
stacks:
  socket:
    title: Socket stack
    network:
      name: socket-net
    services:
      runner:
        image: dec-test/busybox:1
        dockerSocket: true
        command: [sh, -c, "trap 'exit 0' TERM INT; while :; do sleep 1; done"]
weeks:
  - number: 1
    id: week-1
    title: First week
    topics:
      - title: Hello
    setup:
      summary: The socket stack.
      stack: socket
`;

let box: Sandbox;
let syllabus: string;
let linked: string;

beforeAll(async () => {
  await requireDocker();
  await ensureBusyboxImage();
  box = makeSandbox();
  mkdirSync(box.home, { recursive: true });
  syllabus = join(box.root, 'socket.yaml');
  writeFileSync(syllabus, SYLLABUS);
  // The same engine, through another path.
  linked = join(box.root, 'engine.sock');
  symlinkSync(DOCKER_SOCKET, linked);
}, 120_000);

afterAll(async () => {
  if (!box) return;
  await removeDecProject(box.project);
  box.cleanup();
}, 60_000);

const setup = (socket: string): Promise<RunResult> =>
  runDec(['--syllabus', syllabus, 'setup', '1'], {
    cwd: box.home,
    env: { ...box.env, DOCKER_HOST: `unix://${socket}`, NO_COLOR: '1' },
    timeoutMs: 90_000,
  });

const container = () => `${box.project}-socket-runner`;
const inspect = async (format: string) => (await docker(['inspect', '--format', format, container()])).trim();
const mountedSocket = () =>
  inspect('{{range .Mounts}}{{if eq .Destination "/var/run/docker.sock"}}{{.Source}}{{end}}{{end}}');

describe('dockerSocket (real engine)', { timeout: 180_000 }, () => {
  it('mounts the socket dec talks to, and another socket path recreates the service with it', async () => {
    const first = await setup(DOCKER_SOCKET);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`runner gets the Docker socket (${DOCKER_SOCKET} at /var/run/docker.sock)`);
    expect(await mountedSocket()).toBe(DOCKER_SOCKET);
    expect(await inspect('{{index .Config.Labels "dec.socket"}}')).toBe(DOCKER_SOCKET);
    const before = await inspect('{{.Id}}');

    const same = await setup(DOCKER_SOCKET);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain('nothing to change');

    const moved = await setup(linked);
    expect(moved.code, moved.stderr).toBe(0);
    expect(await inspect('{{.Id}}')).not.toBe(before);
    expect(await inspect('{{index .Config.Labels "dec.socket"}}')).toBe(linked);
    expect(await inspect('{{.State.Status}}')).toBe('running');

    const again = await setup(linked);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to change');
  });
});
