// `dec run <week> <command...>`: a course CLI (dbt, airflow, spark-submit, kafka-topics) run in a one-off
// container of the stack's tool service, as `docker compose run --rm` would: the service's image, env,
// bound folders (the student's project), user and networks, with the student's command line verbatim.
//
// Why a one-off container and not `docker exec` in the running service: the engine cannot signal an
// exec'd process (Ctrl-C would leave it running), while a container of its own gets SIGINT from
// `docker kill`, reports its exit code through `wait`, and is gone afterwards. It also works for tools
// with no long-running service (week 4's dbt runs once per command) and never disturbs the service's
// own process. Named volumes are not mounted: a tool command does not need a service's data, and a
// second container on a database's volume is what corrupts it.
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { DEC_LABELS, belongsToStack, type ContainerSummary, type DockerClient } from '../docker/client.js';
import type { ContainerRunner } from '../docker/runner.js';
import { DecError, ExitCode } from '../errors.js';
import type { StackTool } from '../syllabus/schema.js';
import type { DesiredService, DesiredStack } from './spec.js';

/** On a one-off container: the stack it ran a command for (no dec.stack: setup and status never take it for the service). */
const RUN_LABEL = 'dec.run';

export interface ToolTarget {
  /** "week4": what the student typed, for messages. */
  stackId: string;
  /** The week's label as `dec setup` takes it. */
  week: string;
  tool: StackTool;
  /** The stack as setup runs it (remembered flags, secrets, the project; binds under the workspace). */
  desired: DesiredStack;
}

/** The student's terminal (stdin only when it is one: then a TTY is allocated, as docker run -it). */
export interface RunIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  terminal?: {
    input: NodeJS.ReadableStream & { setRawMode?(raw: boolean): unknown };
    size(): { rows: number; columns: number } | undefined;
    onResize(listener: () => void): () => void;
  };
}

export interface RunDeps {
  client: DockerClient;
  runner: ContainerRunner;
  /** Aborted by Ctrl-C (SIGINT), SIGTERM or SIGHUP. */
  signal: AbortSignal;
  /** The folder dec runs in: inside a bound folder, the command runs in the matching one. */
  cwd: string;
  /** How long the command gets after SIGINT before it is killed. */
  killGraceMs?: number;
}

/** ETX: Ctrl-C typed at a raw terminal. */
const CTRL_C = 0x03;

/** The command line after the week, as typed; a leading `--` only separates it from dec's own options. */
export function toolCommand(args: readonly string[], target: Pick<ToolTarget, 'stackId' | 'tool'>): string[] {
  const command = args[0] === '--' ? args.slice(1) : [...args];
  if (command.length === 0 || command[0] === '') {
    const example = target.tool.example ?? `${target.tool.service} --help`;
    throw new DecError(`dec run ${target.stackId}: which command? Nothing came after the week.`, {
      hint: `For example: dec run ${target.stackId} ${example}`,
    });
  }
  return command;
}

/** The folder the command starts in: the one matching dec's own inside a bound folder, else the tool's. */
export function toolWorkdir(service: Pick<DesiredService, 'binds'>, tool: StackTool, cwd: string): string | undefined {
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  const here = real(cwd);
  for (const bind of service.binds) {
    const inside = relative(real(bind.source), here);
    if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside)))
      return inside === '' ? bind.target : `${bind.target.replace(/\/$/, '')}/${inside.split(sep).join('/')}`;
  }
  return tool.workdir;
}

function notSetUp(target: ToolTarget, why: string): DecError {
  return new DecError(`The ${target.stackId} stack is not set up: ${why}.`, {
    hint: `Set it up first: dec setup ${target.week}`,
  });
}

/** The image the stack's tool service runs, and the networks a one-off container joins; or why not. */
async function toolEnvironment(
  client: DockerClient,
  target: ToolTarget,
  service: DesiredService,
): Promise<{ image: string; networks: string[]; binds: DesiredService['binds'] }> {
  const containers = await client.listContainers();
  const own: ContainerSummary | undefined = containers.find(
    (c) =>
      belongsToStack(c, target.desired.project, target.stackId, service.service) && c.name === service.containerName,
  );
  if (!own) throw notSetUp(target, `it has no ${service.service} container`);
  // The image that container runs (for a built one, the tag of the digest setup built).
  if (!(await client.imageExists(own.image))) throw notSetUp(target, `its image ${own.image} is gone`);
  if (!(await client.networkExists(target.desired.network)))
    throw notSetUp(target, `its network ${target.desired.network} is gone`);
  const networks: string[] = [];
  for (const joined of service.networks) {
    if (await client.networkExists(joined.network)) networks.push(joined.network);
    else if (!joined.optional)
      throw new DecError(
        `${service.service} needs the network ${joined.network} of the ${joined.stack} stack, which is not set up.`,
        { hint: `Start it first: dec setup ${joined.stack}` },
      );
  }
  // The folders setup mounted (from the workspace it ran in), wherever dec runs now.
  const binds = service.binds.map((bind) => {
    const source = own.binds?.find((b) => b.target === bind.target)?.source ?? bind.source;
    return { ...bind, source };
  });
  for (const bind of binds)
    if (!existsSync(bind.source))
      throw new DecError(`The folder ${bind.source} (mounted at ${bind.target}) is gone.`, {
        hint: `dec setup ${target.week} makes it again (empty); put your project back in it first if you moved it.`,
      });
  return { image: own.image, networks, binds };
}

