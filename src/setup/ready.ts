// "Really ready": the service itself answers, not Docker's port proxy. Postgres answers an authenticated
// query and an HTTP service answers, through the published port; for a TCP service something must
// listen on the port inside the container (docker-proxy accepts a connection to a published port even
// when nothing listens there, then closes it at once), and a connection from the host must stay open.
// A service without a published port is checked inside its container.
import { request } from 'node:http';
import { connect } from 'node:net';
import { postgresLogin, tryLogin, type Login } from '../postgres/login.js';
import type { ContainerSummary, DockerClient } from '../docker/client.js';
import { sparkWorkersAlive } from './spark.js';
import type { DesiredService } from './spec.js';

/** true: ready; false: not yet; a string: it will never be, and why. */
export type ReadyCheck = () => Promise<boolean | string>;

function httpAnswers(port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** How long a connection must stay open to count: docker-proxy closes one within milliseconds. */
const PROXY_CLOSE_MS = 300;

/**
 * A TCP connection from the host is accepted and stays open (or the service speaks first). docker-proxy
 * accepts on a published port even when nothing listens in the container, then closes at once.
 */
export function tcpAnswers(port: number, timeoutMs: number, holdMs = PROXY_CLOSE_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: timeoutMs });
    let timer: NodeJS.Timeout | undefined;
    const done = (verdict: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(verdict);
    };
    socket.once('connect', () => {
      socket.setTimeout(0);
      timer = setTimeout(() => done(true), holdMs);
    });
    socket.once('data', () => done(true));
    socket.once('end', () => done(false));
    socket.once('close', () => done(false));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * A shell script (sh builtins only, so busybox, dash and bash all run it) that exits 0 when a socket
 * listens on `port` in the container's network namespace: a line of /proc/net/tcp or tcp6 whose local
 * address ends in the port (hex) and whose state is 0A (LISTEN).
 */
function listeningScript(port: number): string {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return [
    'for f in /proc/net/tcp /proc/net/tcp6; do',
    '  [ -r "$f" ] || continue',
    '  while read -r sl local rest; do',
    '    set -- $rest',
    `    case "$local:$2" in *:${hex}:0A) exit 0 ;; esac`,
    '  done < "$f"',
    'done',
    'exit 1',
  ].join('\n');
}

/** Where a check can look inside the service's container. */
export interface Inside {
  client: Pick<DockerClient, 'execInContainer'>;
  containerId: string;
}

/** true/false: something listens on the port inside; undefined: cannot tell (no sh in the image). */
export async function listensInside(inside: Inside, port: number, timeoutMs: number): Promise<boolean | undefined> {
  try {
    const result = await inside.client.execInContainer(
      inside.containerId,
      ['sh', '-c', listeningScript(port)],
      timeoutMs,
    );
    if (result.exitCode === 0) return true;
    if (result.exitCode === 1) return false;
    return undefined;
  } catch {
    return undefined;
  }
}

async function postgresAnswers(port: number, login: Login, timeoutMs: number): Promise<boolean | string> {
  const result = await tryLogin(port, login, timeoutMs);
  // A running server that refuses the login will not change its mind: the data volume was set up
  // with other credentials (Postgres reads POSTGRES_* only when it initialises an empty volume).
  if (result === 'rejected') {
    return `Postgres refuses the password for ${login.user}: its data volume was initialised with another one (Postgres only reads POSTGRES_PASSWORD on an empty volume)`;
  }
  return result === 'accepted';
}

/**
 * The check for a service, or undefined when the syllabus gives none (then "started" is enough).
 * `inside`: the service's container, for checks from within (no published port, or TCP).
 */
export function readyCheck(service: DesiredService, timeoutMs = 2000, inside?: Inside): ReadyCheck | undefined {
  const ready = service.ready;
  if (!ready) return undefined;
  const hostPort = (containerPort?: number) =>
    (containerPort === undefined ? service.ports[0] : service.ports.find((p) => p.container === containerPort))?.host;
  // No published port: something must listen on the service's port inside its container.
  const insideOnly = (containerPort: number | undefined): ReadyCheck | undefined =>
    inside && containerPort !== undefined
      ? async () => (await listensInside(inside, containerPort, timeoutMs)) !== false
      : undefined;
  if ('postgres' in ready) {
    const port = hostPort(5432) ?? hostPort();
    // The student's own credentials (--env) win over the syllabus's.
    const login = postgresLogin(service.env, ready.postgres);
    return port === undefined ? insideOnly(5432) : () => postgresAnswers(port, login, timeoutMs);
  }
  if ('sparkWorkers' in ready) {
    // The master's UI, through its published port: all of this service's replicas alive there.
    const port = service.readyHostPort;
    const wanted = service.replicas ?? 1;
    return port === undefined ? undefined : async () => ((await sparkWorkersAlive(port, timeoutMs)) ?? -1) >= wanted;
  }
  if ('http' in ready) {
    const port = hostPort(ready.http.port);
    const containerPort = ready.http.port ?? service.ports[0]?.container;
    return port === undefined ? insideOnly(containerPort) : () => httpAnswers(port, ready.http.path, timeoutMs);
  }
  const port = hostPort(ready.tcp.port);
  if (port === undefined) return insideOnly(ready.tcp.port);
  return async () => {
    // Through the proxy alone an empty container looks ready: ask inside first when possible.
    if (inside && (await listensInside(inside, ready.tcp.port, timeoutMs)) === false) return false;
    return tcpAnswers(port, timeoutMs);
  };
}

/** What the check does, for messages. */
export function describeReady(service: DesiredService): string {
  if (service.job) return 'it runs to completion (exit code 0)';
  const ready = service.ready;
  if (ready && 'sparkWorkers' in ready)
    return `the Spark master's UI (${ready.sparkWorkers.master}) counts ${service.replicas ?? 1} workers alive`;
  if (service.healthcheck) return ready ? `its health check passes and ${readyText(ready)}` : 'its health check passes';
  return ready ? readyText(ready) : 'running';
}

function readyText(ready: NonNullable<DesiredService['ready']>): string {
  if ('postgres' in ready) return 'Postgres answers a query with the configured login';
  if ('http' in ready) return `HTTP answers on ${ready.http.path}`;
  if ('sparkWorkers' in ready) return `the Spark master's UI (${ready.sparkWorkers.master}) counts the workers alive`;
  return `something listens on port ${ready.tcp.port} in the container and answers`;
}

/**
 * Whether a running service is ready now, for `dec setup status`: its Docker health check passes (when
 * it has one) and its ready check answers. A job is never "ready": status says whether it completed.
 */
export async function serviceReady(
  client: DockerClient,
  service: DesiredService,
  container: ContainerSummary,
): Promise<boolean> {
  if (service.job || container.state !== 'running') return false;
  if (service.healthcheck) {
    const state = await client.inspectState(container.id).catch(() => undefined);
    if (state?.health?.status !== 'healthy') return false;
  }
  const check = readyCheck(service, 3000, { client, containerId: container.id });
  return check ? (await check()) === true : true;
}
