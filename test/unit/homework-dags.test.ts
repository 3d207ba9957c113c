// DAG import errors as Airflow's scheduler sees them (src/homework/dags.ts): the result line read out of
// noisy output, file and line from Airflow 2.2's tracebacks (Python 3.7, two frames deep as Airflow keeps
// them), paths mapped back through the scheduler's binds, the scheduler found by dec's labels, and
// `dec homework check` in-process with a fake engine.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { homeworkCheck, type HomeworkDeps } from '../../src/commands/homework.js';
import type { ContainerSummary, ExecResult } from '../../src/docker/client.js';
import { DockerUnavailable } from '../../src/errors.js';
import {
  PARSE_SCRIPT,
  RESULT_MARKER,
  airflowStackOf,
  checkDags,
  dagProblems,
  findScheduler,
  hostPathOf,
  lineOf,
  messageOf,
  parseImportErrorsOutput,
  type SchedulerEngine,
} from '../../src/homework/dags.js';
import { commandContexts } from '../helpers/command-context.js';
import { FIXTURES } from '../helpers/run.js';

// What Airflow 2.2.3's DagBag keeps for each broken file (traceback.format_exc(limit=-2)).
const MISSING_MODULE = `Traceback (most recent call last):
  File "<frozen importlib._bootstrap>", line 219, in _call_with_frames_removed
  File "/opt/airflow/dags/data_ingestion_gcs_dag.py", line 9, in <module>
    from google.cloud import storage
ModuleNotFoundError: No module named 'google.cloud'
`;

const SYNTAX_ERROR = `Traceback (most recent call last):
  File "<frozen importlib._bootstrap_external>", line 860, in get_code
  File "<frozen importlib._bootstrap_external>", line 791, in source_to_code
  File "<frozen importlib._bootstrap>", line 219, in _call_with_frames_removed
  File "/opt/airflow/dags/homework/fhv_dag.py", line 14
    with DAG(
       ^
SyntaxError: invalid syntax
`;

const NESTED = `Traceback (most recent call last):
  File "/opt/airflow/dags/yellow_dag.py", line 42, in <module>
    local_workflow = build_dag("yellow")
  File "/opt/airflow/dags/yellow_dag.py", line 30, in build_dag
    url = URL_PREFIX + month
NameError: name 'URL_PREFIX' is not defined
`;

const IN_AIRFLOW = `Traceback (most recent call last):
  File "/home/airflow/.local/lib/python3.7/site-packages/airflow/models/baseoperator.py", line 178, in apply_defaults
    result = func(self, *args, **kwargs)
  File "/home/airflow/.local/lib/python3.7/site-packages/airflow/models/baseoperator.py", line 506, in __init__
    f"Invalid arguments were passed to {self.__class__.__name__} (task_id: {task_id}). "
airflow.exceptions.AirflowException: Invalid arguments were passed to BashOperator (task_id: wget). Invalid arguments were:
**kwargs: {'bash_comand': 'curl -sSLf https://example.org/x.csv.gz > /tmp/x.csv.gz'}
`;

const TIMEOUT = `Traceback (most recent call last):
  File "/opt/airflow/dags/slow_dag.py", line 5, in <module>
    time.sleep(60)
  File "/home/airflow/.local/lib/python3.7/site-packages/airflow/utils/timeout.py", line 37, in handle_timeout
    raise AirflowTaskTimeout(self.error_message)
airflow.exceptions.AirflowTaskTimeout: DagBag import timeout for /opt/airflow/dags/slow_dag.py after 30.0s.
Please take a look at these docs to improve your DAG import time:
* https://airflow.apache.org/docs/apache-airflow/2.2.3/best-practices.html#top-level-python-code
* https://airflow.apache.org/docs/apache-airflow/2.2.3/best-practices.html#reducing-dag-complexity, PID: 214
`;

const errorsJson = (errors: Array<{ filepath: string; error: string }>, dags = 2) =>
  `${RESULT_MARKER}${JSON.stringify({ folder: '/opt/airflow/dags', dags, errors })}`;

