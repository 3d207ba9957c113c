// "Really ready", checked from the host through the published port: Postgres answers an
// authenticated query, an HTTP service answers, a TCP port accepts.
import { request } from 'node:http';
import { connect } from 'node:net';
import { postgresLogin, tryLogin, type Login } from '../postgres/login.js';
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

function tcpAccepts(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
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

/** The check for a service, or undefined when the syllabus gives none (then "started" is enough). */
export function readyCheck(service: DesiredService, timeoutMs = 2000): ReadyCheck | undefined {
  const ready = service.ready;
  if (!ready) return undefined;
  const hostPort = (containerPort?: number) =>
    (containerPort === undefined ? service.ports[0] : service.ports.find((p) => p.container === containerPort))?.host;
  if ('postgres' in ready) {
    const port = hostPort(5432) ?? hostPort();
    // The student's own credentials (--env) win over the syllabus's.
    const login = postgresLogin(service.env, ready.postgres);
    return port === undefined ? undefined : () => postgresAnswers(port, login, timeoutMs);
  }
  if ('http' in ready) {
    const port = hostPort(ready.http.port);
    return port === undefined ? undefined : () => httpAnswers(port, ready.http.path, timeoutMs);
  }
  const port = hostPort(ready.tcp.port);
  return port === undefined ? undefined : () => tcpAccepts(port, timeoutMs);
}

/** What the check does, for messages. */
export function describeReady(service: DesiredService): string {
  const ready = service.ready;
  if (!ready) return 'running';
  if ('postgres' in ready) return 'Postgres answers a query with the configured login';
  if ('http' in ready) return `HTTP answers on ${ready.http.path}`;
  return 'the port accepts connections';
}
