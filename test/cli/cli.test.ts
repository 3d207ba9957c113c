// End to end: the built binary, a temp HOME/DEC_HOME, a minimal environment, no TTY.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, REPO_ROOT, runDec, useSandbox, type RunResult } from '../helpers/run.js';

// eslint-disable-next-line no-control-regex -- matching ANSI escapes is the point
const ANSI = /\u001b\[/;

const box = useSandbox();

const dec = (args: string[], extraEnv: NodeJS.ProcessEnv = {}, at = box.cwd): Promise<RunResult> =>
  runDec(args, { cwd: at, env: { ...box.sandbox.env, ...extraEnv } });

function json(result: RunResult): Record<string, unknown> {
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('help and version', () => {
  it('prints the version', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await dec(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('lists every command with examples and the exit codes', async () => {
    const result = await dec(['--help']);
    expect(result.code).toBe(0);
    for (const word of ['weeks', 'progress', 'init', 'Examples:', 'Exit codes']) expect(result.stdout).toContain(word);
  });

  it('`dec help <command>` shows that command with examples', async () => {
    const result = await dec(['help', 'init']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('dec init my-zoomcamp');
    const nested = await dec(['progress', 'help', 'done']);
    expect(nested.stdout).toContain('dec progress done 1');
  });

  it('an unknown command exits 2 with a suggestion', async () => {
    const result = await dec(['weks']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('weeks');
  });
});

describe('dec weeks', () => {
  it('lists every week with progress, status and the next marker, without ANSI codes in a pipe', async () => {
    const result = await dec(['weeks', 'list']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(ANSI);
    expect(result.stderr).toBe('');
    for (const title of [
      'Introduction & Prerequisites',
      'Data Warehouse',
      'Streaming',
      'Project',
      'Upcoming buzzwords',
    ]) {
      expect(result.stdout).toContain(title);
    }
    expect(result.stdout).toMatch(/1\s+Introduction & Prerequisites.*0%\s+not started\s+to do\s+← next/);
    expect(result.stdout).toContain('7–9');
  });

  it('FORCE_COLOR turns colors on and NO_COLOR wins over it', async () => {
    expect((await dec(['weeks', 'list'], { FORCE_COLOR: '1' })).stdout).toMatch(ANSI);
    expect((await dec(['weeks', 'list'], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toMatch(ANSI);
    expect((await dec(['weeks', 'list', '--no-color'], { FORCE_COLOR: '1' })).stdout).not.toMatch(ANSI);
  });

  it('--json gives one document with a schemaVersion', async () => {
    const doc = json(await dec(['weeks', 'list', '--json']));
    expect(doc.schemaVersion).toBe(1);
    const weeks = doc.weeks as Array<Record<string, unknown>>;
    expect(weeks).toHaveLength(7);
    expect(weeks[0]).toMatchObject({ number: 1, id: 'week-1', status: 'not started', percent: 0, next: true });
    expect(weeks[3]).toMatchObject({ id: 'week-4', duration: { minMinutes: 105, maxMinutes: 120, open: false } });
    expect(weeks[6]).toMatchObject({ id: 'project', number: 7, through: 9, label: '7–9' });
    expect(doc.syllabus).toMatchObject({ id: 'dez-2022', origin: 'default' });
    expect(doc.next).toMatchObject({ week: 1, topic: 1, command: 'dec progress done 1 1' });
    expect((doc.upcoming as { items: string[] }).items.length).toBeGreaterThanOrEqual(8);
  });

  it('shows a week by every kind of name', async () => {
    for (const ref of ['3', 'week3', 'week-3', 'w3']) {
      const result = await dec(['weeks', 'show', ref]);
      expect(result.code, ref).toBe(0);
      expect(result.stdout).toContain('Week 3: Data Warehouse');
      expect(result.stdout).toContain('Goal:');
      expect(result.stdout).toContain('Instructor:  Ankush');
      expect(result.stdout).toMatch(/Needs:\s+gcloud/);
      expect(result.stdout).toContain('Homework:');
      expect(result.stdout).toContain('Setup:');
    }
    expect((await dec(['weeks', 'show', '8'])).stdout).toContain('Week 7–9: Project');
    expect((await dec(['weeks', 'show', 'project'])).code).toBe(0);
  });

  it('weeks show --json lists topics with durations and done marks', async () => {
    await dec(['progress', 'done', '4', '1']);
    const doc = json(await dec(['weeks', 'show', '4', '--json']));
    const week = doc.week as { topicList: Array<Record<string, unknown>>; tools: unknown[]; goal: string };
    expect(week.goal).toContain('Analytical Views');
    expect(week.topicList[0]).toMatchObject({ number: 1, done: true, section: 'Basics' });
    expect(week.topicList[1]).toMatchObject({ number: 2, done: false, doneAt: null });
    expect(week.topicList.some((t) => t.extra === true)).toBe(true);
    expect(week.tools.length).toBeGreaterThan(0);
  });

  it('an unknown week exits 2 and lists the valid weeks', async () => {
    const result = await dec(['weeks', 'show', '12']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('There is no week "12"');
    expect(result.stderr).toContain('Valid weeks: 1 (week-1)');
    expect(result.stderr).not.toContain('    at ');
  });
});

describe('dec progress', () => {
  it('marks topics done by number and by title, and shows the next step', async () => {
    const done = await dec(['progress', 'done', '1', '1', 'docker']);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('Marked done: 1. Introduction to GCP; 2. Docker and docker-compose');
    const doc = json(await dec(['progress', '--json']));
    expect(doc.overall).toMatchObject({ done: 2 });
    expect(doc.next).toMatchObject({ week: 1, topic: 3 });
    expect((doc.weeks as Array<{ status: string }>)[0]!.status).toBe('in progress');
    const human = await dec(['progress']);
    expect(human.stdout).toMatch(/Next: week 1, topic 3/);
  });

  it('marks a whole week, undoes a topic and resets a week', async () => {
    await dec(['progress', 'done', 'week-2']);
    let doc = json(await dec(['weeks', 'list', '--json']));
    expect((doc.weeks as Array<{ status: string }>)[1]!.status).toBe('done');
    await dec(['progress', 'undo', '2', '1']);
    doc = json(await dec(['weeks', 'list', '--json']));
    expect((doc.weeks as Array<{ status: string }>)[1]!.status).toBe('in progress');
    const reset = await dec(['progress', 'reset', '2', '--yes']);
    expect(reset.code).toBe(0);
    doc = json(await dec(['weeks', 'list', '--json']));
    expect((doc.weeks as Array<{ status: string }>)[1]!.status).toBe('not started');
  });

  it('an ambiguous topic is an error listing the candidates', async () => {
    const result = await dec(['progress', 'done', '6', 'kafka']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/matches \d+ topics of week 6/);
    expect(result.stderr).toMatch(/\d+\. .*Kafka/);
  });

  it('reset without a terminal refuses and points at --yes', async () => {
    await dec(['progress', 'done', '1']);
    const result = await dec(['progress', 'reset']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--yes');
    // Week 1 has 9 topics; one is extra knowledge and does not count.
    expect(json(await dec(['progress', '--json'])).overall).toMatchObject({ done: 8 });
  });

  it('CI=true also refuses to prompt', async () => {
    const result = await dec(['progress', 'reset', '1'], { CI: 'true' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--yes');
  });

  it('--where prints the user state file outside a workspace', async () => {
    const result = await dec(['progress', '--where']);
    expect(result.stdout.trim()).toBe(join(box.sandbox.decHome, 'progress.json'));
    const doc = json(await dec(['progress', '--where', '--json']));
    expect(doc).toMatchObject({ schemaVersion: 1, scope: 'user', workspace: null });
  });

  it('uses XDG_STATE_HOME when DEC_HOME is not set', async () => {
    const env = { ...box.sandbox.env, DEC_HOME: undefined, XDG_STATE_HOME: join(box.sandbox.root, 'xdg-state') };
    const result = await runDec(['progress', '--where'], { cwd: box.cwd, env });
    expect(result.stdout.trim()).toBe(join(box.sandbox.root, 'xdg-state', 'dec', 'progress.json'));
  });

  it('exports a Markdown checklist', async () => {
    await dec(['progress', 'done', '1', '1']);
    const result = await dec(['progress', 'export', '--format', 'markdown']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('### Week 1: Introduction & Prerequisites');
    expect(result.stdout).toContain('- [x] Introduction to GCP');
    expect(result.stdout).toContain('- [ ] Docker and docker-compose');
    expect((await dec(['progress', 'export', '--format', 'html'])).code).toBe(2);
  });

  it('a corrupt progress file is moved aside, reported, and dec goes on', async () => {
    mkdirSync(box.sandbox.decHome, { recursive: true });
    const file = join(box.sandbox.decHome, 'progress.json');
    writeFileSync(file, '{"version": 1, "syllabi": {');
    const result = await dec(['progress']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('moved to');
    const aside = readdirSync(box.sandbox.decHome).find((name) => name.startsWith('progress.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(readFileSync(join(box.sandbox.decHome, aside!), 'utf8')).toBe('{"version": 1, "syllabi": {');
    expect((await dec(['progress', 'done', '1', '1'])).code).toBe(0);
  });

  it('two dec processes marking different topics at once both persist', async () => {
    const runs = await Promise.all(
      ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((topic) => dec(['progress', 'done', '1', topic])),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const doc = json(await dec(['progress', '--json']));
    // 9 topics, of which 8 count (topic 7 is extra knowledge).
    expect((doc.weeks as Array<{ done: number; status: string }>)[0]).toMatchObject({ done: 8, status: 'done' });
  });

  it('keeps and reports entries for topics the syllabus no longer has', async () => {
    mkdirSync(box.sandbox.decHome, { recursive: true });
    const file = join(box.sandbox.decHome, 'progress.json');
    const state = { version: 1, syllabi: { 'dez-2022': { done: { 'week-1/old-topic': '2022-01-20T10:00:00.000Z' } } } };
    writeFileSync(file, JSON.stringify(state));
    const doc = json(await dec(['progress', '--json']));
    expect(doc.orphans).toEqual(['week-1/old-topic']);
    await dec(['progress', 'done', '1', '1']);
    expect(readFileSync(file, 'utf8')).toContain('week-1/old-topic');
    expect((await dec(['progress'])).stdout).toContain('no longer has');
  });

  it('progress of different syllabi does not mix', async () => {
    const other = join(FIXTURES, 'syllabi', 'e2e-valid.yaml');
    await dec(['progress', 'done', '1']);
    const doc = json(await dec(['--syllabus', other, 'progress', '--json']));
    expect(doc.overall).toMatchObject({ done: 0 });
    expect(doc.syllabus).toMatchObject({ origin: 'flag' });
  });
});

describe('syllabus selection and bad syllabi', () => {
  it('--syllabus and DEC_SYLLABUS select another syllabus', async () => {
    const other = join(FIXTURES, 'syllabi', 'e2e-valid.yaml');
    const byFlag = json(await dec(['weeks', 'list', '--json', '--syllabus', other]));
    expect(byFlag.syllabus).toMatchObject({ origin: 'flag' });
    const byEnv = json(await dec(['weeks', 'list', '--json'], { DEC_SYLLABUS: other }));
    expect(byEnv.syllabus).toMatchObject({ origin: 'env' });
    expect(byEnv.weeks).toEqual(byFlag.weeks);
  });

  it('a bad syllabus gets file:line:column problems, exit 2, and no stack trace', async () => {
    const bad = join(FIXTURES, 'syllabi', 'e2e-several-problems.yaml');
    const result = await dec(['weeks', 'list', '--syllabus', bad]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /e2e-several-problems\.yaml:\d+:\d+ {2}weeks\[0\]\.topics\[1\]\.duration: expected a duration/,
    );
    expect(result.stderr).toMatch(/unknown key "titel"; did you mean "title"\?/);
    expect(result.stderr).not.toContain('    at ');
    const debug = await dec(['weeks', 'list', '--syllabus', bad, '--debug']);
    expect(debug.stderr).toContain('    at ');
  });

  it('a missing syllabus file names where it came from', async () => {
    const result = await dec(['weeks', 'list'], { DEC_SYLLABUS: 'nope.yaml' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('chosen by DEC_SYLLABUS');
    expect(result.stderr).toContain('does not exist');
  });
});

describe('dec init and workspaces', () => {
  it('creates a workspace that commands find from a subfolder, with progress inside it', async () => {
    const result = await dec(['init', 'course', '--start', '2026-01-12']);
    expect(result.code, result.stderr).toBe(0);
    const root = join(box.cwd, 'course');
    const marker = JSON.parse(readFileSync(join(root, '.dec', 'workspace.json'), 'utf8')) as Record<string, unknown>;
    expect(marker).toMatchObject({ version: 1, syllabus: 'dez-2022', startDate: '2026-01-12' });
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toContain('*.tfstate');
    const deep = join(root, 'homework', 'week1');
    mkdirSync(deep, { recursive: true });
    expect((await dec(['progress', 'done', '1', '1'], {}, deep)).code).toBe(0);
    expect((await dec(['progress', '--where'], {}, deep)).stdout.trim()).toBe(join(root, '.dec', 'progress.json'));
    expect(existsSync(join(root, '.dec', 'progress.json'))).toBe(true);
    expect(existsSync(join(box.sandbox.decHome, 'progress.json'))).toBe(false);
  });

  it('is idempotent and keeps an existing .gitignore', async () => {
    const root = join(box.cwd, 'repo');
    mkdirSync(root);
    writeFileSync(join(root, '.gitignore'), 'my-secret-stuff/\n');
    expect((await dec(['init', 'repo'])).code).toBe(0);
    const gitignore = readFileSync(join(root, '.gitignore'), 'utf8');
    expect(gitignore.startsWith('my-secret-stuff/\n')).toBe(true);
    const again = await dec(['init', 'repo']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already a dec workspace');
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe(gitignore);
  });

  it('carries progress made before init into the workspace', async () => {
    await dec(['progress', 'done', '1', '1']);
    const doc = json(await dec(['init', 'ws', '--json']));
    expect(doc).toMatchObject({ created: true, carriedOverTopics: 1 });
    const inside = json(await dec(['progress', '--json'], {}, join(box.cwd, 'ws')));
    expect(inside).toMatchObject({ scope: 'workspace', overall: { done: 1 } });
  });

  it('stores a custom syllabus relative to the workspace and refuses a bad start date', async () => {
    const other = join(FIXTURES, 'syllabi', 'e2e-valid.yaml');
    expect((await dec(['init', 'ws', '--syllabus', other])).code).toBe(0);
    const doc = json(await dec(['weeks', 'list', '--json'], {}, join(box.cwd, 'ws')));
    expect(doc.syllabus).toMatchObject({ origin: 'workspace' });
    const bad = await dec(['init', 'ws2', '--start', '2026-02-30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('YYYY-MM-DD');
  });
});

describe('every kind of bad syllabus, through the binary', () => {
  const badFixtures = readdirSync(join(FIXTURES, 'syllabi')).filter((name) => name.startsWith('bad-'));

  it.each(badFixtures)('%s: exit 2, a located message, a hint, no stack trace', async (name) => {
    const result = await dec(['weeks', 'list', '--syllabus', join(FIXTURES, 'syllabi', name)]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`${name.replace('.', '\\.')}(:\\d+:\\d+)?`));
    expect(result.stderr).toContain('→');
    expect(result.stderr).not.toContain('    at ');
    expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(12);
  });
});

describe('bad syllabus files made on the fly', () => {
  const aliasBomb = [
    'a: &a ["x","x","x","x","x","x","x","x","x"]',
    ...'bcdefghi'.split('').map((name, i) => {
      const previous = 'abcdefghi'[i];
      return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`;
    }),
  ].join('\n');
  const cases: Array<[string, Buffer, RegExp]> = [
    [
      'latin1.yaml',
      Buffer.concat([Buffer.from('schemaVersion: 1\ntitle: Caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
      /latin1\.yaml:2:11 is not UTF-8/,
    ],
    ['huge.yaml', Buffer.alloc(2 * 1024 * 1024, 'a'), /at most 1 MiB/],
    ['bomb.yaml', Buffer.from(aliasBomb), /aliases too many times/],
  ];

  it.each(cases)('%s gets a clear error and exit 2', async (name, bytes, message) => {
    const file = join(box.sandbox.root, name);
    writeFileSync(file, bytes);
    const started = Date.now();
    const result = await dec(['weeks', 'list', '--syllabus', file]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('    at ');
  });
});
