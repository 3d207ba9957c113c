// dec doctor against the real things: the Docker Engine .ci/run starts, real Postgres servers,
// processes holding ports, the terraform/gcloud/java on the machine and stand-ins on PATH.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSYBOX_TAG,
  closeSocketFixtures,
  docker,
  ensureBusyboxImage,
  freePort,
  hangingSocket,
  removeContainer,
  requireDocker,
  runAsNobody,
  runContainer,
  staleSocket,
  unreadableSocket,
} from '../helpers/docker.js';
import { startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { DEC_BIN, runDec, useSandbox, type RunResult } from '../helpers/run.js';
import { noOverrides } from '../../src/setup/spec.js';
import { saveOverrides } from '../../src/setup/state.js';

const box = useSandbox();
/** What dec puts before a command needing root, as this test runs it: nothing as root (CI), else sudo if installed. */
const asAdminPrefix =
  process.getuid?.() === 0 || spawnSync('sudo', ['--version'], { stdio: 'ignore' }).status !== 0 ? '' : 'sudo ';
const scratch = mkdtempSync(join(tmpdir(), 'dec-doctor-'));

afterAll(async () => {
  await closeSocketFixtures();
  rmSync(scratch, { recursive: true, force: true });
});

interface ProbeJson {
  id: string;
  status: string;
  required: boolean;
  version: string | null;
  wanted: string | null;
  detail: string;
  durationMs: number;
  fix: { text: string; command: string | null; canFix: boolean } | null;
}

interface DoctorJson {
  schemaVersion: number;
  probes: ProbeJson[];
  summary: Record<string, number>;
  exitCode: number;
  docker: { endpoint: string; source: string; reachable: boolean } | null;
}

const doctor = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> =>
  runDec(['doctor', ...args], { cwd: box.cwd, env: { ...box.sandbox.env, ...env }, timeoutMs: 30_000 });

async function doctorJson(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ run: RunResult; doc: DoctorJson }> {
  const run = await doctor([...args, '--json'], env);
  return { run, doc: JSON.parse(run.stdout) as DoctorJson };
}

function probe(doc: DoctorJson, id: string): ProbeJson {
  const found = doc.probes.find((p) => p.id === id);
  if (!found) throw new Error(`no probe ${id} in ${doc.probes.map((p) => p.id).join(', ')}`);
  return found;
}

/** A syllabus whose one week needs `tools` and whose stack `doctortest` publishes `ports`. */
function syllabusFile(
  name: string,
  options: { tools?: string; ports?: Array<{ port: number; service: string }> },
): string {
  const path = join(scratch, `${name}.yaml`);
  const lines = ['schemaVersion: 1', `id: doctor-${name}`, 'title: Doctor test'];
  if (options.ports) {
    lines.push(
      'stacks:',
      '  doctortest:',
      '    title: Test stack',
      '    network: { name: dec-test-net }',
      '    services:',
    );
    for (const { port, service } of options.ports) {
      lines.push(`      ${service}: { image: dec-test/none, ports: [{ host: ${port}, container: ${port} }] }`);
    }
  }
  lines.push('weeks:', '  - number: 1', '    id: week-1', '    title: One', '    topics: [{ title: Something }]');
  if (options.tools) lines.push('    tools:', ...options.tools.split('\n').map((line) => `      ${line}`));
  if (options.ports) lines.push('    setup:', '      summary: a stack', '      stack: doctortest');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A folder with executable stand-ins: name → shell script body. */
function fakeBin(name: string, scripts: Record<string, string>): string {
  const dir = join(scratch, `bin-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const [command, body] of Object.entries(scripts)) {
    const file = join(dir, command);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  }
  return dir;
}

describe('dec doctor: the command', () => {
  it('lists its checks', async () => {
    const run = await doctor(['--list']);
    expect(run.code).toBe(0);
    for (const id of ['docker-engine', 'postgres-port', 'java', 'gcp-credentials']) expect(run.stdout).toContain(id);
  });

  it('runs every check the default syllabus needs, as one JSON document', async () => {
    const { run, doc } = await doctorJson([]);
    expect([0, 1]).toContain(run.code);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.exitCode).toBe(run.code);
    expect(doc.probes.map((p) => p.id)).toEqual(
      expect.arrayContaining(['os', 'docker-engine', 'postgres-port', 'terraform', 'java']),
    );
    expect(Object.keys(doc.summary)).toEqual(
      expect.arrayContaining(['ok', 'warn', 'fail', 'skipped', 'crashed', 'durationMs']),
    );
  });

  it('refuses an unknown --only with a suggestion, and a bad --timeout', async () => {
    const only = await doctor(['--only', 'dokcer']);
    expect(only.code).toBe(2);
    expect(only.stderr).toContain('did you mean "docker"');
    expect((await doctor(['--timeout', 'soon'])).code).toBe(2);
  });

  it('--fix without a terminal and without --yes refuses and names --yes', async () => {
    const key = join(box.sandbox.root, 'open-key.json');
    writeFileSync(
      key,
      JSON.stringify({ type: 'service_account', project_id: 'p', client_email: 'a@p.iam', private_key: 'k' }),
      { mode: 0o644 },
    );
    chmodSync(key, 0o644);
    const run = await doctor(['--only', 'gcp-credentials', '--fix'], { GOOGLE_APPLICATION_CREDENTIALS: key });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--yes');
    expect(statSync(key).mode & 0o777).toBe(0o644);
  });
});

describe('dec doctor: Docker engine', () => {
  beforeAll(() => requireDocker());

  it('reaches the running engine and reports its version', async () => {
    const { run, doc } = await doctorJson(['--only', 'docker-engine']);
    expect(run.code).toBe(0);
    const engine = probe(doc, 'docker-engine');
    expect(engine.status).toBe('ok');
    expect(engine.detail).toMatch(/engine \d+\.\d+/);
    expect(doc.docker).toMatchObject({ endpoint: 'unix:///var/run/docker.sock', reachable: true });
  });

  it('a missing socket: says so, exit 1, and suggests unsetting DOCKER_HOST', async () => {
    const { run, doc } = await doctorJson(['--only', 'docker'], {
      DOCKER_HOST: `unix://${join(scratch, 'none.sock')}`,
    });
    expect(run.code).toBe(1);
    const engine = probe(doc, 'docker-engine');
    expect(engine).toMatchObject({ status: 'fail' });
    expect(engine.detail).toContain('socket-missing');
    expect(engine.fix?.command).toBe('unset DOCKER_HOST');
    expect(probe(doc, 'docker-memory').status).toBe('skipped');
  });

  it('an engine that is not running (a stale socket)', async () => {
    const socket = await staleSocket(scratch);
    const { doc } = await doctorJson(['--only', 'docker-engine'], { DOCKER_HOST: `unix://${socket}` });
    expect(probe(doc, 'docker-engine').detail).toContain('not-running');
  });

  it('a socket the user may not open: permission denied, with the docker-group fix', async () => {
    const socket = await unreadableSocket(join(scratch, 'eacces'));
    const run = await runAsNobody(process.execPath, [DEC_BIN, 'doctor', '--only', 'docker-engine', '--json'], {
      env: { DOCKER_HOST: `unix://${socket}` },
      timeoutMs: 20_000,
    });
    expect(run.code, run.stderr).toBe(1);
    const engine = probe(JSON.parse(run.stdout) as DoctorJson, 'docker-engine');
    expect(engine.detail).toContain('permission-denied');
    // nobody is not root: behind sudo where sudo is installed, else plain with "run it as root".
    expect(engine.fix?.command).toMatch(/^(sudo )?usermod -aG docker \$USER$/);
  });

  it('a socket that accepts and never answers: done within the timeout plus 1 s, and says so', async () => {
    const socket = await hangingSocket(scratch);
    try {
      const started = Date.now();
      const { run, doc } = await doctorJson(['--only', 'docker', '--timeout', '2s'], {
        DOCKER_HOST: `unix://${socket.path}`,
      });
      // The probe's own time (the process's start-up varies with the machine's load): timeout plus 1 s.
      expect(probe(doc, 'docker-engine').durationMs).toBeLessThan(3000);
      // And the whole run ends, nowhere near the engine's default timeouts (a hang would be minutes).
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(run.code).toBe(1);
      expect(probe(doc, 'docker-engine').detail).toMatch(/answers nothing/);
    } finally {
      await socket.close();
    }
  });
});