describe('the result line', () => {
  it('is found among what Airflow, Python and the DAG files print, and read', () => {
    const output = [
      '/home/airflow/.local/lib/python3.7/site-packages/airflow/configuration.py:357 DeprecationWarning: ...',
      '[2022-02-01 10:00:00,000] {dagbag.py:500} INFO - Filling up the DagBag from /opt/airflow/dags',
      `print from a DAG file without a newline${''}`,
      errorsJson([{ filepath: '/opt/airflow/dags/data_ingestion_gcs_dag.py', error: MISSING_MODULE }]),
      '',
      '',
    ].join('\n');
    expect(parseImportErrorsOutput(output)).toEqual({
      folder: '/opt/airflow/dags',
      dags: 2,
      errors: [{ filepath: '/opt/airflow/dags/data_ingestion_gcs_dag.py', error: MISSING_MODULE }],
    });
  });

  it('is the last one when a DAG file prints the marker itself; output without one is not read', () => {
    const fake = `${RESULT_MARKER}{"folder": "/x", "dags": 9, "errors": []}`;
    expect(parseImportErrorsOutput(`${fake}\n${errorsJson([], 1)}\n`)?.dags).toBe(1);
    expect(parseImportErrorsOutput("ModuleNotFoundError: No module named 'airflow'\n")).toBeUndefined();
    expect(parseImportErrorsOutput(`${RESULT_MARKER}{not json`)).toBeUndefined();
    expect(parseImportErrorsOutput(`${RESULT_MARKER}{"errors": 3}`)).toBeUndefined();
  });

  it('comes from a script that runs what list-import-errors runs, without the example DAGs', () => {
    expect(PARSE_SCRIPT).toContain('from airflow.models.dagbag import DagBag');
    expect(PARSE_SCRIPT).toContain('DagBag(include_examples=False)');
    expect(PARSE_SCRIPT).toContain('bag.import_errors');
    expect(PARSE_SCRIPT).toContain(RESULT_MARKER.trim());
  });
});

describe('file, line and message from a traceback', () => {
  it('a missing module: the line of the import in the DAG file', () => {
    expect(lineOf(MISSING_MODULE, '/opt/airflow/dags/data_ingestion_gcs_dag.py')).toBe(9);
    expect(messageOf(MISSING_MODULE)).toBe("ModuleNotFoundError: No module named 'google.cloud'");
  });

  it("a syntax error: its location (no ', in <module>'), and the exception after the caret", () => {
    expect(lineOf(SYNTAX_ERROR, '/opt/airflow/dags/homework/fhv_dag.py')).toBe(14);
    expect(messageOf(SYNTAX_ERROR)).toBe('SyntaxError: invalid syntax');
  });

  it("the innermost frame in the DAG file, not the caller's", () => {
    expect(lineOf(NESTED, '/opt/airflow/dags/yellow_dag.py')).toBe(30);
    expect(messageOf(NESTED)).toBe("NameError: name 'URL_PREFIX' is not defined");
  });

  it("no line when the kept frames are all Airflow's; the message is the exception's first line", () => {
    expect(lineOf(IN_AIRFLOW, '/opt/airflow/dags/fhv_dag.py')).toBeUndefined();
    expect(messageOf(IN_AIRFLOW)).toBe(
      'airflow.exceptions.AirflowException: Invalid arguments were passed to BashOperator (task_id: wget). Invalid arguments were:',
    );
  });

  it("a DagBag import timeout: the DAG file's line, and not Airflow's links to its docs", () => {
    expect(lineOf(TIMEOUT, '/opt/airflow/dags/slow_dag.py')).toBe(5);
    expect(messageOf(TIMEOUT)).toBe(
      'airflow.exceptions.AirflowTaskTimeout: DagBag import timeout for /opt/airflow/dags/slow_dag.py after 30.0s.',
    );
  });

  it('a message without a traceback (Airflow keeps str(e) when tracebacks are off)', () => {
    const error = 'invalid syntax (fhv_dag.py, line 7)';
    expect(lineOf(error, '/opt/airflow/dags/fhv_dag.py')).toBe(7);
    expect(messageOf(error)).toBe(error);
    expect(lineOf('Cycle detected in DAG. Faulty task: a', '/opt/airflow/dags/a.py')).toBeUndefined();
  });
});

