// dec homework end to end: scaffolding in temp workspaces (re-runs, template updates, --force, --dry-run,
// path traversal, a read-only folder as nobody), and `check` against a real PostgreSQL.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsNobody } from '../helpers/docker.js';
import { startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { DEC_BIN, REPO_ROOT, runDec, useSandbox, type RunResult } from '../helpers/run.js';

const box = useSandbox();

const dec = (args: string[], at: string, timeoutMs?: number): Promise<RunResult> =>
  runDec(args, { cwd: at, env: box.sandbox.env, ...(timeoutMs ? { timeoutMs } : {}) });

function json<T = Record<string, unknown>>(result: RunResult): T {
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as T;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A fresh workspace made by `dec init` inside the sandbox; returns its root. */
async function workspace(start = '2026-01-12'): Promise<string> {
  const result = await dec(['init', 'ws', '--start', start], box.cwd);
  expect(result.code, result.stderr).toBe(0);
  return join(box.cwd, 'ws');
}

/** A workspace with week 1 scaffolded; returns the workspace and its homework folder. */
async function scaffolded(): Promise<{ ws: string; hw: string }> {
  const ws = await workspace();
  const result = await dec(['homework', 'init', '1'], ws);
  expect(result.code, result.stderr).toBe(0);
  return { ws, hw: join(ws, 'homework', 'week1') };
}

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true })
    .flatMap((entry) => {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(dir, path) : [path];
    })
    .sort();
}

interface Manifest {
  files: Record<string, string>;
}

interface FilesJson {
  dryRun: boolean;
  folder: string;
  files: Array<{ path: string; action: string }>;
  backups: string[];
}

const WEEK1_FILES = [
  'README.md',
  'answers.yaml',
  'queries.sql',
  'terraform/.gitignore',
  'terraform/main.tf',
  'terraform/variables.tf',
];

interface SyllabusQuestion {
  id: string;
  question: string;
}
const syllabus = parse(readFileSync(join(REPO_ROOT, 'syllabus', 'dez-2022.yaml'), 'utf8')) as {
  weeks: Array<{ id: string; homework?: { questions: SyllabusQuestion[] } }>;
};
const week1Questions = syllabus.weeks.find((w) => w.id === 'week-1')!.homework!.questions;