/**
 * Runs the command to its end and answers dec's exit code: the command's own, or 130 after Ctrl-C
 * (the command got SIGINT; killed when it does not stop within the grace period). The container is
 * removed in every case.
 */
export async function runTool(target: ToolTarget, args: readonly string[], io: RunIo, deps: RunDeps): Promise<number> {
  const { client, runner, signal } = deps;
  const command = toolCommand(args, target);
  const service = target.desired.services.find((s) => s.service === target.tool.service);
  if (!service) throw new Error(`the stack ${target.stackId} has no service ${target.tool.service}`);
  const { image, networks, binds } = await toolEnvironment(client, target, service);
  if (signal.aborted) return ExitCode.interrupted;
  const tty = io.terminal !== undefined;
  const name = `${target.desired.project}-${target.stackId}-run-${randomBytes(3).toString('hex')}`;
  const id = await runner.create({
    name,
    image,
    env: service.env,
    command,
    entrypoint: service.entrypoint,
    user: service.user,
    workdir: toolWorkdir({ binds }, target.tool, deps.cwd),
    labels: {
      [DEC_LABELS.project]: target.desired.project,
      [DEC_LABELS.syllabus]: service.labels[DEC_LABELS.syllabus] ?? '',
      [RUN_LABEL]: target.stackId,
    },
    network: target.desired.network,
    binds: binds.map((b) => ({ source: b.source, target: b.target, readOnly: b.readOnly })),
    tty,
    stdin: tty,
  });
  let interrupted = false;
  const restore: Array<() => void> = [];
  try {
    for (const network of networks) await runner.connect(id, network);
    const streams = await runner.attach(id, { stdin: tty, tty });
    streams.stdout.pipe(io.stdout, { end: false });
    streams.stderr.pipe(io.stderr, { end: false });
    const exited = runner.wait(id);
    // Returned early (Ctrl-C before start), nobody awaits it: its end must not be an unhandled rejection.
    exited.catch(() => undefined);
    if (signal.aborted) return ExitCode.interrupted;
    await runner.start(id);
    if (io.terminal && streams.stdin)
      restore.push(
        forwardTerminal(
          io.terminal,
          streams.stdin,
          () => (interrupted = true),
          (rows, columns) => runner.resize(id, rows, columns),
        ),
      );
    const onAbort = () => {
      interrupted = true;
      void stopGently(runner, id, exited, deps.killGraceMs ?? 10_000);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    restore.push(() => signal.removeEventListener('abort', onAbort));
    if (signal.aborted) onAbort();
    const code = await exited;
    // The last output may still be on its way when wait answers.
    await Promise.race([streams.ended, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    return interrupted ? ExitCode.interrupted : code;
  } finally {
    for (const undo of restore.reverse()) undo();
    await runner.remove(id).catch(() => undefined);
  }
}

/** SIGINT, as Ctrl-C in a terminal would send it; SIGKILL when the command ignores it for `graceMs`. */
async function stopGently(runner: ContainerRunner, id: string, exited: Promise<number>, graceMs: number) {
  await runner.kill(id, 'SIGINT').catch(() => undefined);
  const timer = setTimeout(() => void runner.kill(id, 'SIGKILL').catch(() => undefined), graceMs);
  await exited.catch(() => undefined);
  clearTimeout(timer);
}

/**
 * The student's keys go to the command's terminal as typed (raw mode, as docker run -it): Ctrl-C
 * reaches the command through its TTY and is remembered, so dec exits 130. Answers the undo.
 */
function forwardTerminal(
  terminal: NonNullable<RunIo['terminal']>,
  stdin: NodeJS.WritableStream,
  onCtrlC: () => void,
  resize: (rows: number, columns: number) => Promise<void>,
): () => void {
  const { input } = terminal;
  input.setRawMode?.(true);
  const onData = (chunk: Buffer) => {
    if (chunk.includes(CTRL_C)) onCtrlC();
    stdin.write(chunk);
  };
  input.on('data', onData);
  input.resume?.();
  const sizeUp = () => {
    const size = terminal.size();
    if (size) void resize(size.rows, size.columns).catch(() => undefined);
  };
  sizeUp();
  const stopResize = terminal.onResize(sizeUp);
  return () => {
    stopResize();
    input.off('data', onData);
    input.setRawMode?.(false);
    input.pause?.();
  };
}
