// `dec homework check` for a week whose stack runs Airflow, against the real engine: a stand-in scheduler
// (the busybox test image, labelled as dec labels a week-2 scheduler in this sandbox's project, the
// homework's dags folder bind-mounted at /opt/airflow/dags) whose `python` is a script printing what
// dec's DagBag parse prints in Airflow 2.2.3, import errors with tracebacks included. dec finds it by its
// labels, runs the parse through the Docker exec API, and maps the container's paths back to the folder.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARSE_SCRIPT, dagProblems, parseImportErrorsOutput } from '../../src/homework/dags.js';
import { TEST_LABEL, docker, ensureBusyboxImage, removeContainer, testContainerName } from '../helpers/docker.js';
import { FIXTURES, noUnexpectedError, runDec, useSandbox } from '../helpers/run.js';

const box = useSandbox();
const SYLLABUS = join(FIXTURES, 'syllabi', 'airflow-dags.yaml');
const NAME = testContainerName(`dags-scheduler-${process.pid}`);
const MARKER = 'DEC-DAG-IMPORT-ERRORS ';

const MISSING_MODULE = `Traceback (most recent call last):
  File "<frozen importlib._bootstrap>", line 219, in _call_with_frames_removed
  File "/opt/airflow/dags/data_ingestion_gcs_dag.py", line 9, in <module>
    from google.cloud import storage
ModuleNotFoundError: No module named 'google.cloud'
`;
const SYNTAX_ERROR = `Traceback (most recent call last):
  File "<frozen importlib._bootstrap>", line 219, in _call_with_frames_removed
  File "/opt/airflow/dags/homework/fhv_dag.py", line 14
    with DAG(
       ^
SyntaxError: invalid syntax
`;

/** The stand-in's `python`: refuses anything but dec's parse script, then prints Airflow-like noise and the result. */
const FAKE_PYTHON = `#!/bin/sh
[ "$1" = -c ] || { echo "python: not dec's parse" >&2; exit 2; }
case "$2" in *"DagBag(include_examples=False)"*) ;; *) echo "not the DagBag script" >&2; exit 2 ;; esac
echo "[2022-02-01 10:00:00,000] {dagbag.py:500} INFO - Filling up the DagBag from /opt/airflow/dags" >&2
cat /opt/fake/result.txt
`;

let tools: string;

beforeAll(async () => {
  await ensureBusyboxImage();
  tools = mkdtempSync(join(tmpdir(), 'dec-dags-tools-'));
  writeFileSync(join(tools, 'python'), FAKE_PYTHON);
  chmodSync(join(tools, 'python'), 0o755);
  chmodSync(tools, 0o755);
}, 120_000);

afterAll(async () => {
  await removeContainer(NAME);
  rmSync(tools, { recursive: true, force: true });
});

/** The stand-in scheduler, labelled for `project`, with `dags` mounted where Airflow reads them. */
async function startScheduler(project: string, dags: string): Promise<void> {
  await removeContainer(NAME);
  await docker(
    [
      'run',
      '-d',
      '--pull',
      'never',
      '--name',
      NAME,
      '--label',
      `${TEST_LABEL}=1`,
      '--label',
      `dec.test.pid=${process.pid}`,
      '--label',
      `dec.project=${project}`,
      '--label',
      'dec.stack=week2',
      '--label',
      'dec.service=airflow-scheduler',
      '--env',
      'PATH=/opt/fake:/bin',
      '--mount',
      `type=bind,source=${tools},target=/opt/fake,readonly`,
      '--mount',
      `type=bind,source=${dags},target=/opt/airflow/dags`,
      '--',
      'dec-test/busybox:1',
      'sh',
      '-c',
      "trap 'exit 0' TERM INT; while :; do sleep 1; done",
    ],
    30_000,
  );
}

/** A homework folder with its answers and a dags folder; the stand-in's result file. */
function homework(): { folder: string; dags: string } {
  const folder = join(box.cwd, 'homework', 'week2');
  const dags = join(folder, 'dags');
  mkdirSync(join(dags, 'homework'), { recursive: true });
  writeFileSync(join(folder, 'answers.yaml'), 'q1:\n  answer: Monthly\n');
  writeFileSync(join(dags, 'data_ingestion_gcs_dag.py'), 'import os\n\n\n\n\n\n\n\nfrom google.cloud import storage\n');
  writeFileSync(join(dags, 'homework', 'fhv_dag.py'), 'with DAG(\n');
  writeFileSync(
    join(tools, 'result.txt'),
    `print from a DAG\n${MARKER}${JSON.stringify({
      folder: '/opt/airflow/dags',
      dags: 1,
      errors: [
        { filepath: '/opt/airflow/dags/data_ingestion_gcs_dag.py', error: MISSING_MODULE },
        { filepath: '/opt/airflow/dags/homework/fhv_dag.py', error: SYNTAX_ERROR },
      ],
    })}\n`,
  );
  return { folder, dags };
}

