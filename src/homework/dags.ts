// DAG import errors before a run, as the running Airflow scheduler sees them (what `astro dev parse`
// gives Astronomer users): a fresh DagBag parse inside the scheduler's container, its import errors
// with file and line, the container's paths mapped back to the student's folders.
//
// `airflow dags list-import-errors` would say the same, but it came with Airflow 2.3 and the course's
// image is 2.2.3; so dec runs the few lines of Python that command runs (a DagBag of the dags folder,
// its import_errors) and reads the same shape: a file path and the error text (a traceback).
import { posix } from 'node:path';
import { DEC_LABELS, projectOf, type ContainerSummary, type ExecResult } from '../docker/client.js';
import type { Course, CourseWeek } from '../syllabus/course.js';

/** The Docker calls the check makes, injected (the real client, or a fake in unit tests). */
export interface SchedulerEngine {
  listContainers(): Promise<ContainerSummary[]>;
  execInContainer(id: string, command: string[], timeoutMs: number): Promise<ExecResult>;
}

/** One DAG file Airflow cannot import. */
export interface DagProblem {
  /** Where the student edits it: the host path, when the dags folder is mounted from this machine. */
  file?: string;
  /** The path inside the scheduler's container, as Airflow reports it. */
  containerPath: string;
  /** The line in that file the traceback points at, when it does. */
  line?: number;
  /** The exception, one line ("ModuleNotFoundError: No module named 'foo'"). */
  message: string;
  /** Airflow's full error text (the traceback). */
  error: string;
}

export type DagCheck =
  | {
      parsed: true;
      /** The scheduler container that parsed them. */
      container: string;
      /** The dags folder Airflow reads: the host path, when it is mounted from this machine. */
      folder?: string;
      /** The dags folder inside the container. */
      containerFolder: string;
      /** DAGs that loaded. */
      dags: number;
      problems: DagProblem[];
    }
  | {
      parsed: false;
      /** Why not, one line. */
      reason: string;
      /** What to run to have them parsed. */
      hint: string;
    };

/** Printed before the result line, so that what the DAG files print themselves cannot be taken for it. */
export const RESULT_MARKER = 'DEC-DAG-IMPORT-ERRORS ';

/**
 * What `airflow dags list-import-errors -o json` does (Airflow 2.3+), for Python 3.7 and Airflow 2.x:
 * the dags folder the scheduler is configured with, without Airflow's example DAGs. Airflow's logging
 * and Python's warnings are silenced so that the one result line is all that matters in the output.
 */
export const PARSE_SCRIPT = [
  'import json, logging, sys, warnings',
  'warnings.simplefilter("ignore")',
  'from airflow.models.dagbag import DagBag',
  'logging.disable(logging.CRITICAL)',
  'bag = DagBag(include_examples=False)',
  'errors = [{"filepath": f, "error": e} for f, e in sorted(bag.import_errors.items())]',
  `sys.stdout.write("\\n${RESULT_MARKER}" + json.dumps({"folder": bag.dag_folder, "dags": len(bag.dags), "errors": errors}) + "\\n")`,
  'sys.stdout.flush()',
].join('\n');

/** Airflow's import takes seconds on a laptop, and each DAG file may take up to its own 30 s limit. */
const PARSE_TIMEOUT_MS = 120_000;

interface ParseOutput {
  folder: string;
  dags: number;
  errors: Array<{ filepath: string; error: string }>;
}

/** The result line in the exec's output (stdout and stderr together), or undefined when there is none. */
export function parseImportErrorsOutput(output: string): ParseOutput | undefined {
  const line = output
    .split(/\r?\n/)
    .reverse()
    .find((l) => l.startsWith(RESULT_MARKER));
  if (line === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(line.slice(RESULT_MARKER.length));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { folder, dags, errors } = data as Record<string, unknown>;
  if (!Array.isArray(errors)) return undefined;
  return {
    folder: typeof folder === 'string' ? folder : '',
    dags: typeof dags === 'number' ? dags : 0,
    errors: errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({ filepath: String(e.filepath ?? ''), error: String(e.error ?? '') })),
  };
}

/**
 * The line of `file` a traceback points at: its last `File "<file>", line N` (the innermost frame in
 * that file; a SyntaxError's location has no ", in <module>"), or the error's own "line N" otherwise
 * (a bare message such as "invalid syntax (x.py, line 7)").
 */
export function lineOf(error: string, file: string): number | undefined {
  let found: number | undefined;
  for (const match of error.matchAll(/File "([^"]+)", line (\d+)/g)) {
    if (match[1] === file) found = Number(match[2]);
  }
  if (found !== undefined) return found;
  const base = posix.basename(file);
  const bare = new RegExp(`\\(${escapeRegExp(base)}, line (\\d+)\\)`).exec(error);
  return bare ? Number(bare[1]) : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The exception itself, one line: the first line after the traceback's last frame that is not part of
 * it (frames and their code lines are indented), else the first line that is not blank. Airflow's own
 * messages go on after it (a DagBag import timeout adds links to its docs), so the first line is the one.
 */
