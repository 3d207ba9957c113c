// The real ProbeContext: processes through execa (argument arrays, a timeout, killed when late),
// files through node:fs, shared facts computed once.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { ExecOptions, ExecResult, Needs, ProbeContext } from './types.js';

export interface RealContextOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  workspaceRoot?: string;
  needs: Needs;
  timeoutMs: number;
}

async function exec(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: ExecOptions,
  fallbackMs: number,
): Promise<ExecResult> {
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    env: options.env ?? env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? fallbackMs,
    killSignal: 'SIGKILL',
    windowsHide: true,
    stripFinalNewline: true,
  });
  const code = (result as { code?: string }).code;
  return {
    exitCode: result.exitCode,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    notFound: code === 'ENOENT',
    timedOut: result.timedOut === true,
  };
}

export function realProbeContext(options: RealContextOptions): ProbeContext {
  const shared = new Map<string, Promise<unknown>>();
  return {
    env: options.env,
    platform: process.platform,
    arch: process.arch,
    home: options.env.HOME || options.env.USERPROFILE || homedir(),
    cwd: options.cwd,
    workspaceRoot: options.workspaceRoot,
    needs: options.needs,
    timeoutMs: options.timeoutMs,
    exec: (file, args, execOptions = {}) => exec(file, args, options.env, execOptions, options.timeoutMs),
    readFile: (path) => readFile(path, 'utf8').catch(() => undefined),
    once<T>(key: string, compute: () => Promise<T>): Promise<T> {
      let value = shared.get(key) as Promise<T> | undefined;
      if (!value) {
        value = compute();
        shared.set(key, value);
      }
      return value;
    },
  };
}