const check = (json: boolean) =>
  runDec(['--syllabus', SYLLABUS, 'homework', 'check', '2', ...(json ? ['--json'] : [])], {
    cwd: box.cwd,
    env: box.sandbox.env,
    timeoutMs: 60_000,
  });

describe('dec homework check: DAG import errors from the running scheduler', () => {
  it('lists them with file and line in the homework folder, in text and --json; exit 1', async () => {
    const { dags } = homework();
    await startScheduler(box.sandbox.project, dags);

    const text = await check(false);
    noUnexpectedError(text);
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toContain(
      `DAGs in homework/week2/dags as Airflow parses them (${NAME}): 1 loaded, 2 with import errors`,
    );
    expect(text.stdout).toContain(
      "homework/week2/dags/data_ingestion_gcs_dag.py:9: ModuleNotFoundError: No module named 'google.cloud'",
    );
    expect(text.stdout).toContain('homework/week2/dags/homework/fhv_dag.py:14: SyntaxError: invalid syntax');

    const json = await check(true);
    expect(json.code, json.stderr).toBe(1);
    const doc = JSON.parse(json.stdout) as {
      passed: boolean;
      dags: { parsed: boolean; folder: string; problems: Array<{ file: string; line: number; error: string }> };
    };
    expect(doc.passed).toBe(false);
    expect(doc.dags.folder).toBe(dags);
    expect(doc.dags.problems.map((p) => [p.file, p.line])).toEqual([
      [join(dags, 'data_ingestion_gcs_dag.py'), 9],
      [join(dags, 'homework', 'fhv_dag.py'), 14],
    ]);
    expect(doc.dags.problems[1]?.error).toBe(SYNTAX_ERROR);
  }, 120_000);

  it("another project's scheduler is not this one's; none running is one line and no failure (exit 0)", async () => {
    const { dags } = homework();
    await startScheduler(`${box.sandbox.project}-other`, dags);
    const result = await check(false);
    noUnexpectedError(result);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "DAGs not parsed: Airflow's scheduler is not running. Start Airflow: dec setup week2",
    );
    expect(result.stdout).not.toContain('fhv_dag.py');
  }, 120_000);
});

// The script dec runs in the scheduler, run by this machine's python3 against a stand-in `airflow`
// package whose DagBag does what Airflow 2.2's does for these files: import each .py of the dags folder
// and keep traceback.format_exc(limit=-2) for the ones that fail, logging as it goes.
const STAND_IN_DAGBAG = `import importlib.util, logging, os, traceback
class DagBag:
    def __init__(self, include_examples=True):
        assert include_examples is False
        self.dag_folder = os.environ["DAGS_FOLDER"]
        self.dags = {}
        self.import_errors = {}
        logging.getLogger("airflow.models.dagbag.DagBag").info("Filling up the DagBag from %s", self.dag_folder)
        for name in sorted(os.listdir(self.dag_folder)):
            path = os.path.join(self.dag_folder, name)
            try:
                spec = importlib.util.spec_from_file_location(name[:-3], path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                self.dags[name] = module
            except Exception:
                logging.getLogger("airflow.models.dagbag.DagBag").exception("Failed to import: %s", path)
                self.import_errors[path] = traceback.format_exc(limit=-2)
`;

describe("dec's parse script, run by python3", () => {
  it('prints one result line that dec reads into file, line and message, whatever the DAG files print', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dec-dags-python-'));
    try {
      mkdirSync(join(root, 'airflow', 'models'), { recursive: true });
      writeFileSync(join(root, 'airflow', '__init__.py'), '');
      writeFileSync(join(root, 'airflow', 'models', '__init__.py'), '');
      writeFileSync(join(root, 'airflow', 'models', 'dagbag.py'), STAND_IN_DAGBAG);
      const dags = join(root, 'dags');
      mkdirSync(dags);
      writeFileSync(
        join(dags, 'good_dag.py'),
        'print("a DAG file printing", end="")\nimport warnings\nwarnings.warn("old")\n',
      );
      writeFileSync(join(dags, 'missing_dag.py'), 'import os\n\nimport google_cloud_storage_not_here\n');
      writeFileSync(join(dags, 'syntax_dag.py'), 'from os import path\n\nwith DAG(\n');
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          'python3',
          ['-c', PARSE_SCRIPT],
          { env: { PATH: process.env.PATH, PYTHONPATH: root, DAGS_FOLDER: dags }, timeout: 30_000 },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout + stderr),
        );
      });
      const parsed = parseImportErrorsOutput(output);
      expect(parsed, output).toMatchObject({ folder: dags, dags: 1 });
      const problems = dagProblems(parsed!.errors, [{ source: '/home/ada/dags', target: dags }]);
      expect(problems.map((p) => [p.file, p.line, p.message])).toEqual([
        ['/home/ada/dags/missing_dag.py', 3, "ModuleNotFoundError: No module named 'google_cloud_storage_not_here'"],
        ['/home/ada/dags/syntax_dag.py', 3, expect.stringMatching(/^SyntaxError: /)],
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);
});
