// Week 5's Spark standalone cluster, as the master's web UI tells it: its /json/ page (what the UI's
// front page shows, as JSON) counts the alive workers. Readiness (ready.ts, `sparkWorkers`) and
// `dec setup status` read it from the host, through the master's published UI port; never the logs
// (the course's image writes them to files, and a worker that logged "registered" may be gone since).
import { request } from 'node:http';
import type { DesiredStack } from './spec.js';

/** What dec reads of the master's /json/ page. */
export interface MasterState {
  /** The master's status: ALIVE (or STANDBY, RECOVERING with high availability). */
  status?: string;
  aliveWorkers: number;
  /** Every worker the master knows of, dead ones included (a worker that left stays listed a while). */
  workers: Array<{ id: string; host: string; state: string; cores: number; memoryMb: number }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The master's /json/ page as dec needs it, or undefined when it is not one (a proxy's error page, a
 * half-started UI). `aliveworkers` is the master's own count; without it (older UIs) the workers whose
 * state is ALIVE are counted.
 */
export function parseMasterJson(text: string): MasterState | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(data) || !Array.isArray(data.workers)) return undefined;
  const workers = data.workers.filter(isRecord).map((w) => ({
    id: typeof w.id === 'string' ? w.id : '',
    host: typeof w.host === 'string' ? w.host : '',
    state: typeof w.state === 'string' ? w.state : 'UNKNOWN',
    cores: typeof w.cores === 'number' ? w.cores : 0,
    memoryMb: typeof w.memory === 'number' ? w.memory : 0,
  }));
  const counted = data.aliveworkers;
  const aliveWorkers =
    typeof counted === 'number' && Number.isInteger(counted) && counted >= 0
      ? counted
      : workers.filter((w) => w.state === 'ALIVE').length;
  return { ...(typeof data.status === 'string' ? { status: data.status } : {}), aliveWorkers, workers };
}

/** The master's state from its UI on this host port, or undefined when it does not answer with it. */
function masterState(port: number, timeoutMs: number): Promise<MasterState | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/json/', method: 'GET', timeout: timeoutMs }, (res) => {
      if ((res.statusCode ?? 500) !== 200) {
        res.resume();
        resolve(undefined);
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        // The page lists every worker and application: a few KB; anything huge is not it.
        body += chunk;
        if (body.length > 4_000_000) req.destroy();
      });
      res.on('end', () => resolve(parseMasterJson(body)));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** How many workers the master on this host port counts alive; undefined when it does not answer. */
export async function sparkWorkersAlive(port: number, timeoutMs: number): Promise<number | undefined> {
  return (await masterState(port, timeoutMs))?.aliveWorkers;
}

/** A stack's Spark cluster: the worker service, how many it should have, and the master's UI port. */
export interface SparkCluster {
  master: string;
  workers: string;
  wanted: number;
  /** The master UI's host port (undefined: not published, so dec cannot read it). */
  uiPort?: number;
}

/** The Spark cluster of a stack (its service with a sparkWorkers readiness), if it has one. */
export function sparkCluster(desired: Pick<DesiredStack, 'services'>): SparkCluster | undefined {
  for (const service of desired.services) {
    const ready = service.ready;
    if (ready && 'sparkWorkers' in ready) {
      return {
        master: ready.sparkWorkers.master,
        workers: service.service,
        wanted: service.replicas ?? 1,
        ...(service.readyHostPort !== undefined ? { uiPort: service.readyHostPort } : {}),
      };
    }
  }
  return undefined;
}

/** What `dec setup status` says of a cluster: workers alive of those wanted, and the master's UI. */
export interface ClusterStatus {
  master: string;
  ui: string | null;
  workersWanted: number;
  /** null: the master's UI did not answer. */
  workersAlive: number | null;
  /** The stack's web UIs (services with an HTTP ready check and a published port): service → URL. */
  urls: Record<string, string>;
}

export async function clusterStatus(
  desired: Pick<DesiredStack, 'services'>,
  timeoutMs = 3000,
): Promise<ClusterStatus | undefined> {
  const cluster = sparkCluster(desired);
  if (!cluster) return undefined;
  const alive = cluster.uiPort === undefined ? undefined : await sparkWorkersAlive(cluster.uiPort, timeoutMs);
  return {
    master: cluster.master,
    ui: cluster.uiPort === undefined ? null : `http://localhost:${cluster.uiPort}`,
    workersWanted: cluster.wanted,
    workersAlive: alive ?? null,
    urls: Object.fromEntries(
      desired.services.flatMap((service) => {
        const port = service.ports[0]?.host;
        return service.ready && 'http' in service.ready && port !== undefined
          ? [[service.service, `http://localhost:${port}`]]
          : [];
      }),
    ),
  };
}

/** `dec setup status`'s lines for a cluster: the workers alive, then each UI. */
export function clusterLines(status: ClusterStatus): string[] {
  const alive =
    status.workersAlive === null
      ? `the master's UI does not answer, so dec cannot count the workers (${status.workersWanted} wanted)`
      : `${status.workersAlive} of ${status.workersWanted} workers alive (as ${status.master}'s UI counts them)`;
  return [`Spark: ${alive}`, ...Object.entries(status.urls).map(([service, url]) => `${service}: ${url}`)];
}