describe('dec homework init', () => {
  it('from nothing: creates the folder with every template file, the answers file and the manifest', async () => {
    const ws = await workspace();
    const result = await dec(['homework', 'init', '1'], ws);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('homework/week1');
    const hw = join(ws, 'homework', 'week1');
    expect(listFiles(hw)).toEqual([...WEEK1_FILES, '.dec-homework.json'].sort());
    // The dotfile is stored as _gitignore in the package and renamed on copy.
    expect(existsSync(join(hw, 'terraform', '_gitignore'))).toBe(false);
    expect(readFileSync(join(hw, 'terraform', '.gitignore'), 'utf8')).toContain('*.tfstate');

    const readme = readFileSync(join(hw, 'README.md'), 'utf8');
    expect(week1Questions.map((q) => q.id)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'practice']);
    for (const q of week1Questions) expect(readme).toContain(q.question);
    expect(readme).toContain('2026-01-21'); // the due date, relative to the workspace's start
    for (const file of WEEK1_FILES) expect(readFileSync(join(hw, file), 'utf8'), file).not.toContain('{{');
    expect(readFileSync(join(hw, 'terraform', 'variables.tf'), 'utf8')).toContain('"your-gcp-project-id"');

    const answers = parse(readFileSync(join(hw, 'answers.yaml'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(answers)).toEqual(week1Questions.map((q) => q.id));

    const manifest = JSON.parse(readFileSync(join(hw, '.dec-homework.json'), 'utf8')) as Manifest;
    expect(Object.keys(manifest.files).sort()).toEqual(WEEK1_FILES);
    for (const file of WEEK1_FILES) expect(manifest.files[file]).toBe(sha256(readFileSync(join(hw, file), 'utf8')));

    // --json from nothing again: every file is created.
    rmSync(join(ws, 'homework'), { recursive: true });
    const doc = json<FilesJson>(await dec(['homework', 'init', '1', '--json'], ws));
    expect(doc.dryRun).toBe(false);
    expect(doc.folder).toBe(hw);
    expect(doc.files.map((f) => f.path).sort()).toEqual(WEEK1_FILES);
    expect(doc.files.every((f) => f.action === 'create')).toBe(true);
  });

  it('the scaffolded Terraform is `terraform fmt` clean', async () => {
    const { hw } = await scaffolded();
    const result = await new Promise<{ code: number; output: string }>((done) => {
      execFile(
        'terraform',
        ['fmt', '-check', '-recursive', '-diff'],
        { cwd: join(hw, 'terraform'), timeout: 30_000, env: { PATH: process.env.PATH, HOME: box.sandbox.home } },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      );
    });
    expect(result.code, result.output).toBe(0);
  });

  it('a re-run adds what is missing and leaves edited files untouched byte for byte', async () => {
    const { ws, hw } = await scaffolded();
    const readme = Buffer.from('# My week 1\n\nAnswers below. Ünïcödé and no trailing newline', 'utf8');
    const answers = Buffer.from('q1:\n  answer: "Google Cloud SDK 367.0.0"\n  command: |\n    gcloud --version\n');
    writeFileSync(join(hw, 'README.md'), readme);
    writeFileSync(join(hw, 'answers.yaml'), answers);
    const queries = readFileSync(join(hw, 'queries.sql'));
    unlinkSync(join(hw, 'queries.sql'));

    const result = await dec(['homework', 'init', '1'], ws);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(hw, 'queries.sql')).equals(queries)).toBe(true);
    expect(readFileSync(join(hw, 'README.md')).equals(readme)).toBe(true);
    expect(readFileSync(join(hw, 'answers.yaml')).equals(answers)).toBe(true);
    expect(result.stdout).toMatch(/queries\.sql: created/);
    expect(result.stdout).toMatch(/README\.md: yours, kept/);
    expect(result.stdout).toMatch(/answers\.yaml: yours, kept/);
    expect(existsSync(join(hw, 'README.md.new'))).toBe(false);

    const doc = json<FilesJson>(await dec(['homework', 'init', '1', '--json'], ws));
    const actions = Object.fromEntries(doc.files.map((f) => [f.path, f.action]));
    expect(actions).toMatchObject({ 'README.md': 'kept', 'answers.yaml': 'kept', 'queries.sql': 'same' });
    expect(readFileSync(join(hw, 'README.md')).equals(readme)).toBe(true);
  });

  it('a template update changes only untouched files; an edited file gets a .new sidecar', async () => {
    const { ws, hw } = await scaffolded();
    const currentVariables = readFileSync(join(hw, 'terraform', 'variables.tf'), 'utf8');
    const currentReadme = readFileSync(join(hw, 'README.md'), 'utf8');
    // As if an older dec had written these: an untouched variables.tf, and a README the student edited.
    writeFileSync(join(hw, 'terraform', 'variables.tf'), 'old content');
    const studentReadme = Buffer.from('# Mine\n\nMy own answers, edited after the old template.\n');
    writeFileSync(join(hw, 'README.md'), studentReadme);
    const manifestPath = join(hw, '.dec-homework.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    manifest.files['terraform/variables.tf'] = sha256('old content');
    manifest.files['README.md'] = sha256('# Old template README\n');
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));

    const result = await dec(['homework', 'init', '1'], ws);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(hw, 'terraform', 'variables.tf'), 'utf8')).toBe(currentVariables);
    expect(readFileSync(join(hw, 'README.md')).equals(studentReadme)).toBe(true);
    expect(readFileSync(join(hw, 'README.md.new'), 'utf8')).toBe(currentReadme);
    expect(result.stdout).toMatch(/terraform\/variables\.tf: updated/);
    expect(result.stdout).toMatch(/README\.md: .*\.new/);

    const after = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    expect(after.files['terraform/variables.tf']).toBe(sha256(currentVariables));
  });

  it('--force backs up an edited file before overwriting it', async () => {
    const { ws, hw } = await scaffolded();
    const template = readFileSync(join(hw, 'README.md'));
    const mine = Buffer.from('# My README, which --force must not lose\n');
    writeFileSync(join(hw, 'README.md'), mine);

    const doc = json<FilesJson>(await dec(['homework', 'init', '1', '--force', '--json'], ws));
    expect(doc.files.find((f) => f.path === 'README.md')?.action).toBe('overwrite');
    expect(doc.backups).toHaveLength(1);
    expect(doc.backups[0]).toMatch(/README\.md\.bak-\d{4}-\d{2}-\d{2}T[\d-]+Z$/);
    expect(readFileSync(doc.backups[0]!).equals(mine)).toBe(true);
    const backups = readdirSync(hw).filter((name) => name.startsWith('README.md.bak-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(hw, 'README.md')).equals(template)).toBe(true);
  });

  it('--force again in the same second: a new backup next to the old ones, never over them', async () => {
    const { ws, hw } = await scaffolded();
    writeFileSync(join(hw, 'README.md'), 'first edit\n');
    const first = json<FilesJson>(await dec(['homework', 'init', '1', '--force', '--json'], ws)).backups[0]!;
    // Every name the next run could pick from the clock is taken, as by a run earlier in that second.
    const planted = new Map<string, string>([[first, 'first edit\n']]);
    const [, day, hours, minutes, seconds] = /bak-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z$/.exec(first)!;
    const firstTime = Date.parse(`${day}T${hours}:${minutes}:${seconds}Z`);
    for (let second = 0; second < 30; second++) {
      const at = new Date(firstTime + second * 1000)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z')
        .replace(/:/g, '-');
      const name = join(hw, `README.md.bak-${at}`);
      if (planted.has(name)) continue;
      writeFileSync(name, `planted ${second}\n`);
      planted.set(name, `planted ${second}\n`);
    }
    writeFileSync(join(hw, 'README.md'), 'second edit\n');
    const doc = json<FilesJson>(await dec(['homework', 'init', '1', '--force', '--json'], ws));
    expect(doc.backups).toHaveLength(1);
    expect(planted.has(doc.backups[0]!)).toBe(false);
    expect(doc.backups[0]).toMatch(/README\.md\.bak-[\dT-]+Z-2$/);
    expect(readFileSync(doc.backups[0]!, 'utf8')).toBe('second edit\n');
    for (const [name, content] of planted) expect(readFileSync(name, 'utf8'), name).toBe(content);
  });

  it('--dry-run writes nothing', async () => {
    const ws = await workspace();
    const doc = json<FilesJson>(await dec(['homework', 'init', '1', '--dry-run', '--json'], ws));
    expect(doc.dryRun).toBe(true);
    expect(doc.files.every((f) => f.action === 'create')).toBe(true);
    expect(existsSync(join(ws, 'homework'))).toBe(false);

    const text = await dec(['homework', 'init', '1', '--dry-run'], ws);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Nothing was written');
    expect(existsSync(join(ws, 'homework'))).toBe(false);

    // Over an edited folder too: nothing changes, no sidecar, no backup.
    await dec(['homework', 'init', '1'], ws);
    const hw = join(ws, 'homework', 'week1');
    writeFileSync(join(hw, 'README.md'), 'mine');
    unlinkSync(join(hw, 'queries.sql'));
    const before = listFiles(hw);
    const forced = json<FilesJson>(await dec(['homework', 'init', '1', '--dry-run', '--force', '--json'], ws));
    expect(forced.files.find((f) => f.path === 'README.md')?.action).toBe('overwrite');
    expect(listFiles(hw)).toEqual(before);
    expect(readFileSync(join(hw, 'README.md'), 'utf8')).toBe('mine');
  });
});