describe('dec doctor: who holds a port', () => {
  const servers: Server[] = [];
  let postgres: RunningPostgres | undefined;

  beforeAll(() => requireDocker());
  afterAll(async () => {
    for (const server of servers) server.close();
    await postgres?.stop();
    await removeContainer('doctor-web');
    await removeContainer('doctor-dec');
  });

  it('another Postgres that refuses the course credentials: named, with how to stop it', async () => {
    postgres = await startPostgres({ user: 'postgres', password: 'not-root' });
    const syllabus = syllabusFile('pg-other', { ports: [{ port: postgres.port, service: 'pgdatabase' }] });
    const { run, doc } = await doctorJson(['--syllabus', syllabus, '--only', 'postgres-port']);
    expect(run.code).toBe(1);
    const result = probe(doc, 'postgres-port');
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('refuses root/root');
    expect(result.detail).toMatch(/postgres \(pid \d+\)/);
    expect(result.fix?.command).toBe(`${asAdminPrefix}service postgresql stop`);
    await postgres.stop();
    postgres = undefined;
  });

  it('a Postgres that accepts the course credentials is a warning, not a failure', async () => {
    postgres = await startPostgres({ user: 'root', password: 'root', database: 'ny_taxi' });
    const syllabus = syllabusFile('pg-course', { ports: [{ port: postgres.port, service: 'pgdatabase' }] });
    const { run, doc } = await doctorJson(['--syllabus', syllabus, '--only', 'postgres-port']);
    expect(run.code).toBe(0);
    expect(probe(doc, 'postgres-port')).toMatchObject({ status: 'warn' });
    expect(probe(doc, 'postgres-port').detail).toContain('accepts the course credentials');
    await postgres.stop();
    postgres = undefined;
  });

  it('a free port is fine', async () => {
    const port = await freePort();
    const syllabus = syllabusFile('free', {
      ports: [
        { port, service: 'pgdatabase' },
        { port: await freePort(), service: 'pgadmin' },
      ],
    });
    const { run, doc } = await doctorJson(['--syllabus', syllabus, '--only', 'postgres-port,ports']);
    expect(run.code).toBe(0);
    expect(probe(doc, 'postgres-port').status).toBe('ok');
    expect(probe(doc, 'ports').status).toBe('ok');
  });

  it("checks the port dec setup remembered (its own --port advice followed), not the syllabus's", async () => {
    const syllabusPort = await freePort();
    const remembered = await freePort();
    const syllabus = syllabusFile('remembered', {
      ports: [
        { port: syllabusPort, service: 'pgdatabase' },
        { port: await freePort(), service: 'web' },
      ],
    });
    // As a `dec setup week1 --port pgdatabase=<remembered>` that ran leaves it.
    await saveOverrides(box.sandbox.env, 'doctor-remembered', 'doctortest', {
      ...noOverrides(),
      ports: { pgdatabase: remembered },
    });
    const { run, doc } = await doctorJson(['--syllabus', syllabus, '--only', 'postgres-port,ports']);
    expect(run.code, run.stderr).toBe(0);
    expect(probe(doc, 'postgres-port').detail).toContain(`port ${remembered} `);
    expect(JSON.stringify(doc.probes)).not.toContain(String(syllabusPort));
  });

  it('another process on a port: named with its pid, and the exact command', async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const syllabus = syllabusFile('process', { ports: [{ port, service: 'web' }] });
    const { run, doc } = await doctorJson(['--syllabus', syllabus, '--only', 'ports']);
    expect(run.code).toBe(1);
    const result = probe(doc, 'ports');
    expect(result.detail).toContain(`(pid ${process.pid})`);
    expect(result.fix?.command).toBe(`${asAdminPrefix}kill ${process.pid}`);
    expect(result.fix?.canFix).toBe(false);
  });

  it('another container on a port: named, with docker stop, never stopped by --fix', async () => {
    await ensureBusyboxImage();
    const port = await freePort();
    const name = await runContainer({
      name: 'doctor-web',
      image: BUSYBOX_TAG,
      cmd: ['httpd', '-f', '-p', '80'],
      publish: [{ host: port, container: 80 }],
    });
    const syllabus = syllabusFile('container', { ports: [{ port, service: 'web' }] });
    const { run, doc } = await doctorJson(['--syllabus', syllabus, '--only', 'ports', '--fix', '--yes']);
    expect(run.code).toBe(1);
    expect(probe(doc, 'ports').detail).toContain(`the container ${name}`);
    expect(probe(doc, 'ports').fix).toMatchObject({ command: `docker stop ${name}`, canFix: false });
  });

  it("dec's own container of another stack: a warning that --fix --yes resolves by stopping it", async () => {
    await ensureBusyboxImage();
    const port = await freePort();
    await runContainer({
      name: 'doctor-dec',
      image: BUSYBOX_TAG,
      // A shell that exits on SIGTERM, so `docker stop` does not wait out its 10 s grace period.
      cmd: ['sh', '-c', 'trap "exit 0" TERM; httpd -p 80; while true; do sleep 1; done'],
      publish: [{ host: port, container: 80 }],
      labels: { 'dec.project': box.sandbox.project, 'dec.stack': 'doctorother', 'dec.service': 'web' },
    });
    const syllabus = syllabusFile('dec-container', { ports: [{ port, service: 'web' }] });
    const before = await doctorJson(['--syllabus', syllabus, '--only', 'ports']);
    expect(probe(before.doc, 'ports')).toMatchObject({ status: 'warn', fix: { canFix: true } });
    const fixed = await doctor(['--syllabus', syllabus, '--only', 'ports', '--fix', '--yes']);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain("done: stop dec's container");
    const after = await doctorJson(['--syllabus', syllabus, '--only', 'ports']);
    expect(probe(after.doc, 'ports').status).toBe('ok');
  });
});

