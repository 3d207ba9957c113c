// dec's one process runner: execa with an argument array (no shell), a timeout, killed when late, and
// never a rejection. The doctor's probes and its port-holder lookups (ss, lsof, netstat) both use it.

export interface ExecResult {
  /** undefined when the command could not start or was killed. */
  exitCode?: number;
  stdout: string;
  stderr: string;
  /** The command is not installed (not on PATH). */
  notFound: boolean;
  timedOut: boolean;
}

export interface ExecOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * After the timeout kills the command, how long its output may still take to end. A grandchild that
 * keeps the pipes open (`sh -c 'daemon &'`) would otherwise keep execa waiting for as long as it lives.
 */
const PIPE_GRACE_MS = 500;

function timedOutResult(): ExecResult {
  return { stdout: '', stderr: '', notFound: false, timedOut: true };
}

/** Runs `file` with `args` and exactly `options.env` (nothing inherited); resolves within timeoutMs + 0.5 s. */
export async function runCommand(
  file: string,
  args: readonly string[],
  options: Required<ExecOptions>,
): Promise<ExecResult> {
  const { execa } = await import('execa');
  let guard: NodeJS.Timeout | undefined;
  try {
    const subprocess = execa(file, args, {
      env: options.env,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
      windowsHide: true,
      stripFinalNewline: true,
    });
    const late = new Promise<undefined>((resolve) => {
      guard = setTimeout(() => {
        subprocess.kill('SIGKILL');
        // Closing our ends of the pipes lets execa settle in the background instead of waiting on a grandchild.
        subprocess.stdout?.destroy();
        subprocess.stderr?.destroy();
        resolve(undefined);
      }, options.timeoutMs + PIPE_GRACE_MS);
    });
    const result = await Promise.race([subprocess, late]);
    if (result === undefined) return timedOutResult();
    const code = (result as { code?: string }).code;
    return {
      exitCode: result.exitCode,
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      stderr: typeof result.stderr === 'string' ? result.stderr : '',
      notFound: code === 'ENOENT',
      timedOut: result.timedOut === true,
    };
  } catch {
    // execa reports failures in its result (reject: false); this is for the unforeseen.
    return { stdout: '', stderr: '', notFound: false, timedOut: false };
  } finally {
    clearTimeout(guard);
  }
}
