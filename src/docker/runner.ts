// One-off containers attached to the terminal, for `dec run` (like `docker compose run --rm`): created
// with the tool service's settings, attached before they start (no output is lost), waited for with no
// time limit (a dbt build may take as long as it takes; Ctrl-C is the student's way out), signalled,
// removed. The calls that answer at once keep a time limit and the engine's refusals are told as
// everywhere else (engine-errors.ts).
import { PassThrough } from 'node:stream';
import { dockerodeOptions, type DockerEndpoint } from './client.js';
import type { DecError } from '../errors.js';
import { engineFailure, explainEngineError, statusOf } from './engine-errors.js';
import type { EngineApi } from './engine-api.js';

export interface OneOffSpec {
  name: string;
  image: string;
  env: Record<string, string>;
  /** The command line, as the student typed it after the week. */
  command: string[];
  entrypoint?: string[];
  user?: string;
  workdir?: string;
  labels: Record<string, string>;
  /** The stack's own network (with the service's names there); others are joined with `connect`. */
  network: string;
  binds: Array<{ source: string; target: string; readOnly: boolean }>;
  /** A pseudo-terminal (only when dec's stdin is one), and stdin kept open for the command. */
  tty: boolean;
  stdin: boolean;
}

export interface AttachedStreams {
  /** With a TTY everything comes on stdout (as with docker run -t). */
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  /** Only when attached with stdin. */
  stdin?: NodeJS.WritableStream;
  /** Settles once the container's output has ended (after it exits). */
  ended: Promise<void>;
}

export interface ContainerRunner {
  create(spec: OneOffSpec): Promise<string>;
  connect(id: string, network: string): Promise<void>;
  attach(id: string, options: { stdin: boolean; tty: boolean }): Promise<AttachedStreams>;
  start(id: string): Promise<void>;
  /** Resolves to the exit code once the container stops; ask before start (it waits for the next exit). */
  wait(id: string): Promise<number>;
  kill(id: string, signal: 'SIGINT' | 'SIGKILL'): Promise<void>;
  resize(id: string, rows: number, columns: number): Promise<void>;
  remove(id: string): Promise<void>;
}

const ACTION_MS = 30_000;

export async function connectRunner(endpoint: DockerEndpoint): Promise<ContainerRunner> {
  const { default: Docker } = await import('dockerode');
  const timed: EngineApi = new Docker(dockerodeOptions(endpoint, ACTION_MS));
  // No socket timeout: an attach stream and a wait may stay quiet for as long as the command runs.
  const untimed: EngineApi = new Docker(dockerodeOptions(endpoint, 0));
  const call = async <T>(
    work: () => Promise<T>,
    explain?: (status: number, message: string) => Promise<DecError | undefined>,
  ): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw await engineFailure(error, endpoint, explain);
    }
  };
  const ignoring = async (work: Promise<unknown>, ...statuses: number[]) => {
    try {
      await work;
    } catch (error) {
      if (!statuses.includes(statusOf(error) ?? -1)) throw error;
    }
  };
  return {
    create: (spec) =>
      call(
        async () =>
          (
            await timed.createContainer({
              name: spec.name,
              Image: spec.image,
              Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
              Cmd: spec.command,
              ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
              ...(spec.user !== undefined ? { User: spec.user } : {}),
              ...(spec.workdir !== undefined ? { WorkingDir: spec.workdir } : {}),
              Tty: spec.tty,
              OpenStdin: spec.stdin,
              StdinOnce: spec.stdin,
              AttachStdin: spec.stdin,
              AttachStdout: true,
              AttachStderr: true,
              Labels: spec.labels,
              ExposedPorts: {},
              HostConfig: {
                PortBindings: {},
                Mounts: spec.binds.map((b) => ({
                  Type: 'bind' as const,
                  Source: b.source,
                  Target: b.target,
                  ReadOnly: b.readOnly,
                })),
                RestartPolicy: { Name: 'no' },
                // The command is not PID 1, so Ctrl-C's SIGINT has its default effect even on a
                // program that does not handle it (a shell script, sleep).
                Init: true,
              },
              NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: [] } } },
            })
          ).id,
        async (status, message) =>
          explainEngineError({ kind: 'create-container', name: spec.name, image: spec.image }, status, message),
      ),
    connect: (id, network) =>
      call(async () => {
        await timed.getNetwork(network).connect({ Container: id, EndpointConfig: { Aliases: [] } });
      }),
    attach: (id, options) =>
      call(async () => {
        const stream = await untimed
          .getContainer(id)
          .attach({ stream: true, stdout: true, stderr: true, stdin: options.stdin, hijack: true });
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        if (options.tty) stream.pipe(stdout);
        else untimed.modem.demuxStream(stream, stdout, stderr);
        const ended = new Promise<void>((resolve) => {
          const done = () => {
            stdout.end();
            stderr.end();
            resolve();
          };
          stream.once('end', done);
          stream.once('close', done);
          stream.once('error', done);
        });
        return { stdout, stderr, ...(options.stdin ? { stdin: stream } : {}), ended };
      }),
    start: (id) => call(async () => ignoring(timed.getContainer(id).start(), 304)),
    wait: (id) => call(async () => (await untimed.getContainer(id).wait({ condition: 'next-exit' })).StatusCode),
    // 409: it already stopped; 404: it is already gone.
    kill: (id, signal) => call(async () => ignoring(timed.getContainer(id).kill({ signal }), 404, 409)),
    resize: (id, rows, columns) =>
      call(async () => ignoring(timed.getContainer(id).resize({ h: rows, w: columns }), 404, 409)),
    remove: (id) => call(async () => ignoring(timed.getContainer(id).remove({ force: true, v: false }), 404, 409)),
  };
}