describe("dec doctor: dec's stopped containers", () => {
  beforeAll(() => requireDocker());
  afterAll(() => removeContainer('doctor-stopped'));

  it('--fix --yes starts them again', async () => {
    await ensureBusyboxImage();
    const name = await runContainer({
      name: 'doctor-stopped',
      image: BUSYBOX_TAG,
      cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
      labels: { 'dec.project': box.sandbox.project, 'dec.stack': 'doctortest', 'dec.service': 'pgdatabase' },
    });
    expect((await docker(['stop', '-t', '1', name])).trim()).toBe(name);
    const syllabus = syllabusFile('stopped', { ports: [{ port: await freePort(), service: 'pgdatabase' }] });
    const before = await doctorJson(['--syllabus', syllabus, '--only', 'dec-containers']);
    expect(probe(before.doc, 'dec-containers')).toMatchObject({ status: 'warn', fix: { canFix: true } });
    const fixed = await doctor(['--syllabus', syllabus, '--only', 'dec-containers', '--fix', '--yes']);
    expect(fixed.stdout).toContain(`done: start dec's stopped container ${name}`);
    const after = await doctorJson(['--syllabus', syllabus, '--only', 'dec-containers']);
    expect(probe(after.doc, 'dec-containers').status).toBe('ok');
  });
});