describe('dec homework: paths cannot leave the workspace', () => {
  /** Exit 2, a one-line reason, no stack trace. */
  function refused(result: RunResult, message: RegExp): void {
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }

  it('--dir ../outside and an absolute --dir elsewhere are refused', async () => {
    const ws = await workspace();
    refused(await dec(['homework', 'init', '1', '--dir', '../outside'], ws), /--dir "\.\.\/outside" is outside/);
    expect(existsSync(join(box.cwd, 'outside'))).toBe(false);

    const elsewhere = join(tmpdir(), `dec-elsewhere-${randomBytes(6).toString('hex')}`);
    try {
      refused(await dec(['homework', 'init', '1', '--dir', elsewhere], ws), /is outside/);
      expect(existsSync(elsewhere)).toBe(false);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }

    refused(await dec(['homework', 'init', '1', '--dir', 'homework/../../x'], ws), /is outside/);
    refused(await dec(['homework', 'check', '1', '--dir', '../outside'], ws), /is outside/);
    expect(existsSync(join(box.cwd, 'outside'))).toBe(false);
    expect(existsSync(join(box.cwd, 'x'))).toBe(false);
    // A week name that is a path is not a week.
    refused(await dec(['homework', 'init', '../week1'], ws), /no week "\.\.\/week1"/);
    expect(existsSync(join(ws, 'homework'))).toBe(false);
  });

  it('homework/week1 as a link to a folder outside the workspace is refused', async () => {
    const ws = await workspace();
    const outside = join(box.sandbox.root, 'outside');
    mkdirSync(outside);
    mkdirSync(join(ws, 'homework'));
    symlinkSync(outside, join(ws, 'homework', 'week1'));
    refused(await dec(['homework', 'init', '1'], ws), /homework\/week1 is a link to .*outside/);
    expect(readdirSync(outside)).toEqual([]);
    refused(await dec(['homework', 'init', '1', '--force'], ws), /is a link/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('a link inside the homework folder (terraform/ → outside) is refused too', async () => {
    const ws = await workspace();
    const outside = join(box.sandbox.root, 'outside');
    mkdirSync(outside);
    const hw = join(ws, 'homework', 'week1');
    mkdirSync(hw, { recursive: true });
    symlinkSync(outside, join(hw, 'terraform'));
    refused(await dec(['homework', 'init', '1'], ws), /terraform is a link to .*outside/);
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(hw)).toEqual(['terraform']);
  });
});

describe('dec homework init in a read-only folder (as nobody)', () => {
  function nobodyIds(): { uid: number; gid: number } {
    const fields = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.startsWith('nobody:'))!
      .split(':');
    return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }

  function chownTree(path: string, uid: number, gid: number): void {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    chownSync(path, uid, gid);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
  }

  /** A workspace nobody may use, except `readOnly` (relative), which stays root's with mode 0555. */
  async function nobodyWorkspace(readOnly: string): Promise<string> {
    const ws = await workspace();
    const { uid, gid } = nobodyIds();
    mkdirSync(join(ws, readOnly), { recursive: true });
    chownTree(ws, uid, gid);
    chownSync(join(ws, readOnly), 0, 0);
    chmodSync(join(ws, readOnly), 0o555);
    for (const dir of [box.sandbox.root, box.cwd]) chmodSync(dir, 0o755);
    return ws;
  }

  for (const readOnly of ['homework', 'homework/week1']) {
    it(`${readOnly} owned by root, mode 0555: exit 2 with the path, no stack trace`, async () => {
      expect(process.getuid?.(), 'these tests run as root (as CI does)').toBe(0);
      const ws = await nobodyWorkspace(readOnly);
      const run = await runAsNobody(process.execPath, [DEC_BIN, 'homework', 'init', '1'], { cwd: ws });
      expect(run.code, run.stdout + run.stderr).toBe(2);
      expect(run.stderr).toContain(join(ws, 'homework'));
      expect(run.stderr).toMatch(/permission denied|EACCES/i);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr).not.toContain('unexpected error');
      expect(listFiles(join(ws, 'homework'))).toEqual([]);
    });
  }
});

