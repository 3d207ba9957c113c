// `dec setup week5 --workers N --worker-cores C --worker-memory M`: how many Spark workers the cluster
// runs and what each offers, checked against the Docker engine and turned into overrides (the worker
// service's replicas and its SPARK_WORKER_CORES / SPARK_WORKER_MEMORY env), remembered like --port.
// Changing --workers only adds or removes worker containers (the count is not in the config hash);
// changing cores or memory restarts the workers with the new values. Pure but for the engine's size,
// which the caller passes in (undefined when the engine cannot be asked, e.g. --print-compose offline).
import { DecError } from '../errors.js';
import type { Stack } from '../syllabus/schema.js';
import { withJupyterToken } from './jupyter.js';
import type { Overrides } from './spec.js';

export interface WorkerFlags {
  workers?: string;
  workerCores?: string;
  workerMemory?: string;
}

/** What the engine has: its memory (bytes) and CPUs (docker info's MemTotal and NCPU). */
export interface EngineSize {
  memTotal: number;
  cpus: number;
}

const CORES_ENV = 'SPARK_WORKER_CORES';
const MEMORY_ENV = 'SPARK_WORKER_MEMORY';
/** As the schema's limit on replicas: a laptop's worth. */
const MAX_WORKERS = 20;
/** The course's workers advertise 4g each (its docker-compose.yml). */
const COURSE_WORKER_MB = 4096;
/** What the master and JupyterLab (with the driver) are left when dec picks the workers' memory. */
const RESERVED_MB = 2048;
const MIN_WORKER_MB = 512;

/** The stack's worker service: the one whose readiness is the Spark master's count of it. */
export function workerService(stack: Stack): string | undefined {
  return Object.entries(stack.services).find(([, spec]) => spec.ready && 'sparkWorkers' in spec.ready)?.[0];
}

/** "2g", "1536m" (Spark's own notation for SPARK_WORKER_MEMORY) → MiB; undefined when it is not one. */
export function memoryMb(text: string): number | undefined {
  const match = /^(\d+)\s*([mg])b?$/i.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  return match[2]!.toLowerCase() === 'g' ? amount * 1024 : amount;
}

/** MiB → Spark's notation: whole gigabytes as "2g", else "1536m". */
export function sparkMemory(mb: number): string {
  return mb % 1024 === 0 ? `${mb / 1024}g` : `${mb}m`;
}

/**
 * The memory dec gives each worker when the student names none: the engine's memory less what the
 * master and JupyterLab need, shared by the workers, at most the course's 4g and at least 512m, in
 * steps of 256m.
 */
export function defaultWorkerMb(engine: EngineSize, workers: number): number {
  const engineMb = Math.floor(engine.memTotal / 1024 ** 2);
  const share = Math.floor((engineMb - RESERVED_MB) / workers / 256) * 256;
  return Math.min(COURSE_WORKER_MB, Math.max(MIN_WORKER_MB, share));
}

function wholeNumber(flag: string, text: string, max: number, example: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || value < 1 || value > max) {
    throw new DecError(`${flag}: "${text}" is not a whole number from 1 to ${max}.`, {
      hint: `For example ${flag} ${example}`,
    });
  }
  return value;
}