describe('paths inside the container, on the host', () => {
  const binds = [
    { source: '/home/ada/zoomcamp/homework/week2/dags', target: '/opt/airflow/dags' },
    { source: '/home/ada/zoomcamp/homework/week2/dags-extra', target: '/opt/airflow/dags/extra/' },
    { source: '/home/ada/.google/credentials', target: '/.google/credentials' },
  ];

  it('go through the longest bind that holds them', () => {
    expect(hostPathOf('/opt/airflow/dags/yellow_dag.py', binds)).toBe(
      '/home/ada/zoomcamp/homework/week2/dags/yellow_dag.py',
    );
    expect(hostPathOf('/opt/airflow/dags/extra/x.py', binds)).toBe('/home/ada/zoomcamp/homework/week2/dags-extra/x.py');
    expect(hostPathOf('/opt/airflow/dags', binds)).toBe('/home/ada/zoomcamp/homework/week2/dags');
  });

  it('stay unmapped when no bind holds them (a prefix of a name is not a folder)', () => {
    expect(hostPathOf('/opt/airflow/dags2/x.py', binds)).toBeUndefined();
    expect(hostPathOf('/opt/airflow/plugins/x.py', binds)).toBeUndefined();
  });

  it('keep the shape of a Windows source', () => {
    expect(
      hostPathOf('/opt/airflow/dags/sub/x.py', [{ source: 'C:\\zoomcamp\\dags', target: '/opt/airflow/dags' }]),
    ).toBe('C:\\zoomcamp\\dags\\sub\\x.py');
  });

  it('problems carry both paths, the line and the message', () => {
    const problems = dagProblems(
      [
        { filepath: '/opt/airflow/dags/homework/fhv_dag.py', error: SYNTAX_ERROR },
        { filepath: '/opt/airflow/dags/fhv_dag.py', error: IN_AIRFLOW },
      ],
      binds,
    );
    expect(problems[0]).toEqual({
      file: '/home/ada/zoomcamp/homework/week2/dags/homework/fhv_dag.py',
      containerPath: '/opt/airflow/dags/homework/fhv_dag.py',
      line: 14,
      message: 'SyntaxError: invalid syntax',
      error: SYNTAX_ERROR,
    });
    expect(problems[1]?.line).toBeUndefined();
    expect(dagProblems([{ filepath: '/opt/airflow/dags/a.py', error: NESTED }], [])[0]?.file).toBeUndefined();
  });
});

function container(overrides: Partial<ContainerSummary> & { labels: Record<string, string> }): ContainerSummary {
  return { id: 'id', name: 'c', image: 'x', state: 'running', ports: [], ...overrides };
}

const schedulerLabels = (stack: string, service: string, project?: string) => ({
  'dec.stack': stack,
  'dec.service': service,
  ...(project ? { 'dec.project': project } : {}),
});

describe('the scheduler', () => {
  it("is the running container of the week's stack, or of its variant, whose service has 'scheduler' in it", () => {
    const webserver = container({ id: 'w', labels: schedulerLabels('week2', 'airflow-webserver') });
    const stopped = container({ id: 's0', state: 'exited', labels: schedulerLabels('week2', 'airflow-scheduler') });
    const official = container({ id: 's1', labels: schedulerLabels('week2', 'airflow-scheduler') });
    const light = container({ id: 's2', labels: schedulerLabels('week2-light', 'scheduler') });
    expect(findScheduler([webserver, stopped, official], 'dec', 'week2')?.id).toBe('s1');
    expect(findScheduler([webserver, light], 'dec', 'week2')?.id).toBe('s2');
    expect(findScheduler([webserver, stopped], 'dec', 'week2')).toBeUndefined();
  });

  it("is never another project's, another stack's, or a container dec did not make", () => {
    const otherProject = container({ labels: schedulerLabels('week2', 'airflow-scheduler', 'dectest-1') });
    const otherStack = container({ labels: schedulerLabels('week22', 'airflow-scheduler') });
    const notDecs = container({ labels: { 'com.docker.compose.service': 'airflow-scheduler' } });
    expect(findScheduler([otherProject, otherStack, notDecs], 'dec', 'week2')).toBeUndefined();
    expect(findScheduler([otherProject], 'dectest-1', 'week2')).toBe(otherProject);
  });

  it("belongs to a week only when the week's stack runs one", () => {
    const stacks = {
      week1: { services: { pgdatabase: {} } },
      week2: { services: { postgres: {}, 'airflow-scheduler': {} } },
    } as unknown as Parameters<typeof airflowStackOf>[0]['stacks'];
    expect(airflowStackOf({ stacks }, { setup: { summary: '', stack: 'week2' } })).toBe('week2');
    expect(airflowStackOf({ stacks }, { setup: { summary: '', stack: 'week1' } })).toBeUndefined();
    expect(airflowStackOf({ stacks }, { setup: { summary: '' } })).toBeUndefined();
    expect(airflowStackOf({ stacks }, {})).toBeUndefined();
  });
});

