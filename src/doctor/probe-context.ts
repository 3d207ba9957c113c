// The real ProbeContext: processes through dec's one runner (util/exec.ts), files through node:fs,
// the machine's size through node:os, shared facts computed once, host ports through host-ports.ts, Postgres logins through postgres/login.ts, the Docker engine
// through docker-facts.ts. Everything a probe touches is wired here and nowhere else.
import { readFile, statfs } from 'node:fs/promises';
import { availableParallelism, release, totalmem } from 'node:os';
import { tryLogin } from '../postgres/login.js';
import { runCommand } from '../util/exec.js';
import { realDockerFacts } from './docker-facts.js';
import { realHostPorts } from './host-ports.js';
import type { Machine, Needs, PostgresLogins, ProbeContext } from './types.js';

export interface RealContextOptions {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  home: string;
  cwd: string;
  workspaceRoot?: string;
  needs: Needs;
  timeoutMs: number;
}

const machine: Machine = {
  uid: () => process.getuid?.(),
  release,
  cpus: availableParallelism,
  memoryBytes: totalmem,
  freeBytes: (path) =>
    statfs(path).then(
      (stats) => stats.bavail * stats.bsize,
      () => undefined,
    ),
};

const postgresLogins: PostgresLogins = {
  load: async () => {
    await import('pg');
  },
  tryLogin,
};

export function realProbeContext(options: RealContextOptions): ProbeContext {
  const { env, platform, home, timeoutMs } = options;
  const shared = new Map<string, Promise<unknown>>();
  const readText = (path: string) => readFile(path, 'utf8').catch(() => undefined);
  return {
    env,
    platform,
    arch: process.arch,
    home,
    cwd: options.cwd,
    workspaceRoot: options.workspaceRoot,
    needs: options.needs,
    timeoutMs,
    exec: (file, args, execOptions = {}) =>
      runCommand(file, args, { env: execOptions.env ?? env, timeoutMs: execOptions.timeoutMs ?? timeoutMs }),
    readFile: readText,
    once<T>(key: string, compute: () => Promise<T>): Promise<T> {
      let value = shared.get(key) as Promise<T> | undefined;
      if (!value) {
        value = compute();
        shared.set(key, value);
      }
      return value;
    },
    machine,
    ports: realHostPorts(env, platform),
    postgres: postgresLogins,
    docker: realDockerFacts({ env, platform, home, readFile: readText, timeoutMs }),
  };
}