describe('dec homework check', () => {
  let server: RunningPostgres | undefined;
  let db: string;

  beforeAll(async () => {
    server = await startPostgres({ user: 'root', password: 'root', database: 'ny_taxi' });
    db = `postgresql://root:root@127.0.0.1:${server.port}/ny_taxi`;
    await withClient(async (client) => {
      await client.query('CREATE TABLE yellow_taxi_trips (tpep_pickup_datetime timestamp, tip_amount numeric)');
      await client.query("INSERT INTO yellow_taxi_trips VALUES ('2021-01-15 08:00', 1.5), ('2021-01-14 09:30', 12.25)");
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  async function withClient<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  }

  const tripCount = (): Promise<number> =>
    withClient(async (client) => Number((await client.query('SELECT count(*) AS n FROM yellow_taxi_trips')).rows[0].n));

  interface CheckJson {
    passed: boolean;
    database: string | null;
    questions: Array<{ id: string; kind: string; status: string; detail: string }>;
  }

  const BROKEN_ANSWERS = `# Answers written by the test
q1:
  answer: "Google Cloud SDK 367.0.0"
  command: |
    gcloud --version
q2:
  answer: "Apply complete! Resources: 2 added, 0 changed, 0 destroyed."
  command: |
    terraform apply -var="project=my-project"
q3:
  answer: "1"
  sql: |
    SELECT count(*)
    FROM yellow_taxi_trips
    WHERE CAST(tpep_pickup_datetime AS DATE) = '2021-01-15';
q4:
  answer: 2021-01-14
  sql: |
    SELECT CAST(tpep_pickup_datetime AS DATE) AS day
    FROM yellow_taxi_trips ORDER BY no_such_column DESC
    LIMIT 1;
q5:
  answer: Upper East Side North
  sql: |
    select pg_sleep(5)
q6:
  answer: "Unknown / Unknown"
  sql: |
    insert into yellow_taxi_trips (tpep_pickup_datetime, tip_amount)
    values ('2021-01-20 10:00', 99)
practice:
  answer: "265"
  sql: |
    -- the query you used
    SELECT count(*)
    FROM no_such_table
`;

  const VALID_ANSWERS = `q1:
  answer: "Google Cloud SDK 367.0.0"
  command: |
    # the command you ran
    gcloud --version
q2:
  answer: "Apply complete! Resources: 2 added, 0 changed, 0 destroyed."
  command: terraform apply -var="project=my-project"
q3:
  answer: "1"
  sql: |
    SELECT count(*)
    FROM yellow_taxi_trips
    WHERE CAST(tpep_pickup_datetime AS DATE) = '2021-01-15';
q4:
  answer: 2021-01-14
  sql: |
    -- the query you used
    SELECT CAST(tpep_pickup_datetime AS DATE) AS day
    FROM yellow_taxi_trips ORDER BY tip_amount DESC
    LIMIT 1;
q5:
  answer: Upper East Side North
  sql: select 'Upper East Side North' AS zone from pg_sleep(0.1)
q6:
  answer: "Unknown / Unknown"
  sql: |
    SELECT 'Unknown' AS pickup, 'Unknown' AS dropoff FROM yellow_taxi_trips LIMIT 1
practice:
  answer: 265
  sql: SELECT 265
`;

  it('runs each SQL answer read-only with a timeout, reports errors with their line, refuses writes', async () => {
    const { ws, hw } = await scaffolded();
    writeFileSync(join(hw, 'answers.yaml'), BROKEN_ANSWERS);
    const started = Date.now();
    const run = await dec(['homework', 'check', '1', '--db', db, '--timeout', '1', '--json'], ws);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.code, run.stderr).toBe(1);
    const doc = json<CheckJson>(run);
    expect(doc.passed).toBe(false);
    expect(doc.database).not.toContain('root:root'); // no password in the output
    const byId = Object.fromEntries(doc.questions.map((q) => [q.id, q]));
    expect(Object.keys(byId)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'practice']);
    expect(byId.q1).toMatchObject({ kind: 'command', status: 'pass' });
    expect(byId.q2).toMatchObject({ kind: 'command', status: 'pass' });
    expect(byId.q3).toMatchObject({ kind: 'sql', status: 'pass' });
    expect(byId.q3!.detail).toContain('runs');
    expect(byId.q4).toMatchObject({ status: 'fail' });
    expect(byId.q4!.detail).toContain('no_such_column');
    expect(byId.q4!.detail).toContain('line 2');
    expect(byId.q5).toMatchObject({ status: 'fail' });
    expect(byId.q5!.detail).toContain('took longer than 1 s');
    expect(byId.q6).toMatchObject({ status: 'fail' });
    expect(byId.q6!.detail).toContain('writes to the database');
    // Lines count from the top of the student's sql: block, comments included.
    expect(byId.practice).toMatchObject({ status: 'fail' });
    expect(byId.practice!.detail).toContain('no_such_table');
    expect(byId.practice!.detail).toContain('line 3');
    expect(await tripCount()).toBe(2);

    // The same in words, for a person.
    const text = await dec(['homework', 'check', '1', '--db', db, '--timeout', '1'], ws);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/q4 .*line 2/);
    expect(text.stdout).toMatch(/q6 .*writes to the database/);
    expect(text.stdout).toContain('to fix');
    expect(text.stdout).not.toContain('root:root');
    expect(await tripCount()).toBe(2);

    const status = json<{ homework: Array<{ week: number; checked: boolean; answered: number }> }>(
      await dec(['homework', 'status', '--json'], ws),
    );
    expect(status.homework.find((h) => h.week === 1)).toMatchObject({ checked: false, answered: 6 }); // graded only
  }, 60_000);

  it('a write hidden after COMMIT is still refused and changes nothing', async () => {
    const { ws, hw } = await scaffolded();
    const answers = VALID_ANSWERS.replace(
      "SELECT 'Unknown' AS pickup, 'Unknown' AS dropoff FROM yellow_taxi_trips LIMIT 1",
      "COMMIT; INSERT INTO yellow_taxi_trips VALUES ('2021-01-21 10:00', 5)",
    );
    writeFileSync(join(hw, 'answers.yaml'), answers);
    const run = await dec(['homework', 'check', '1', '--db', db, '--json'], ws);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const q6 = json<CheckJson>(run).questions.find((q) => q.id === 'q6')!;
    expect(q6.status).toBe('fail');
    expect(q6.detail).toContain('more than one statement');
    expect(await tripCount()).toBe(2);
  }, 60_000);

  it('a fully valid answers file passes, and the homework counts as checked in status and weeks list', async () => {
    const { ws, hw } = await scaffolded();
    writeFileSync(join(hw, 'answers.yaml'), VALID_ANSWERS);
    const run = await dec(['homework', 'check', '1', '--db', db, '--json'], ws);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const doc = json<CheckJson>(run);
    expect(doc.passed).toBe(true);
    expect(doc.questions.every((q) => q.status === 'pass')).toBe(true);
    expect(await tripCount()).toBe(2);

    const status = json<{ homework: Array<{ week: number; checked: boolean; checkedAt: string | null }> }>(
      await dec(['homework', 'status', '--json'], ws),
    );
    const week1 = status.homework.find((h) => h.week === 1)!;
    expect(week1.checked).toBe(true);
    expect(week1.checkedAt).toEqual(expect.any(String));
    expect(status.homework.find((h) => h.week === 2)?.checked).toBe(false);

    const weeks = json<{ weeks: Array<{ id: string; homework: { checked: boolean; scaffolded: boolean } | null }> }>(
      await dec(['weeks', 'list', '--json'], ws),
    );
    expect(weeks.weeks.find((w) => w.id === 'week-1')?.homework).toMatchObject({ scaffolded: true, checked: true });

    const text = await dec(['homework', 'status'], ws);
    expect(text.stdout).toMatch(/1\s+Introduction & Prerequisites\s+checked/);
  }, 60_000);

  it('a query that returns one value or row is compared with the written answer: numbers as numbers, dates and names as text', async () => {
    const { ws, hw } = await scaffolded();
    const answers = parse(VALID_ANSWERS) as Record<string, { answer: unknown; sql?: string }>;
    // A slip between the query's result and the answer written down.
    answers.q3 = { answer: '53,042', sql: 'SELECT 53024 AS trips' };
    // The same date, written another way; a timestamp at midnight is its date.
    answers.q4 = { answer: 'January 14, 2021', sql: "SELECT timestamp '2021-01-14 00:00' AS day" };
    // Names: case and spaces do not matter; a pair is read across the row's columns.
    answers.q5 = { answer: 'upper  east side NORTH', sql: "SELECT 'Upper East Side North' AS zone, 42 AS trips" };
    answers.q6 = { answer: 'JFK Airport / Unknown', sql: "SELECT 'JFK Airport', 'NV', 99.5" };
    // Numbers to the precision written: 2.50 is what 2.4987 rounds to.
    answers.practice = { answer: '265', sql: 'SELECT zone FROM (VALUES (1), (2)) AS t(zone)' };
    writeFileSync(join(hw, 'answers.yaml'), stringify(answers));
    const run = await dec(['homework', 'check', '1', '--db', db, '--json'], ws);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const byId = Object.fromEntries(json<CheckJson>(run).questions.map((q) => [q.id, q]));
    expect(byId.q3).toMatchObject({ status: 'fail', detail: 'your query returns 53,024; your answer says 53,042' });
    expect(byId.q4).toMatchObject({ status: 'pass', detail: 'answered; the query runs and returns the same' });
    expect(byId.q5).toMatchObject({ status: 'pass', detail: 'answered; the query runs and returns the same' });
    expect(byId.q6).toMatchObject({
      status: 'fail',
      detail: 'your query returns JFK Airport, NV, 99.5; your answer says JFK Airport / Unknown',
    });
    // Two rows: nothing to compare, the query runs.
    expect(byId.practice).toMatchObject({ status: 'pass', detail: 'answered; the query runs' });

    answers.q3 = { answer: '2.50', sql: 'SELECT 2.4987::numeric AS average' };
    answers.q6 = { answer: 'JFK Airport / NV', sql: "SELECT 'JFK Airport', 'NV', 99.5" };
    writeFileSync(join(hw, 'answers.yaml'), stringify(answers));
    const fixed = await dec(['homework', 'check', '1', '--db', db], ws);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(/q3 .*returns the same/);
  }, 60_000);

  /** VALID_ANSWERS with some questions' sql replaced. */
  function answersWith(sql: Record<string, string>): string {
    const answers = parse(VALID_ANSWERS) as Record<string, { answer: unknown; sql?: string }>;
    for (const [id, query] of Object.entries(sql)) answers[id] = { ...answers[id]!, sql: query };
    return stringify(answers);
  }

  it('answers cannot run programs, write or read server files, or stop other sessions (superuser login)', async () => {
    const { ws, hw } = await scaffolded();
    const program = join(server!.dir, 'pwned-by-program');
    const copied = join(server!.dir, 'pwned-by-copy.csv');
    const victim = new pg.Client({ connectionString: db, application_name: 'dec-test-victim' });
    victim.on('error', () => undefined);
    await victim.connect();
    try {
      writeFileSync(
        join(hw, 'answers.yaml'),
        answersWith({
          q3: `COPY (SELECT 1) TO PROGRAM 'touch ${program}'`,
          q4: `COPY yellow_taxi_trips TO '${copied}'`,
          q5: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dec-test-victim'",
          q6: "SELECT lo_get(lo_import('/etc/hostname'))",
          practice: "SELECT pg_read_file('/etc/hostname')",
        }),
      );
      const run = await dec(['homework', 'check', '1', '--db', db, '--json'], ws);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const byId = Object.fromEntries(json<CheckJson>(run).questions.map((q) => [q.id, q]));
      for (const id of ['q3', 'q4', 'q5', 'q6', 'practice']) expect(byId[id], id).toMatchObject({ status: 'fail' });
      expect(byId.q5!.detail).toMatch(/permission denied|must be a superuser/);
      expect(byId.practice!.detail).toContain('permission denied');
      expect(existsSync(program)).toBe(false);
      expect(existsSync(copied)).toBe(false);
      expect((await victim.query('SELECT 1 AS alive')).rows[0].alive).toBe(1);
      expect(await tripCount()).toBe(2);
      expect(
        await withClient(
          async (c) => (await c.query('SELECT count(*)::int AS n FROM pg_largeobject_metadata')).rows[0].n,
        ),
      ).toBe(0);

      // The role the answers run as cannot be left from inside the query either.
      writeFileSync(
        join(hw, 'answers.yaml'),
        answersWith({
          q3: "SELECT query_to_xml('SELECT pg_read_file(''/etc/hostname'') AS f', true, false, '') FROM (SELECT set_config('role', session_user, true)) AS s",
          q4: "SELECT query_to_xml('SELECT pg_read_file(''/etc/hostname'') AS f', true, false, '') FROM (SELECT set_config('session_authorization', session_user, true)) AS s",
        }),
      );
      const escape = await dec(['homework', 'check', '1', '--db', db, '--json'], ws);
      expect(escape.code, escape.stdout + escape.stderr).toBe(1);
      const escaped = Object.fromEntries(json<CheckJson>(escape).questions.map((q) => [q.id, q]));
      expect(escaped.q3).toMatchObject({ status: 'fail' });
      expect(escaped.q4).toMatchObject({ status: 'fail' });
      expect(escaped.q5).toMatchObject({ status: 'pass' });
    } finally {
      await victim.end().catch(() => undefined);
    }
  }, 60_000);

  it('a new table whose catalog row a running transaction holds (a data load) does not block the check', async () => {
    const { ws, hw } = await scaffolded();
    writeFileSync(join(hw, 'answers.yaml'), VALID_ANSWERS);
    await withClient((c) => c.query('CREATE TABLE dec_test_loading (x int)'));
    const load = new pg.Client({ connectionString: db });
    await load.connect();
    try {
      await load.query('BEGIN');
      await load.query('ALTER TABLE dec_test_loading RENAME TO dec_test_loaded');
      const run = await dec(['homework', 'check', '1', '--db', db, '--timeout', '3', '--json'], ws);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(json<CheckJson>(run).passed).toBe(true);
    } finally {
      await load.query('ROLLBACK').catch(() => undefined);
      await load.end();
      await withClient((c) => c.query('DROP TABLE dec_test_loading'));
    }
  }, 60_000);

  it('a dec_homework_reader someone gave more rights is refused, not used', async () => {
    const { ws, hw } = await scaffolded();
    writeFileSync(join(hw, 'answers.yaml'), VALID_ANSWERS);
    expect((await dec(['homework', 'check', '1', '--db', db], ws)).code).toBe(0);
    for (const [give, takeBack] of [
      ['ALTER ROLE dec_homework_reader SUPERUSER', 'ALTER ROLE dec_homework_reader NOSUPERUSER'],
      ['GRANT pg_read_server_files TO dec_homework_reader', 'REVOKE pg_read_server_files FROM dec_homework_reader'],
    ]) {
      await withClient((c) => c.query(give!));
      try {
        const run = await dec(['homework', 'check', '1', '--db', db], ws);
        expect(run.code, run.stdout + run.stderr).toBe(2);
        expect(run.stderr).toContain('The role dec_homework_reader, which dec runs homework answers as, may do more');
        expect(run.stderr).toContain('DROP ROLE dec_homework_reader');
      } finally {
        await withClient((c) => c.query(takeBack!));
      }
    }
  }, 60_000);

  it('a login that may not create roles: answers run as that login, read-only, and dec says so', async () => {
    await withClient(async (c) => {
      await c.query(`DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dec_homework_reader') THEN
          DROP OWNED BY dec_homework_reader; DROP ROLE dec_homework_reader;
        END IF; END $$`);
      await c.query("CREATE ROLE dec_test_student LOGIN PASSWORD 'student'");
      await c.query('GRANT SELECT ON yellow_taxi_trips TO dec_test_student');
    });
    try {
      const { ws, hw } = await scaffolded();
      writeFileSync(join(hw, 'answers.yaml'), answersWith({ q6: "SELECT pg_read_file('/etc/hostname')" }));
      const student = `postgresql://dec_test_student:student@127.0.0.1:${server!.port}/ny_taxi`;
      const run = await dec(['homework', 'check', '1', '--db', student, '--json'], ws);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stderr).toContain('Answers run as dec_test_student in a read-only transaction');
      expect(run.stderr).toContain('may not create roles');
      expect(run.stderr).not.toContain('student:student');
      const byId = Object.fromEntries((JSON.parse(run.stdout) as CheckJson).questions.map((q) => [q.id, q]));
      expect(byId.q3).toMatchObject({ status: 'pass' });
      expect(byId.q6).toMatchObject({ status: 'fail' });
      expect(byId.q6!.detail).toContain('permission denied');
      expect(
        await withClient(
          async (c) => (await c.query("SELECT 1 FROM pg_roles WHERE rolname = 'dec_homework_reader'")).rowCount,
        ),
      ).toBe(0);
    } finally {
      await withClient((c) => c.query('DROP OWNED BY dec_test_student; DROP ROLE dec_test_student'));
    }
  }, 60_000);

  /** The pid of the backend running a slow answer, once it has been at it for a moment. */
  async function busyBackend(): Promise<number> {
    for (let i = 0; i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const pid = await withClient(
        async (c) =>
          (
            await c.query(
              `SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active'
               AND backend_type = 'client backend' AND now() - query_start > interval '100 ms'`,
            )
          ).rows[0]?.pid as number | undefined,
      );
      if (pid !== undefined) return pid;
    }
    throw new Error('the answer never started running');
  }

  it('the connection lost mid-answer: exit 2 saying so, not a failed answer', async () => {
    const { ws, hw } = await scaffolded();
    writeFileSync(join(hw, 'answers.yaml'), answersWith({ q3: 'SELECT pg_sleep(30)' }));
    const running = dec(['homework', 'check', '1', '--db', db, '--json'], ws, 30_000);
    const pid = await busyBackend();
    await withClient((c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
    const run = await running;
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toContain('Lost the connection to postgresql://root:***@127.0.0.1');
    expect(run.stdout).toBe('');
    const status = json<{ homework: Array<{ week: number; checked: boolean }> }>(
      await dec(['homework', 'status', '--json'], ws),
    );
    expect(status.homework.find((h) => h.week === 1)?.checked).toBe(false);
  }, 60_000);

  it('a paused server does not hang the check past --timeout: exit 2 with a clear message', async () => {
    const { ws, hw } = await scaffolded();
    writeFileSync(join(hw, 'answers.yaml'), answersWith({ q3: 'SELECT pg_sleep(30)' }));
    const signal = (pid: number, name: NodeJS.Signals) => {
      try {
        process.kill(pid, name);
      } catch {
        // already gone
      }
    };
    // Pause the backend running the answer once it is busy with it: the server's own statement timeout
    // cannot fire in a stopped process.
    const running = dec(['homework', 'check', '1', '--db', db, '--timeout', '1'], ws, 30_000);
    let paused: number | undefined;
    try {
      paused = await busyBackend();
      signal(paused, 'SIGSTOP');
      const stoppedAt = Date.now();
      const run = await running;
      expect(run.code, run.stdout + run.stderr).toBe(2);
      // --timeout 1 plus dec's grace of 1 s, and room for a busy machine; without a deadline: 30 s.
      expect(Date.now() - stoppedAt).toBeLessThan(6_000);
      expect(run.stderr).toMatch(/did not answer within 1 s/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      if (paused !== undefined) {
        signal(paused, 'SIGCONT');
        signal(paused, 'SIGTERM');
      }
      await running.catch(() => undefined);
    }

    // The whole server paused before the check starts: the connection gives up in time too.
    const postmaster = server!.pid;
    signal(postmaster, 'SIGSTOP');
    try {
      const before = Date.now();
      const run = await dec(['homework', 'check', '1', '--db', db, '--timeout', '1'], ws, 30_000);
      expect(run.code, run.stdout + run.stderr).toBe(2);
      expect(Date.now() - before).toBeLessThan(10_000);
      expect(run.stderr).toContain('Cannot connect');
    } finally {
      signal(postmaster, 'SIGCONT');
    }
  }, 60_000);

  it('a malformed --db URL: exit 2 saying what is wrong, and the password is never printed', async () => {
    const { ws, hw } = await scaffolded();
    writeFileSync(join(hw, 'answers.yaml'), VALID_ANSWERS);
    for (const url of ['postgres://root:secret@host:notaport/db', 'postgres://root:sec@ret@localhost:99999/db']) {
      for (const extra of [[], ['--json']]) {
        const run = await dec(['homework', 'check', '1', '--db', url, ...extra], ws);
        expect(run.code, run.stdout + run.stderr).toBe(2);
        expect(run.stderr).toMatch(/--db "postgres:\/\/root:\*\*\*@.*" has a port/);
        expect(run.stderr).not.toContain('unexpected error');
        expect(run.stdout + run.stderr).not.toMatch(/sec/);
      }
    }
  }, 60_000);

  it('without a database it cannot run: exit 2 with a hint, not a crash', async () => {
    const { ws, hw } = await scaffolded();
    writeFileSync(join(hw, 'answers.yaml'), VALID_ANSWERS);
    const closed = `postgresql://root:root@127.0.0.1:${server!.port}/no_such_db`;
    const run = await dec(['homework', 'check', '1', '--db', closed], ws);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Cannot connect');
    expect(run.stderr).not.toContain('root:root');
  }, 60_000);
});

describe('dec homework check: the form of non-SQL answers', () => {
  interface CheckJson {
    passed: boolean;
    database: string | null;
    questions: Array<{ id: string; status: string; detail: string }>;
  }
  const check = async (ws: string, week: string): Promise<{ code: number | null; doc: CheckJson }> => {
    const run = await dec(['homework', 'check', week, '--json'], ws);
    return { code: run.code, doc: json<CheckJson>(run) };
  };
  const byId = (doc: CheckJson) => Object.fromEntries(doc.questions.map((q) => [q.id, q]));

  it('week 2: a choice not among the options, a number that is not one, an unanswered question', async () => {
    const ws = await workspace();
    expect((await dec(['homework', 'init', '2'], ws)).code).toBe(0);
    const hw = join(ws, 'homework', 'week2');
    writeFileSync(
      join(hw, 'answers.yaml'),
      'q1:\n  answer: "2018-01-01"\nq2:\n  answer:\nq3:\n  answer: abc\nq4: Once\n',
    );
    const { code, doc } = await check(ws, '2');
    expect(code).toBe(1);
    expect(doc.passed).toBe(false);
    expect(doc.database).toBeNull(); // no SQL: no database needed
    const q = byId(doc);
    expect(q.q1).toMatchObject({ status: 'fail' });
    expect(q.q1!.detail).toContain('not one of the options');
    expect(q.q1!.detail).toContain('a) 2019-01-01 | b) 2020-01-01 | c) 2021-01-01 | d) days_ago(1)');
    expect(q.q2).toMatchObject({ status: 'unanswered' });
    expect(q.q3).toMatchObject({ status: 'fail' });
    expect(q.q3!.detail).toContain('"abc" is not a number');
    expect(q.q4).toMatchObject({ status: 'pass' });

    // Only an unanswered required question left: still exit 1.
    writeFileSync(
      join(hw, 'answers.yaml'),
      'q1:\n  answer: 2019-01-01\nq2:\n  answer:\nq3:\n  answer: "1,234"\nq4: once\n',
    );
    const second = await check(ws, '2');
    expect(second.code).toBe(1);
    expect(byId(second.doc)).toMatchObject({
      q1: { status: 'pass' },
      q2: { status: 'unanswered' },
      q3: { status: 'pass' },
      q4: { status: 'pass' },
    });

    writeFileSync(join(hw, 'answers.yaml'), 'q1:\n  answer: 2019-01-01\nq2: Monthly\nq3: 12\nq4: once\n');
    expect((await check(ws, '2')).code).toBe(0);
  });

  it('project: a URL answer that is not a URL fails; the optional question may stay empty', async () => {
    const ws = await workspace();
    expect((await dec(['homework', 'init', 'project'], ws)).code).toBe(0);
    const hw = join(ws, 'homework', 'project');
    writeFileSync(
      join(hw, 'answers.yaml'),
      'q1:\n  answer: not a url\nq2:\n  answer: A pipeline for taxi data.\nq3:\n  answer: https://example.com/dashboard\nq4:\n  answer:\n',
    );
    const { code, doc } = await check(ws, 'project');
    expect(code).toBe(1);
    const q = byId(doc);
    expect(q.q1).toMatchObject({ status: 'fail' });
    expect(q.q1!.detail).toContain('"not a url" is not a URL');
    expect(q.q2).toMatchObject({ status: 'pass' });
    expect(q.q3).toMatchObject({ status: 'pass' });
    expect(q.q4).toMatchObject({ status: 'skipped' });

    const text = await dec(['homework', 'check', 'project'], ws);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('is not a URL');
  });

  it("week 6: dec's practice questions never block, even answered wrong; the output says nothing is graded", async () => {
    const ws = await workspace();
    expect((await dec(['homework', 'init', '6'], ws)).code).toBe(0);
    writeFileSync(join(ws, 'homework', 'week6', 'answers.yaml'), 'q1: Partitions\nq2: Bananas\n');
    const { code, doc } = await check(ws, '6');
    expect(code).toBe(0);
    expect(doc.passed).toBe(true);
    expect(byId(doc)).toMatchObject({
      q1: { status: 'pass', practice: true },
      q2: { status: 'fail', practice: true },
      q3: { status: 'skipped', practice: true },
      q6: { status: 'skipped', practice: false },
    });
    const text = await dec(['homework', 'check', '6'], ws);
    expect(text.stdout).toContain('No question here is graded, so nothing blocks submitting');
    expect(text.stdout).toContain('practice questions answered: 2 of 5');
    expect(text.stdout).toContain("Practice questions to look at: 1 (dec's own; not submitted, not counted)");
  });

  it('an answers file that is not valid YAML: exit 2 with the line', async () => {
    const ws = await workspace();
    await dec(['homework', 'init', '2'], ws);
    writeFileSync(join(ws, 'homework', 'week2', 'answers.yaml'), 'q1:\n  answer: "unclosed\nq2: [\n');
    const run = await dec(['homework', 'check', '2'], ws);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/answers\.yaml:\d+:\d+ is not valid YAML/);
  });

  it('a YAML alias bomb (billion laughs) in answers.yaml: exit 2 at once, no unexpected error', async () => {
    const ws = await workspace();
    await dec(['homework', 'init', '2'], ws);
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(',')}]`,
      );
    writeFileSync(join(ws, 'homework', 'week2', 'answers.yaml'), `${lines.join('\n')}\nq1:\n  answer: *a9\n`);
    const run = await dec(['homework', 'check', '2'], ws, 10_000);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/answers\.yaml uses YAML aliases \(\*name\) too often/);
    expect(run.stderr).not.toContain('unexpected error');
  });

  it('answers.yaml as a link to /dev/zero, a fifo or a huge file: a clear error, no hang', async () => {
    const ws = await workspace();
    await dec(['homework', 'init', '2'], ws);
    const answers = join(ws, 'homework', 'week2', 'answers.yaml');
    unlinkSync(answers);
    symlinkSync('/dev/zero', answers);
    const check = await dec(['homework', 'check', '2'], ws, 15_000);
    expect(check.code, check.stderr).toBe(2);
    expect(check.stderr).toMatch(/answers\.yaml is not a regular file/);
    expect(check.stderr).not.toContain('unexpected error');
    // Status and weeks list count answers from the same file: they must not hang either.
    const status = json<{ homework: Array<{ week: number; answered: number }> }>(
      await dec(['homework', 'status', '--json'], ws, 15_000),
    );
    expect(status.homework.find((h) => h.week === 2)?.answered).toBe(0);
    expect((await dec(['weeks', 'list'], ws, 15_000)).code).toBe(0);

    unlinkSync(answers);
    await new Promise<void>((done, fail) => execFile('mkfifo', [answers], (error) => (error ? fail(error) : done())));
    const fifo = await dec(['homework', 'check', '2'], ws, 15_000);
    expect(fifo.code, fifo.stderr).toBe(2);
    expect(fifo.stderr).toMatch(/answers\.yaml is not a regular file/);

    unlinkSync(answers);
    writeFileSync(answers, `q1: "${'x'.repeat(2 * 1024 * 1024)}"\n`);
    const huge = await dec(['homework', 'check', '2'], ws, 15_000);
    expect(huge.code, huge.stderr).toBe(2);
    expect(huge.stderr).toMatch(/answers\.yaml is 2\.0 MB/);
  }, 60_000);

  it('before init: exit 2 and a hint to scaffold first', async () => {
    const ws = await workspace();
    const run = await dec(['homework', 'check', '2'], ws);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('dec homework init 2');
  });
});

describe('an impossible startDate in the workspace file', () => {
  for (const [startDate, example] of [
    ['2025-02-30', '2025-02-28'],
    ['2025-13-45', '2026-01-12'],
  ] as const) {
    it(`${startDate}: exit 2 naming the file and the fix, not a silent wrong date`, async () => {
      const ws = await workspace();
      const markerPath = join(ws, '.dec', 'workspace.json');
      const marker = JSON.parse(readFileSync(markerPath, 'utf8')) as Record<string, unknown>;
      writeFileSync(markerPath, JSON.stringify({ ...marker, startDate }, null, 2));
      for (const args of [
        ['homework', 'status'],
        ['homework', 'init', '1'],
        ['weeks', 'list'],
      ]) {
        const run = await dec(args, ws);
        expect(run.code, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(2);
        expect(run.stderr).toContain(markerPath);
        expect(run.stderr).toContain(`"startDate" "${startDate}" is not a real day`);
        expect(run.stderr).toContain(`e.g. "${example}"`);
        expect(run.stderr).not.toContain('unexpected error');
      }
      expect(existsSync(join(ws, 'homework'))).toBe(false);
    });
  }
});

describe('dec homework status', () => {
  it('before init: not started, due dates relative to the workspace start date', async () => {
    const ws = await workspace('2026-01-12');
    const text = await dec(['homework', 'status'], ws);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/1\s+Introduction & Prerequisites\s+not started.*2026-01-21/);

    const doc = json<{
      homework: Array<{ week: number; scaffolded: boolean; answered: number; due: string | null; daysLeft: unknown }>;
    }>(await dec(['homework', 'status', '--json'], ws));
    const week1 = doc.homework.find((h) => h.week === 1)!;
    // The 2022 cohort's week-1 homework was due 9 days after its 17 January start.
    expect(week1).toMatchObject({ scaffolded: false, answered: 0, due: '2026-01-21' });
    expect(typeof week1.daysLeft).toBe('number');
    expect(doc.homework.map((h) => h.week)).toContain(2);

    const list = await dec(['homework', 'list'], ws);
    expect(list.stdout).toBe(text.stdout);

    const weeks = json<{ weeks: Array<{ id: string; homework: { scaffolded: boolean; due: string | null } | null }> }>(
      await dec(['weeks', 'list', '--json'], ws),
    );
    expect(weeks.weeks.find((w) => w.id === 'week-1')?.homework).toMatchObject({
      scaffolded: false,
      due: '2026-01-21',
    });
  });

  it('after init and some answers: scaffolded, answered of total', async () => {
    const { ws, hw } = await scaffolded();
    writeFileSync(
      join(hw, 'answers.yaml'),
      readFileSync(join(hw, 'answers.yaml'), 'utf8').replace(
        'q1:\n  answer:',
        'q1:\n  answer: "Google Cloud SDK 367.0.0"',
      ),
    );
    const doc = json<{ homework: Array<{ week: number; scaffolded: boolean; answered: number; questions: number }> }>(
      await dec(['homework', 'status', '--json'], ws),
    );
    expect(doc.homework.find((h) => h.week === 1)).toMatchObject({ scaffolded: true, answered: 1, questions: 6 }); // graded, as check counts
  });
});