/** An engine with these containers whose exec answers `exec` (or never, or by throwing). */
function fakeEngine(
  containers: ContainerSummary[] | Error,
  exec: ExecResult | Error | 'never' = { exitCode: 0, output: errorsJson([]) },
): SchedulerEngine & { commands: string[][] } {
  const commands: string[][] = [];
  return {
    commands,
    listContainers: async () => {
      if (containers instanceof Error) throw containers;
      return containers;
    },
    execInContainer: async (_id, command) => {
      commands.push(command);
      if (exec === 'never') return new Promise<ExecResult>(() => undefined);
      if (exec instanceof Error) throw exec;
      return exec;
    },
  };
}

const SCHEDULER = container({
  id: 'sched',
  name: 'dec-week2-airflow-scheduler',
  labels: schedulerLabels('week2', 'airflow-scheduler'),
  binds: [{ source: '/ws/homework/week2/dags', target: '/opt/airflow/dags' }],
});
const OPTIONS = { project: 'dec', stack: 'week2', setupCommand: 'dec setup week2' };

describe('checkDags', () => {
  it('runs the parse script in the scheduler and maps what it lists', async () => {
    const engine = fakeEngine([SCHEDULER], {
      exitCode: 0,
      output: `noise\n${errorsJson([{ filepath: '/opt/airflow/dags/yellow_dag.py', error: NESTED }], 3)}\n`,
    });
    const result = await checkDags(engine, OPTIONS);
    expect(engine.commands).toEqual([['python', '-c', PARSE_SCRIPT]]);
    expect(result).toMatchObject({
      parsed: true,
      container: 'dec-week2-airflow-scheduler',
      folder: '/ws/homework/week2/dags',
      containerFolder: '/opt/airflow/dags',
      dags: 3,
      problems: [{ file: '/ws/homework/week2/dags/yellow_dag.py', line: 30 }],
    });
  });

  it('Airflow not running: not parsed, with the command that starts it', async () => {
    expect(await checkDags(fakeEngine([]), OPTIONS)).toEqual({
      parsed: false,
      reason: "Airflow's scheduler is not running",
      hint: 'Start Airflow: dec setup week2',
    });
  });

  it('Docker away: not parsed, and the doctor named', async () => {
    const result = await checkDags(
      fakeEngine(
        new DockerUnavailable(
          'not-running',
          { url: 'unix:///var/run/docker.sock', source: 'the default socket' },
          'Cannot connect to the Docker engine',
        ),
      ),
      OPTIONS,
    );
    expect(result).toMatchObject({ parsed: false, hint: expect.stringContaining('dec doctor') });
  });

  it('a parse that does not finish in time: not parsed, said so, never waited on for ever', async () => {
    const result = await checkDags(fakeEngine([SCHEDULER], 'never'), { ...OPTIONS, timeoutMs: 20 });
    expect(result).toMatchObject({ parsed: false, reason: expect.stringContaining('did not finish parsing') });
  });

  it('no Airflow in the container, or an exec refused: not parsed, with what came back', async () => {
    const noAirflow = await checkDags(
      fakeEngine([SCHEDULER], {
        exitCode: 1,
        output: `Traceback (most recent call last):\n  File "<string>", line 9, in <module>\nModuleNotFoundError: No module named 'airflow'\n`,
      }),
      OPTIONS,
    );
    expect(noAirflow).toMatchObject({
      parsed: false,
      reason: expect.stringContaining("exit code 1: ModuleNotFoundError: No module named 'airflow'"),
      hint: expect.stringContaining('docker logs --tail 50 dec-week2-airflow-scheduler'),
    });
    const refused = await checkDags(fakeEngine([SCHEDULER], new Error('container sched is not running')), OPTIONS);
    expect(refused).toMatchObject({ parsed: false, reason: expect.stringContaining('is not running') });
  });
});