export function messageOf(error: string): string {
  const lines = error.split(/\r?\n/).map((l) => l.trimEnd());
  let lastFrame = -1;
  lines.forEach((l, i) => {
    if (/^\s+File "/.test(l)) lastFrame = i;
  });
  const after = lines.slice(lastFrame + 1).find((l) => l !== '' && !/^\s/.test(l));
  return (after ?? lines.find((l) => l.trim() !== '') ?? error).trim();
}

interface Bind {
  source: string;
  target: string;
}

/** A path inside the container, as a host path through the longest bind that holds it; undefined when none does. */
export function hostPathOf(containerPath: string, binds: readonly Bind[]): string | undefined {
  const holding = binds
    .map((b) => ({ ...b, target: b.target.replace(/\/+$/, '') }))
    .filter((b) => containerPath === b.target || containerPath.startsWith(`${b.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
  if (!holding) return undefined;
  const rest = containerPath.slice(holding.target.length).replace(/^\/+/, '');
  if (rest === '') return holding.source;
  // The source is a host path (which may be Windows-shaped); the rest is always posix.
  const separator = /^[A-Za-z]:\\/.test(holding.source) ? '\\' : '/';
  return `${holding.source.replace(/[\\/]+$/, '')}${separator}${rest.split('/').join(separator)}`;
}

/** Airflow's import errors as problems, paths mapped to the host through the scheduler's binds. */
export function dagProblems(errors: ParseOutput['errors'], binds: readonly Bind[]): DagProblem[] {
  return errors.map(({ filepath, error }) => {
    const line = lineOf(error, filepath);
    const file = hostPathOf(filepath, binds);
    return {
      ...(file === undefined ? {} : { file }),
      containerPath: filepath,
      ...(line === undefined ? {} : { line }),
      message: messageOf(error),
      error,
    };
  });
}

/** The week's stack when it runs Airflow (a service with "scheduler" in its name), else undefined. */
export function airflowStackOf(course: Pick<Course, 'stacks'>, week: Pick<CourseWeek, 'setup'>): string | undefined {
  const stack = week.setup?.stack;
  if (stack === undefined) return undefined;
  const services = Object.keys(course.stacks[stack]?.services ?? {});
  return services.some((service) => service.includes('scheduler')) ? stack : undefined;
}

/**
 * The running scheduler of the week's stack: a dec container of this project whose stack is `stack`
 * (or a variant of it, `stack-light`) and whose service name has "scheduler" in it.
 */
export function findScheduler(
  containers: readonly ContainerSummary[],
  project: string,
  stack: string,
): ContainerSummary | undefined {
  const ofStack = (c: ContainerSummary) => {
    const label = c.labels[DEC_LABELS.stack];
    return label === stack || label?.startsWith(`${stack}-`) === true;
  };
  return containers.find(
    (c) =>
      c.state === 'running' &&
      projectOf(c.labels) === project &&
      ofStack(c) &&
      (c.labels[DEC_LABELS.service] ?? '').includes('scheduler'),
  );
}

export interface DagCheckOptions {
  project: string;
  stack: string;
  /** The command that starts the stack, for the hint when it is not running. */
  setupCommand: string;
  timeoutMs?: number;
}

/**
 * Asks the running scheduler to parse the DAGs. Never throws for Airflow being away, slow or broken:
 * that is `parsed: false` with the reason, since the DAGs' errors are then unknown, not found.
 */
export async function checkDags(engine: SchedulerEngine, options: DagCheckOptions): Promise<DagCheck> {
  const timeoutMs = options.timeoutMs ?? PARSE_TIMEOUT_MS;
  const notParsed = (reason: string, hint = `Start Airflow: ${options.setupCommand}`): DagCheck => ({
    parsed: false,
    reason,
    hint,
  });
  let containers: ContainerSummary[];
  try {
    containers = await engine.listContainers();
  } catch (error) {
    return notParsed(
      `the Docker engine cannot be reached (${firstLine(error)})`,
      'Run `dec doctor --only docker` for the fix.',
    );
  }
  const scheduler = findScheduler(containers, options.project, options.stack);
  if (!scheduler) return notParsed("Airflow's scheduler is not running");
  let result: ExecResult;
  try {
    result = await withTimeout(
      // The client's own limit comes later, so a slow parse is told as such, not as a silent engine.
      engine.execInContainer(scheduler.id, ['python', '-c', PARSE_SCRIPT], timeoutMs + 5000),
      timeoutMs,
    );
  } catch (error) {
    if (error instanceof ParseTimeout) {
      return notParsed(
        `Airflow did not finish parsing the DAGs within ${Math.round(timeoutMs / 1000)} s (${scheduler.name})`,
        `See what it is doing: docker logs --tail 50 ${scheduler.name}`,
      );
    }
    return notParsed(`dec could not run Airflow in ${scheduler.name}: ${firstLine(error)}`);
  }
  const parsed = parseImportErrorsOutput(result.output);
  if (!parsed) {
    const last = messageOf(result.output || `exit code ${result.exitCode}`);
    return notParsed(
      `Airflow in ${scheduler.name} did not list its import errors (exit code ${result.exitCode}: ${last})`,
      `See the scheduler's log: docker logs --tail 50 ${scheduler.name}`,
    );
  }
  const binds = scheduler.binds ?? [];
  const folder = hostPathOf(parsed.folder, binds);
  return {
    parsed: true,
    container: scheduler.name,
    ...(folder === undefined ? {} : { folder }),
    containerFolder: parsed.folder,
    dags: parsed.dags,
    problems: dagProblems(parsed.errors, binds),
  };
}

class ParseTimeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ParseTimeout()), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/\.$/, '');
}
