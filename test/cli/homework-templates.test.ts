// The homework templates under templates/homework/: placeholders, escapes and dotfiles follow the scaffolder's
// conventions, and the rendered files are valid for the real tools (terraform fmt, python3, YAML).
// Rendering here is a tiny local copy of the rules on purpose, so these files are tested on their own.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PLACEHOLDERS, renderTemplate, type TemplateValues } from '../../src/homework/render.js';
import { REPO_ROOT } from '../helpers/run.js';

const TEMPLATES = join(REPO_ROOT, 'templates', 'homework');
// dez-2022's weeks by id, and the one template every dez-2026 module shares.
const FOLDERS = ['week-1', 'week-2', 'week-3', 'week-4', 'week-5', 'week-6', 'project', 'dez-2026-module'];
// The placeholders dec fills in, as the scaffolder defines them.
const ALLOWED: readonly string[] = PLACEHOLDERS;
// Template files whose name starts with `_` become dotfiles; nothing else may start with one (`__init__.py` would
// be scaffolded as `._init__.py`).
const DOTFILES = ['_gitignore'];

const SAMPLE: Record<string, string> = {
  student: "Ada O'Neill",
  week: '1',
  week_title: 'Introduction & Prerequisites',
  cohort: '2022',
  due: '2022-01-26',
  gcp_project: 'dtc-de-338412',
  region: 'europe-west6',
  dataset_urls:
    '- Yellow taxi trip records 2021-01: https://github.com/DataTalksClub/nyc-tlc-data/releases/download/yellow/yellow_tripdata_2021-01.csv.gz',
  questions: '### Question 1 (`q1`, 1 point)\n\nHow many trips?\n\n**Answer:** ',
};

/** The scaffolder's own rendering, with sample values. */
function render(text: string): string {
  return renderTemplate(text, SAMPLE as TemplateValues);
}

/** Every `{{...}}` that is neither an escape nor an allowed placeholder, and any unpaired `{{` or `}}`. */
function badBraces(text: string): string[] {
  const bad: string[] = [];
  const rest = text
    .replaceAll('{{{{', '')
    .replaceAll('}}}}', '')
    .replace(/\{\{([^{}]*)\}\}/g, (whole, name: string) => {
      if (!ALLOWED.includes(name)) bad.push(whole);
      return '';
    });
  for (const stray of rest.match(/\{\{|\}\}/g) ?? []) bad.push(`unpaired ${stray}`);
  return bad;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const read = (path: string): string => readFileSync(path, 'utf8');
const template = (...parts: string[]): string => join(TEMPLATES, ...parts);

const scratch = mkdtempSync(join(tmpdir(), 'dec-hw-templates-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Renders the given template files into a fresh folder under the scratch dir, keeping their relative paths. */
function renderInto(name: string, files: string[]): string {
  const out = join(scratch, name);
  for (const file of files) {
    const target = join(out, relative(TEMPLATES, file));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, render(read(file)));
  }
  return out;
}

interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a real binary; a missing binary fails the test (ENOENT ends up in stderr with a non-zero code). */
function run(command: string, args: string[], timeout = 30_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout, env: { ...process.env, TF_IN_AUTOMATION: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      const why = error && typeof error.code !== 'number' ? `\n${command}: ${error.message}` : '';
      resolve({ code, stdout, stderr: `${stderr}${why}` });
    });
  });
}

