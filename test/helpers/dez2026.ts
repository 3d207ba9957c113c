// Stand-ins for the images of the dez-2026 stacks that no registry here can give (kestra/kestra,
// redpandadata/redpanda, the Flink image dec builds FROM flink:2.2.0): the busybox test image with an
// entrypoint that takes the stack's command as the real image's entrypoint does, and listens where the
// stack's readiness checks look. Postgres 18 is the real local PostgreSQL with the 18 layout
// (images.ts, ensurePostgres18LayoutImage); pgAdmin is the busybox one of images.ts.
//
// Each stand-in writes the arguments it was started with to a file, so a test can prove the stack's
// command reached the entrypoint. All stop within a second on SIGTERM/SIGINT.
import { createServer } from 'node:net';
import { docker, ensureBusyboxImage } from './docker.js';
import { imageWithEntrypoint, imageWithCommand, pgadminStandInCommand, PGADMIN_TEST_IMAGE } from './images.js';

// Bump a tag when its script changes: an image is built only when its tag is missing.
export const KESTRA_STANDIN = 'dec-test/kestra-standin:1';
export const REDPANDA_STANDIN = 'dec-test/redpanda-standin:1';
export const FLINK_STANDIN = 'dec-test/flink-standin:1';
/** Same tag and command as test/docker/setup.test.ts's pgAdmin stand-in (one image for both). */
export const PGADMIN_STANDIN = 'dec-test/pgadmin-standin:2';

/** What Kestra's management port answers on its health path when the server is up. */
export const KESTRA_HEALTH = '{"status":"UP"}';

// kestra/kestra runs `kestra "$@"` (the stack says `server standalone`): the UI and API on 8080, the
// management endpoints (/health, the path the module2 stack waits on) on 8081.
const KESTRA_SCRIPT = `#!/bin/sh
trap 'kill $pids 2>/dev/null; exit 0' TERM INT
/bin/busybox mkdir -p /www
echo "$*" > /www/args
printf '%s' '${KESTRA_HEALTH}' > /www/health
echo 'kestra stand-in (dec test)' > /www/index.html
for port in 8080 8081; do httpd -f -p $port -h /www & pids="$pids $!"; done
wait
`;

// redpandadata/redpanda: `redpanda start ...` serves Kafka (9092 outside, 29092 inside), Pandaproxy
// (8082, 28082) and RPC (33145): here a TCP echo server on each (busybox nc, one process per port,
// persistent). Anything else runs as given (docker exec … rpk …). rpk is a script that says what it is.
const REDPANDA_SCRIPT = `#!/bin/sh
if [ "\${1:-}" != redpanda ]; then exec "$@"; fi
echo "$*" > /tmp/args
trap 'kill $pids 2>/dev/null; exit 0' TERM INT
for port in 9092 29092 8082 28082 33145; do nc -ll -p $port -e /bin/cat & pids="$pids $!"; done
wait
`;
const RPK_SCRIPT = `#!/bin/sh
echo "rpk stand-in (dec test) for redpandadata/redpanda:v25.3.9: $*"
`;

// The Flink image's entrypoint: `jobmanager` serves the REST API and UI on 8081 (/overview is the path
// the module7 stack waits on), `taskmanager` runs, anything else runs as given (dec run module7 …).
const FLINK_SCRIPT = `#!/bin/sh
case "\${1:-}" in
  jobmanager)
    trap 'kill $pid 2>/dev/null; exit 0' TERM INT
    /bin/busybox mkdir -p /www
    echo "$*" > /www/args
    printf '%s' '{"taskmanagers":0,"slots-total":0,"flink-version":"2.2.0 stand-in"}' > /www/overview
    httpd -f -p 8081 -h /www & pid=$!
    wait $pid
    ;;
  taskmanager)
    echo "$*" > /tmp/args
    trap 'exit 0' TERM INT
    while :; do sleep 1; done
    ;;
  *) exec "$@" ;;
esac
`;

/** Builds the stand-ins that are missing (each in well under a second). */
export async function ensureStandIns2026(): Promise<void> {
  await ensureBusyboxImage();
  await imageWithCommand(PGADMIN_STANDIN, PGADMIN_TEST_IMAGE, pgadminStandInCommand());
  await imageWithEntrypoint(KESTRA_STANDIN, PGADMIN_TEST_IMAGE, {
    entrypoint: ['/standin/kestra.sh'],
    cmd: ['--help'],
    files: { '/standin/kestra.sh': KESTRA_SCRIPT },
  });
  await imageWithEntrypoint(REDPANDA_STANDIN, PGADMIN_TEST_IMAGE, {
    entrypoint: ['/standin/redpanda.sh'],
    cmd: ['redpanda', 'start'],
    files: { '/standin/redpanda.sh': REDPANDA_SCRIPT, '/bin/rpk': RPK_SCRIPT },
  });
  await imageWithEntrypoint(FLINK_STANDIN, PGADMIN_TEST_IMAGE, {
    entrypoint: ['/standin/flink.sh'],
    cmd: ['help'],
    files: { '/standin/flink.sh': FLINK_SCRIPT },
  });
}

// ---- what the dez-2026 setup suites share ----------------------------------------------------------------

/** A container's mounts as `docker inspect` gives them. */
export interface Mount {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
}

export async function mountsOf(container: string): Promise<Mount[]> {
  return JSON.parse(await docker(['inspect', '--format', '{{json .Mounts}}', container])) as Mount[];
}

/** The networks a container is on, each with its aliases there. */
export async function networksOf(container: string): Promise<Record<string, string[]>> {
  const networks = JSON.parse(
    await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', container]),
  ) as Record<string, { Aliases: string[] | null }>;
  return Object.fromEntries(Object.entries(networks).map(([name, n]) => [name, n.Aliases ?? []]));
}

/** True when nothing listens on 127.0.0.1:port (a listen there succeeds). */
export function hostPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** Docker's own time stamps (RFC 3339 with nanoseconds) as milliseconds. */
export function dockerTime(text: string): number {
  const ms = Date.parse(text.replace(/(\.\d{3})\d*/, '$1'));
  if (Number.isNaN(ms)) throw new Error(`not a Docker time: ${text}`);
  return ms;
}