describe('dec doctor: terraform, gcloud and java', () => {
  const ranged = syllabusFile('versions', {
    tools: [
      '- { id: terraform, version: ">=1.0" }',
      '- { id: gcloud, version: ">=400" }',
      '- { id: java, version: "8.x || 11.x" }',
    ].join('\n'),
  });

  it('finds the real terraform and gcloud (gcloud without starting it)', async () => {
    const { doc } = await doctorJson(['--syllabus', ranged, '--only', 'terraform,gcloud']);
    expect(probe(doc, 'terraform')).toMatchObject({ status: 'ok', wanted: '>=1.0' });
    expect(probe(doc, 'terraform').version).toMatch(/^\d+\.\d+/);
    expect(probe(doc, 'gcloud').version).toMatch(/^\d+\.\d+/);
    expect(['ok', 'warn']).toContain(probe(doc, 'gcloud').status);
  });

  it('missing: a PATH without them', async () => {
    const { run, doc } = await doctorJson(['--syllabus', ranged, '--only', 'terraform,gcloud,java'], {
      PATH: fakeBin('empty', {}),
    });
    expect(run.code).toBe(1);
    for (const id of ['terraform', 'gcloud', 'java']) {
      expect(probe(doc, id).status).toBe('fail');
      expect(probe(doc, id).detail).toContain('not on PATH');
      expect(probe(doc, id).fix?.command).toBeTruthy();
    }
  });

  it('out of range: stand-ins printing old versions', async () => {
    const bin = fakeBin('old', {
      terraform: 'echo \'{"terraform_version":"0.12.31"}\'',
      gcloud: 'echo "Google Cloud SDK 300.0.0"',
    });
    const { doc } = await doctorJson(['--syllabus', ranged, '--only', 'terraform,gcloud'], {
      PATH: `${bin}:${process.env.PATH}`,
    });
    expect(probe(doc, 'terraform')).toMatchObject({ status: 'fail', version: '0.12.31', wanted: '>=1.0' });
    expect(probe(doc, 'gcloud')).toMatchObject({ status: 'fail', version: '300.0.0' });
  });

  const javaStyles: Array<[string, string, string]> = [
    ['java version "1.8.0_292"', 'ok', '8.0.292'],
    ['openjdk version "1.8.0_382"', 'ok', '8.0.382'],
    ['openjdk version "11.0.2" 2019-01-15', 'ok', '11.0.2'],
    ['openjdk version "17.0.15" 2025-04-15', 'fail', '17.0.15'],
    ['openjdk version "21" 2023-09-19', 'fail', '21.0.0'],
    ['Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF8\\nopenjdk version "11.0.21" 2023-10-17', 'ok', '11.0.21'],
  ];

  it.each(javaStyles)('java -version printing %s: %s', async (line, status, version) => {
    const bin = fakeBin(`java-${version}`, { java: `printf '${line}\\nOpenJDK Runtime Environment\\n' >&2` });
    const { doc } = await doctorJson(['--syllabus', ranged, '--only', 'java'], { PATH: `${bin}:${process.env.PATH}` });
    expect(probe(doc, 'java')).toMatchObject({ status, version });
  });

  it('JAVA_HOME that disagrees with java on PATH', async () => {
    const bin = fakeBin('java-path-11', { java: `printf 'openjdk version "11.0.2" 2019-01-15\\n' >&2` });
    const home = join(scratch, 'jdk17');
    fakeBin('unused', {});
    mkdirSync(join(home, 'bin'), { recursive: true });
    writeFileSync(join(home, 'bin', 'java'), `#!/bin/sh\nprintf 'openjdk version "17.0.15" 2025-04-15\\n' >&2\n`);
    chmodSync(join(home, 'bin', 'java'), 0o755);
    const { doc } = await doctorJson(['--syllabus', ranged, '--only', 'java'], {
      PATH: `${bin}:${process.env.PATH}`,
      JAVA_HOME: home,
    });
    expect(probe(doc, 'java').status).toBe('fail');
    expect(probe(doc, 'java').detail).toContain('JAVA_HOME');
  });
});