/** The overrides after the worker flags (a new object), and warnings to show. */
export function applyWorkerFlags(
  current: Overrides,
  flags: WorkerFlags,
  stack: Stack,
  stackId: string,
  engine: EngineSize | undefined,
): { overrides: Overrides; warnings: string[] } {
  const service = workerService(stack);
  const given = (['workers', 'workerCores', 'workerMemory'] as const).filter((flag) => flags[flag] !== undefined);
  if (!service) {
    if (given.length > 0) {
      const flag = `--${given[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new DecError(`${flag} is for a Spark cluster, and the ${stackId} stack has no Spark workers.`, {
        hint: 'Week 5 has one: dec setup week5 --workers 3',
      });
    }
    return { overrides: current, warnings: [] };
  }
  const spec = stack.services[service]!;
  const replicas = { ...current.replicas };
  if (flags.workers !== undefined) replicas[service] = wholeNumber('--workers', flags.workers, MAX_WORKERS, '3');
  const workers = replicas[service] ?? spec.replicas ?? 1;
  const env = { ...current.env[service] };
  const engineMb = engine ? Math.floor(engine.memTotal / 1024 ** 2) : undefined;

  if (flags.workerCores !== undefined) {
    const cores = wholeNumber('--worker-cores', flags.workerCores, 64, '1');
    if (engine && cores > engine.cpus)
      throw new DecError(`--worker-cores ${cores}: the Docker engine has ${engine.cpus} CPUs.`, {
        hint: `Give each worker at most ${engine.cpus}: --worker-cores ${engine.cpus}`,
      });
    env[CORES_ENV] = String(cores);
  }
  if (flags.workerMemory !== undefined) {
    const mb = memoryMb(flags.workerMemory);
    if (mb === undefined || mb < MIN_WORKER_MB)
      throw new DecError(
        `--worker-memory: "${flags.workerMemory}" is not an amount of memory of at least 512m, as Spark writes it.`,
        { hint: 'For example --worker-memory 2g or --worker-memory 1536m' },
      );
    if (engineMb !== undefined && mb > engineMb)
      throw new DecError(
        `--worker-memory ${flags.workerMemory}: the Docker engine has ${sparkMemory(engineMb)} (${(engineMb / 1024).toFixed(1)} GiB) in all.`,
        {
          hint: `Give each worker less, e.g. --worker-memory ${sparkMemory(defaultWorkerMb(engine!, workers))}, or give Docker more memory (dec doctor --only docker-memory).`,
        },
      );
    env[MEMORY_ENV] = sparkMemory(mb);
  } else if (env[MEMORY_ENV] === undefined && engine) {
    // Not chosen before: derived once from the engine, then remembered (scaling later keeps it).
    env[MEMORY_ENV] = sparkMemory(defaultWorkerMb(engine, workers));
  }

  const warnings: string[] = [];
  const each = memoryMb(env[MEMORY_ENV] ?? spec.env?.[MEMORY_ENV] ?? '');
  if (engineMb !== undefined && each !== undefined && each * workers > engineMb - RESERVED_MB / 2) {
    warnings.push(
      `${workers} workers × ${sparkMemory(each)} is more than the Docker engine's ${(engineMb / 1024).toFixed(1)} GiB leaves them: a job that uses it all gets its executors killed. Fewer workers, or --worker-memory ${sparkMemory(defaultWorkerMb(engine!, workers))}.`,
    );
  }
  return {
    overrides: {
      ...current,
      env: Object.keys(env).length > 0 ? { ...current.env, [service]: env } : current.env,
      ...(Object.keys(replicas).length > 0 ? { replicas } : {}),
    },
    warnings,
  };
}

/** Whether the worker flags need the engine's size: a memory or cores to check, or a default to derive. */
function needsEngineSize(current: Overrides, flags: WorkerFlags, stack: Stack): boolean {
  const service = workerService(stack);
  if (!service) return false;
  return (
    flags.workerCores !== undefined ||
    flags.workerMemory !== undefined ||
    current.env[service]?.[MEMORY_ENV] === undefined
  );
}

/**
 * The overrides after week 5's flags, for `dec setup`: the worker flags (the engine's size asked only
 * when needed) and JupyterLab's token (made once). Stacks without workers or a token pass unchanged.
 */
export async function clusterSettings(
  current: Overrides,
  flags: WorkerFlags,
  stack: Stack,
  stackId: string,
  engineSize: () => Promise<EngineSize | undefined>,
): Promise<{ overrides: Overrides; warnings: string[] }> {
  const size = needsEngineSize(current, flags, stack) ? await engineSize() : undefined;
  const applied = applyWorkerFlags(current, flags, stack, stackId, size);
  return { overrides: withJupyterToken(applied.overrides, stack), warnings: applied.warnings };
}