describe('dec homework check with an Airflow week (in-process, fake engine)', () => {
  const contexts = commandContexts();
  afterEach(() => contexts.cleanup());
  const syllabus = join(FIXTURES, 'syllabi', 'airflow-dags.yaml');

  function answered(dir: string): string {
    const folder = join(dir, 'homework', 'week2');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'answers.yaml'), 'q1:\n  answer: Monthly\n');
    return folder;
  }

  const deps = (engine: SchedulerEngine): HomeworkDeps => ({ schedulerEngine: async () => engine });

  it('lists each import error as file:line: message and fails the check (exit 1)', async () => {
    const ctx = contexts.make({ options: { syllabus } });
    const folder = answered(ctx.cwd);
    const scheduler = { ...SCHEDULER, binds: [{ source: join(folder, 'dags'), target: '/opt/airflow/dags' }] };
    const output = errorsJson([
      { filepath: '/opt/airflow/dags/data_ingestion_gcs_dag.py', error: MISSING_MODULE },
      { filepath: '/opt/airflow/dags/homework/fhv_dag.py', error: SYNTAX_ERROR },
    ]);
    const code = await homeworkCheck(ctx, '2', {}, deps(fakeEngine([scheduler], { exitCode: 0, output })));
    expect(code).toBe(1);
    const text = ctx.stdout();
    expect(text).toContain(
      'DAGs in homework/week2/dags as Airflow parses them (dec-week2-airflow-scheduler): 2 loaded, 2 with import errors',
    );
    expect(text).toContain(
      "homework/week2/dags/data_ingestion_gcs_dag.py:9: ModuleNotFoundError: No module named 'google.cloud'",
    );
    expect(text).toContain('homework/week2/dags/homework/fhv_dag.py:14: SyntaxError: invalid syntax');
    expect(text).toMatch(/2 to fix \(/);
  });

  it('--json: the problems with file, line, message and the traceback', async () => {
    const ctx = contexts.make({ options: { syllabus, json: true } });
    answered(ctx.cwd);
    const output = errorsJson([{ filepath: '/opt/airflow/dags/yellow_dag.py', error: NESTED }]);
    expect(await homeworkCheck(ctx, '2', {}, deps(fakeEngine([SCHEDULER], { exitCode: 0, output })))).toBe(1);
    const doc = JSON.parse(ctx.stdout()) as { passed: boolean; dags: Record<string, unknown> };
    expect(doc.passed).toBe(false);
    expect(doc.dags).toEqual({
      parsed: true,
      container: 'dec-week2-airflow-scheduler',
      folder: '/ws/homework/week2/dags',
      containerFolder: '/opt/airflow/dags',
      dags: 2,
      problems: [
        {
          file: '/ws/homework/week2/dags/yellow_dag.py',
          containerPath: '/opt/airflow/dags/yellow_dag.py',
          line: 30,
          message: "NameError: name 'URL_PREFIX' is not defined",
          error: NESTED,
        },
      ],
    });
  });

  it('no import errors: one line with how many DAGs loaded; the check passes (exit 0)', async () => {
    const ctx = contexts.make({ options: { syllabus } });
    const folder = answered(ctx.cwd);
    const scheduler = { ...SCHEDULER, binds: [{ source: join(folder, 'dags'), target: '/opt/airflow/dags' }] };
    const output = errorsJson([], 4);
    expect(await homeworkCheck(ctx, '2', {}, deps(fakeEngine([scheduler], { exitCode: 0, output })))).toBe(0);
    expect(ctx.stdout()).toContain(
      '  ✓ DAGs in homework/week2/dags as Airflow parses them (dec-week2-airflow-scheduler): 4 loaded, no import errors',
    );
    expect(ctx.stdout()).toContain('Ready to submit.');
  });

  it('Airflow not running: one line saying so and how to start it; the answers alone decide (exit 0)', async () => {
    const ctx = contexts.make({ options: { syllabus } });
    answered(ctx.cwd);
    expect(await homeworkCheck(ctx, '2', {}, deps(fakeEngine([])))).toBe(0);
    const lines = ctx.stdout().split('\n');
    expect(lines.filter((l) => l.includes('DAGs'))).toEqual([
      "  - DAGs not parsed: Airflow's scheduler is not running. Start Airflow: dec setup week2",
    ]);
    expect(ctx.stdout()).toContain('Ready to submit.');
  });

  it('a client that cannot be made is not a failure of the check either', async () => {
    const ctx = contexts.make({ options: { syllabus } });
    answered(ctx.cwd);
    const broken: HomeworkDeps = {
      schedulerEngine: async () => {
        throw new Error('Cannot use the Docker endpoint "ftp://x"');
      },
    };
    expect(await homeworkCheck(ctx, '2', {}, broken)).toBe(0);
    expect(ctx.stdout()).toContain('DAGs not parsed: dec cannot use Docker (Cannot use the Docker endpoint "ftp://x")');
  });
});