describe('dec doctor: GCP credentials files', () => {
  const key = (fields: Record<string, unknown>) => JSON.stringify(fields);
  const good = {
    type: 'service_account',
    project_id: 'zoomcamp-123',
    client_email: 'sa@zoomcamp-123.iam.gserviceaccount.com',
    private_key: '-----BEGIN PRIVATE KEY-----\nFAKE\n-----END PRIVATE KEY-----\n',
  };

  function keyFile(name: string, content: string, mode = 0o600): string {
    const path = join(box.sandbox.root, name);
    writeFileSync(path, content);
    chmodSync(path, mode);
    return path;
  }

  const cases: Array<[string, () => string, string, RegExp]> = [
    ['missing', () => join(box.sandbox.root, 'nope.json'), 'fail', /does not exist/],
    ['bad JSON', () => keyFile('bad.json', '{"type": "service_account",'), 'fail', /not valid JSON/],
    [
      'wrong type',
      () => keyFile('user.json', key({ type: 'authorized_user', client_id: 'x' })),
      'fail',
      /not a service-account key/,
    ],
    [
      'incomplete',
      () => keyFile('partial.json', key({ type: 'service_account', project_id: 'p' })),
      'fail',
      /lacks client_email, private_key/,
    ],
    ['too open', () => keyFile('open.json', key(good), 0o644), 'warn', /can be read by other users/],
    ['good', () => keyFile('good.json', key(good)), 'ok', /project zoomcamp-123/],
  ];

  // Week 1 (Terraform and GCP): the key alone. Week 2's stack also mounts a key folder: see below.
  it.each(cases)('%s', async (_name, make, status, detail) => {
    const { doc, run } = await doctorJson(['--only', 'gcp-credentials', '--week', '1'], {
      GOOGLE_APPLICATION_CREDENTIALS: make(),
    });
    const result = probe(doc, 'gcp-credentials');
    expect(result.status).toBe(status);
    expect(result.detail).toMatch(detail);
    expect(run.stdout).not.toContain('FAKE');
  });

  it('a good key outside the folder week 2 mounts: a warning with the cp that puts it there', async () => {
    const path = keyFile('elsewhere.json', key(good));
    const { doc } = await doctorJson(['--only', 'gcp-credentials', '--week', '2'], {
      GOOGLE_APPLICATION_CREDENTIALS: path,
    });
    const result = probe(doc, 'gcp-credentials');
    expect(result.status).toBe('warn');
    expect(result.detail).toMatch(/google_credentials\.json, which is missing/);
    expect(JSON.stringify(result.fix)).toContain(
      `cp ${path} ${box.sandbox.home}/.google/credentials/google_credentials.json`,
    );
  });

  it('--fix --yes makes a too-open key 0600', async () => {
    const path = keyFile('fixme.json', key(good), 0o644);
    const run = await doctor(['--only', 'gcp-credentials', '--fix', '--yes'], { GOOGLE_APPLICATION_CREDENTIALS: path });
    expect(run.code).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('--fix --yes creates the week-2 credentials folder', async () => {
    const run = await doctor(['--only', 'gcp-credentials', '--fix', '--yes']);
    expect(run.code).toBe(0);
    const folder = join(box.sandbox.home, '.google', 'credentials');
    expect(statSync(folder).isDirectory()).toBe(true);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(dirname(folder)).toBe(join(box.sandbox.home, '.google'));
  });

  it('--report redacts the home folder, e-mail addresses and the project', async () => {
    const path = keyFile('report.json', key(good));
    const run = await doctor(['--only', 'gcp-credentials,os', '--report', '--verbose'], {
      GOOGLE_APPLICATION_CREDENTIALS: path,
    });
    expect(run.stdout).toContain('### dec doctor report');
    expect(run.stdout).not.toContain(box.sandbox.root);
    expect(run.stdout).not.toContain('zoomcamp-123');
    expect(run.stdout).not.toContain('@');
    expect(run.stdout).not.toContain('FAKE');
  });
});