describe('homework templates: layout', () => {
  it('has one folder per week id, each with a README holding the generated blocks', () => {
    expect(readdirSync(TEMPLATES).sort()).toEqual([...FOLDERS].sort());
    for (const folder of FOLDERS) {
      const readme = read(template(folder, 'README.md'));
      expect(readme, folder).toContain('{{questions}}');
      expect(readme, folder).toContain('{{dataset_urls}}');
      expect(readme, folder).toContain('dec homework check {{week}}');
      // dez-2026's entries include a workshop (number 10, label W1): its heading is the title alone.
      if (folder === 'dez-2026-module') expect(readme).toMatch(/^# Homework: \{\{week_title\}\}/);
      else expect(readme, folder).toMatch(/^# .*\{\{week\}\}.*\{\{week_title\}\}/);
      for (const name of ['student', 'cohort', 'due']) expect(readme, `${folder} ${name}`).toContain(`{{${name}}}`);
    }
  });

  it('has the files each week needs', () => {
    const expected: Record<string, string[]> = {
      'week-1': ['queries.sql', 'terraform/main.tf', 'terraform/variables.tf', 'terraform/_gitignore'],
      'week-2': ['dags/data_ingestion_dag.py', '_gitignore'],
      'week-3': ['bigquery.sql'],
      'week-4': [
        'dbt_project.yml',
        'models/staging/stg_fhv_tripdata.sql',
        'models/staging/schema.yml',
        'models/core/fact_fhv_trips.sql',
        '_gitignore',
      ],
      'week-5': ['spark_homework.py'],
      'week-6': ['producer.py', 'consumer.py'],
      project: [],
    };
    for (const [folder, files] of Object.entries(expected)) {
      const present = filesUnder(template(folder)).map((file) => relative(template(folder), file));
      expect(present.sort(), folder).toEqual(['README.md', ...files].sort());
    }
  });

  it('stores dotfiles as _name and has no other names starting with _ or .', () => {
    for (const file of filesUnder(TEMPLATES)) {
      for (const part of relative(TEMPLATES, file).split('/')) {
        expect(part.startsWith('.'), file).toBe(false);
        if (part.startsWith('_')) expect(DOTFILES, file).toContain(part);
      }
    }
  });

  it('uses only the known placeholders; literal braces are written {{{{ and }}}}', () => {
    for (const file of filesUnder(TEMPLATES)) expect(badBraces(read(file)), relative(TEMPLATES, file)).toEqual([]);
  });

  it('leaves nothing unrendered and no escape behind once rendered', () => {
    for (const file of filesUnder(TEMPLATES)) {
      const rendered = render(read(file));
      expect(rendered, file).not.toMatch(new RegExp(`\\{\\{(${ALLOWED.join('|')})\\}\\}`));
      expect(rendered, file).not.toContain('{{{{');
    }
  });

  it('marks one block per SQL question in week 1, on the homework tables', () => {
    const sql = read(template('week-1', 'queries.sql'));
    const markers = [...sql.matchAll(/^-- (q\d+):/gm)].map((match) => match[1]);
    expect(markers).toEqual(['q3', 'q4', 'q5', 'q6']);
    for (const word of ['yellow_taxi_trips', 'zones', 'tpep_pickup_datetime', '"PULocationID"', '"DOLocationID"']) {
      expect(sql).toContain(word);
    }
    for (const word of ['tip_amount', 'total_amount', '"LocationID"', '"Zone"']) expect(sql).toContain(word);
  });
});

describe('homework templates: the rendered files pass the real tools', () => {
  it('week 1 Terraform is `terraform fmt` clean', async () => {
    const files = filesUnder(template('week-1', 'terraform')).filter((file) => file.endsWith('.tf'));
    expect(files).toHaveLength(2);
    const dir = renderInto('terraform', files);
    const variables = read(join(dir, 'week-1', 'terraform', 'variables.tf'));
    expect(variables).toContain(`default     = "${SAMPLE.gcp_project}"`);
    expect(variables).toContain(`default     = "${SAMPLE.region}"`);
    const main = read(join(dir, 'week-1', 'terraform', 'main.tf'));
    expect(main).toContain('name          = "dtc_data_lake_${var.project}"');
    // The terraform binary is required: CI has it, and a missing one must fail here, not skip.
    const result = await run(process.env.DEC_TEST_TERRAFORM ?? 'terraform', [
      'fmt',
      '-check',
      '-recursive',
      '-diff',
      dir,
    ]);
    expect(result, `terraform fmt -check:\n${result.stdout}\n${result.stderr}`).toMatchObject({ code: 0 });
  });

  it('`terraform fmt -check` in this test does catch misaligned files', async () => {
    const dir = join(scratch, 'terraform-bad');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.tf'), 'variable "x" {\n  type = string\n  default     = "y"\n}\n');
    const result = await run(process.env.DEC_TEST_TERRAFORM ?? 'terraform', ['fmt', '-check', '-recursive', dir]);
    expect(result.code).toBe(3);
  });

  it('week 4 dbt models keep their Jinja, and the YAML parses', () => {
    const fact = render(read(template('week-4', 'models', 'core', 'fact_fhv_trips.sql')));
    expect(fact).toContain("{{ ref('stg_fhv_tripdata') }}");
    const staging = render(read(template('week-4', 'models', 'staging', 'stg_fhv_tripdata.sql')));
    expect(staging).toContain("{{ source('staging', 'fhv_tripdata') }}");
    expect(staging).toContain("{% if var('is_test_run'");
    for (const sql of [fact, staging]) {
      expect(sql.match(/\{\{/g)?.length).toBe(sql.match(/\}\}/g)?.length);
    }
    const project = parseYaml(render(read(template('week-4', 'dbt_project.yml')))) as Record<string, unknown>;
    // The 2022 project's profile, seed folder and vars (stacks.md B.2.2), and the profile dec setup week4 writes.
    expect(project).toMatchObject({
      name: 'taxi_rides_ny',
      profile: 'pg-dbt-workshop',
      'seed-paths': ['data'],
      vars: { is_test_run: true, payment_type_values: [1, 2, 3, 4, 5, 6] },
    });
    const schema = parseYaml(render(read(template('week-4', 'models', 'staging', 'schema.yml')))) as {
      sources: { database: string; schema: string }[];
    };
    expect(schema.sources[0]).toMatchObject({ database: 'production', schema: 'trips_data_all' });
  });

  it('week 3 BigQuery SQL names the project and the FHV bucket', () => {
    const sql = render(read(template('week-3', 'bigquery.sql')));
    expect(sql).toContain(`\`${SAMPLE.gcp_project}.trips_data_all.external_fhv_tripdata\``);
    expect(sql).toContain(`gs://dtc_data_lake_${SAMPLE.gcp_project}/`);
    for (const word of ['CREATE OR REPLACE EXTERNAL TABLE', 'PARTITION BY', 'CLUSTER BY']) expect(sql).toContain(word);
  });

  it('the Python files compile', async () => {
    const files = filesUnder(TEMPLATES).filter((file) => file.endsWith('.py'));
    expect(files.map((file) => relative(TEMPLATES, file)).sort()).toEqual([
      'week-2/dags/data_ingestion_dag.py',
      'week-5/spark_homework.py',
      'week-6/consumer.py',
      'week-6/producer.py',
    ]);
    const dir = renderInto('python', files);
    const rendered = filesUnder(dir);
    const result = await run('python3', ['-m', 'py_compile', ...rendered]);
    expect(result, `py_compile:\n${result.stderr}`).toMatchObject({ code: 0 });
    const dag = read(join(dir, 'week-2', 'dags', 'data_ingestion_dag.py'));
    expect(dag).toContain("{{ execution_date.strftime('%Y-%m') }}");
    expect(dag).toContain('catchup=True');
    expect(dag).toContain('max_active_runs=3');
    expect(dag).toContain('curl -sSLf');
  });
});
