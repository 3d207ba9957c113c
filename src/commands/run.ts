// dec run <week> <command...>: a course CLI in the week's stack, without installing it (src/setup/run.ts).
import type { CommandContext } from '../command-context.js';
import { connectDocker, DockerUnavailable, resolveDockerEndpoint, type DockerClient } from '../docker/client.js';
import { connectRunner, type ContainerRunner } from '../docker/runner.js';
import { DecError } from '../errors.js';
import { openSession } from '../session.js';
import { weekLabel } from '../syllabus/course.js';
import { runTool, toolCommand, type RunIo, type ToolTarget } from '../setup/run.js';
import { readOverrides, stackWith } from '../setup/state.js';
import { weekStack } from '../setup/variant.js';
import { withInterruptSignal } from '../util/time.js';
import { stdio } from '../output/stdio.js';

const DOCKER_QUERY_MS = 10_000;

/** The engine and the one-off container runner; tests pass their own. */
export interface RunCommandDeps {
  connect(ctx: CommandContext): Promise<{ client: DockerClient; runner: ContainerRunner }>;
  io(ctx: CommandContext): RunIo;
}

async function realConnect(ctx: CommandContext): Promise<{ client: DockerClient; runner: ContainerRunner }> {
  const endpoint = await resolveDockerEndpoint(ctx.env, ctx.platform, ctx.home);
  const client = await connectDocker(endpoint, DOCKER_QUERY_MS);
  try {
    await client.ping();
  } catch (error) {
    const reason = error instanceof DockerUnavailable ? error.message : String(error);
    throw new DecError(`Cannot reach the Docker engine: ${reason}.`, {
      hint: 'Start Docker, or run `dec doctor --only docker` for the exact fix.',
      cause: error,
    });
  }
  return { client, runner: await connectRunner(endpoint) };
}

/** dec's own streams; a TTY for the command only when stdin is one (as docker run -it at a terminal). */
function realIo(ctx: CommandContext): RunIo {
  const terminal = stdio.stdinIsTTY() && !ctx.terminal.json;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    ...(terminal
      ? {
          terminal: {
            input: process.stdin,
            size: () =>
              process.stdout.isTTY ? { rows: process.stdout.rows, columns: process.stdout.columns } : undefined,
            onResize: (listener: () => void) => {
              process.stdout.on('resize', listener);
              return () => void process.stdout.off('resize', listener);
            },
          },
        }
      : {}),
  };
}

const realDeps: RunCommandDeps = { connect: realConnect, io: realIo };

/** The week's stack and its tool, as `dec setup` would run them; clear errors for a week without. */
async function toolTarget(ctx: CommandContext, ref: string): Promise<ToolTarget> {
  const session = await openSession(ctx);
  const { course } = session;
  // `dec run week2-light ...` names a variant's stack; `dec run week2 ...` the variant set up last.
  const { week, stackId } = await weekStack(ctx.env, course, ref);
  const stack = stackId === undefined ? undefined : course.stacks[stackId];
  const withTools = course.weeks
    .filter((w) => w.setup?.stack && course.stacks[w.setup.stack]?.tool)
    .map((w) => {
      const tool = course.stacks[w.setup!.stack!]!.tool!;
      return `dec run ${w.setup!.stack} ${tool.example ?? tool.service}`;
    });
  const others = withTools.length > 0 ? `Weeks with one: ${withTools.join(', ')}.` : 'This syllabus declares none.';
  if (!stackId || !stack?.tool) {
    throw new DecError(
      `Week ${weekLabel(week)} has no ${stack ? 'tool for dec run (its stack declares none)' : 'local stack, so nothing for dec run to run in'}.`,
      { hint: others },
    );
  }
  const overrides = await readOverrides(ctx.env, course.id, stackId);
  const roots = { workspace: session.workspace?.root ?? ctx.cwd, home: ctx.home };
  return {
    stackId,
    week: stackId,
    tool: stack.tool,
    desired: stackWith(ctx.env, course, stackId, overrides, undefined, roots),
  };
}

export async function runInStack(
  ctx: CommandContext,
  week: string,
  command: string[],
  deps: RunCommandDeps = realDeps,
): Promise<number> {
  const target = await toolTarget(ctx, week);
  toolCommand(command, target);
  const { client, runner } = await deps.connect(ctx);
  return withInterruptSignal(
    (signal) => runTool(target, command, deps.io(ctx), { client, runner, signal, cwd: ctx.cwd }),
    // The command's own clean-up may take a while; a second Ctrl-C within it waits for it.
    { note: (text) => ctx.terminal.warn(text) },
  );
}
