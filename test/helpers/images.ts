// Locally built stand-ins for the images of `dec setup week1` (no registry is reachable here, see
// shared/testing.md "A real PostgreSQL … As a container image"):
//
// - POSTGRES_TEST_IMAGE (`dec-test/postgres:15`): the machine's own Debian PostgreSQL 15 binaries with the
//   interface of the official `postgres` image: POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required
//   unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_DB (default: the user), POSTGRES_INITDB_ARGS,
//   POSTGRES_HOST_AUTH_METHOD, data in PGDATA (default /var/lib/postgresql/data, a VOLUME), port 5432,
//   ENTRYPOINT docker-entrypoint.sh, CMD ["postgres"], STOPSIGNAL SIGINT, pg_isready/psql on PATH. A PGDATA
//   that already holds a cluster (PG_VERSION) is never initialised again; the variables are then ignored,
//   as with the official image. Clusters are UTF8 with locale C.UTF-8 (C when the host lacks glibc's
//   C.utf8), where the official image uses en_US.utf8. Not supported: /docker-entrypoint-initdb.d, the
//   *_FILE variables, running as a non-root --user.
// - POSTGRES18_LAYOUT_TEST_IMAGE (`dec-test/postgres-18-layout:15`): the same server and entrypoint with the
//   official image's layout from 18 on (docker-library/postgres#1259): PGDATA /var/lib/postgresql/<major>/docker
//   (<major> is the server's own, 15), the VOLUME at /var/lib/postgresql, and a refusal to start (exit 1,
//   "Error: in 18+, …") when PGDATA is that default, holds no cluster, and /var/lib/postgresql/data is a mount
//   or holds one: a volume at the layout up to 17 fails as it does with postgres:18.
// - PGADMIN_TEST_IMAGE: the busybox test image of docker.ts; pgadminStandInCommand() makes it answer like
//   pgAdmin on port 80 (`/misc/ping` → 200 "PING", `/` → 200), neverReadyCommand() keeps it running
//   without ever answering HTTP.
//
// Everything goes through argument arrays (execFile/spawn), every wait is bounded, and every container and
// volume made here carries the labels dec.test=1 and dec.test.pid=<pid> and a name starting with dec-test-.
import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  BUSYBOX_TAG,
  DOCKER_SOCKET,
  TEST_LABEL,
  docker,
  dockerCli,
  freePort,
  removeContainer,
  removeTestResources,
  requireDocker,
  testContainerName,
  waitUntil,
} from './docker.js';

export const POSTGRES_TEST_IMAGE = 'dec-test/postgres:15';
/** The PostgreSQL test image with the layout of the official image from 18 on (see the top of this file). */
export const POSTGRES18_LAYOUT_TEST_IMAGE = 'dec-test/postgres-18-layout:15';
/** The busybox test image (ensureBusyboxImage()) run with pgadminStandInCommand(). */
export const PGADMIN_TEST_IMAGE = BUSYBOX_TAG;
const POSTGRES_MAJOR = 15;
/** uid and gid of the `postgres` user inside the image (as in the official image). */
export const POSTGRES_UID = 999;
const POSTGRES_DATA = '/var/lib/postgresql/data';
/** PGDATA of the official image from 18 on, with this image's major version. */
const POSTGRES18_DATA = `/var/lib/postgresql/${POSTGRES_MAJOR}/docker`;

const PG_LIB = `/usr/lib/postgresql/${POSTGRES_MAJOR}`;
const PG_SHARE = `/usr/share/postgresql/${POSTGRES_MAJOR}`;
const PG_BIN = `${PG_LIB}/bin`;
const ZONEINFO = '/usr/share/zoneinfo';
/** glibc's C.UTF-8 (Debian's libc-bin); without it clusters get locale C. */
const C_UTF8 = '/usr/lib/locale/C.utf8';
const BUSYBOX = '/bin/busybox';
const LOADER = '/lib64/ld-linux-x86-64.so.2';
const ENTRYPOINT = '/usr/local/bin/docker-entrypoint.sh';
const PATH_IN_IMAGE = `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PG_BIN}`;

// Same labels as docker.ts (there they are private): pruneTestImages() removes untagged images with
// dec.test.image=1, and containers/volumes carry the pid of the test process that made them.
const IMAGE_LABEL = 'dec.test.image';
const PID_LABEL = 'dec.test.pid';
/** Bump when the recipe below changes: an image with another value is built again. */
const RECIPE_LABEL = 'dec.test.recipe';

/** Where an image keeps its data: the official image's layout up to 17, or from 18 on. */
interface PostgresLayout {
  /** PGDATA's default. */
  data: string;
  /** The image's VOLUME. */
  volume: string;
  /** Refuse to initialise while /var/lib/postgresql/data is a mount or holds a cluster (18 on). */
  refuseLegacyData: boolean;
  /** The recipe label: bump when the recipe changes, and an image with another value is built again. */
  recipe: string;
}
const LAYOUT_UP_TO_17: PostgresLayout = {
  data: POSTGRES_DATA,
  volume: POSTGRES_DATA,
  refuseLegacyData: false,
  recipe: 'postgres-3',
};
const LAYOUT_18: PostgresLayout = {
  data: POSTGRES18_DATA,
  volume: '/var/lib/postgresql',
  refuseLegacyData: true,
  recipe: 'postgres18-layout-1',
};
const DOCKER_ENV: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: `unix://${DOCKER_SOCKET}` };
delete DOCKER_ENV.DOCKER_CONTEXT;

// ---- PostgreSQL image ----------------------------------------------------------------------------------

// The entrypoint (busybox ash). Mirrors the official image's docker-entrypoint.sh where dec can see it:
// the variables, their defaults, the error without a password, the log lines, the unix-socket-only
// temporary server during initialisation, and `postgres` as PID 1 running as user postgres.
const entrypointScript = (locale: string, layout: PostgresLayout): string => `#!/bin/sh
# dec test image of PostgreSQL ${POSTGRES_MAJOR} (test/helpers/images.ts): the interface of the official image.
set -eu
PGBIN=${PG_BIN}
export PGDATA="\${PGDATA:-${layout.data}}"
POSTGRES_USER="\${POSTGRES_USER:-postgres}"
POSTGRES_DB="\${POSTGRES_DB:-$POSTGRES_USER}"
POSTGRES_PASSWORD="\${POSTGRES_PASSWORD:-}"
POSTGRES_HOST_AUTH_METHOD="\${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

log() { echo "$(date -u '+%Y-%m-%d %H:%M:%S UTC') [entrypoint] $*" >&2; }

# \`docker run IMAGE -c key=value\` means postgres with those options; any other command runs as given.
first="\${1:-}"
if [ -z "$first" ] || [ "\${first#-}" != "$first" ]; then set -- postgres "$@"; fi
if [ "$1" != postgres ]; then exec "$@"; fi
shift

uid="$(id -u)"
# busybox su: options before \`--\` (it would take the program's options as its own), then the user,
# then $0 and the arguments of the -c script. It resets PATH: callers pass full paths.
as_postgres() {
  if [ "$uid" = 0 ]; then su -p -s /bin/sh -c 'exec "$@"' -- postgres sh "$@"; else "$@"; fi
}

if [ "$uid" = 0 ]; then
  # Named volumes arrive owned by root.
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  chown postgres:postgres /var/run/postgresql
  chmod 3777 /var/run/postgresql
fi

${layout.refuseLegacyData ? legacyDataCheck : ''}if [ -s "$PGDATA/PG_VERSION" ]; then
  log "PostgreSQL Database directory appears to contain a database; Skipping initialization"
else
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    cat >&2 <<'EOF'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
EOF
    exit 1
  fi
  pwfile=""
  if [ -n "$POSTGRES_PASSWORD" ]; then
    pwfile="$(mktemp /tmp/pwfile.XXXXXX)"
    printf '%s\\n' "$POSTGRES_PASSWORD" > "$pwfile"
    if [ "$uid" = 0 ]; then chown postgres:postgres "$pwfile"; fi
  fi
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is split into words, as in the official image
  as_postgres "$PGBIN/initdb" --pgdata="$PGDATA" --username="$POSTGRES_USER" \${pwfile:+--pwfile="$pwfile"} \\
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=${locale} \${POSTGRES_INITDB_ARGS:-}
  if [ -n "$pwfile" ]; then rm -f "$pwfile"; fi
  # initdb's host lines cover 127.0.0.1 and ::1 only; published ports arrive from the bridge.
  printf '\\nhost all all all %s\\n' "$POSTGRES_HOST_AUTH_METHOD" >> "$PGDATA/pg_hba.conf"

  # A temporary server on the unix socket only, to create POSTGRES_DB.
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w -t 60 start
  if [ "$POSTGRES_DB" != postgres ]; then
    exists="$(echo "SELECT 1 FROM pg_database WHERE datname = :'db' ;" | as_postgres "$PGBIN/psql" -X \\
      -v ON_ERROR_STOP=1 --no-password --username="$POSTGRES_USER" --dbname=postgres --tuples-only \\
      --no-align --set db="$POSTGRES_DB")"
    if [ "$exists" != 1 ]; then
      echo 'CREATE DATABASE :"db" ;' | as_postgres "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 --no-password \\
        --username="$POSTGRES_USER" --dbname=postgres --set db="$POSTGRES_DB"
      log "created database $POSTGRES_DB"
    fi
  fi
  as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop
  log "PostgreSQL init process complete; ready for start up."
fi

if [ "$uid" = 0 ]; then
  exec su -p -s /bin/sh -c 'exec "$@"' -- postgres sh "$PGBIN/postgres" -c "listen_addresses=*" "$@"
fi
exec "$PGBIN/postgres" -c "listen_addresses=*" "$@"
`;

// From 18 on, the official entrypoint refuses a PGDATA at its default while the layout up to 17 is in use:
// a cluster (or a mount) at /var/lib/postgresql/data, where nothing would read it. busybox has no
// mountpoint: the fifth field of the mount table is the mount point.
const legacyDataCheck = `legacy=/var/lib/postgresql/data
if [ "$PGDATA" = "${POSTGRES18_DATA}" ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  what=""
  if [ -s "$legacy/PG_VERSION" ]; then what="$legacy"; fi
  if awk -v dir="$legacy" '$5 == dir { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    what="$legacy (unused mount/volume)"
  fi
  if [ -n "$what" ]; then
    cat >&2 <<EOF
Error: in 18+, these Docker images are configured to store database data in a
       format which is compatible with "pg_ctlcluster" (specifically, using
       major-version-specific directory names).

       Counter to that, there appears to be PostgreSQL data in:
         $what

       The suggested container configuration for 18+ is to place a single mount
       at /var/lib/postgresql which will then place PostgreSQL data in a
       subdirectory.
EOF
    exit 1
  fi
fi

`;

const postgresImages = new Map<string, Promise<string>>();

/**
 * The PostgreSQL test image, built by buildPostgresImage() when `tag` is missing or was built by another
 * recipe. Idempotent; parallel test files may call it at once (both imports succeed, the tag ends on one
 * of them; pruneTestImages() removes the other). Returns the tag.
 */
export function ensurePostgresImage(tag = POSTGRES_TEST_IMAGE): Promise<string> {
  return ensurePostgresImageWith(tag, LAYOUT_UP_TO_17);
}

/**
 * The PostgreSQL test image with the official image's layout from 18 on (PGDATA
 * /var/lib/postgresql/15/docker, VOLUME /var/lib/postgresql), the stand-in for `postgres:18`: built like
 * ensurePostgresImage() when `tag` is missing or was built by another recipe. Returns the tag.
 */
export function ensurePostgres18LayoutImage(tag = POSTGRES18_LAYOUT_TEST_IMAGE): Promise<string> {
  return ensurePostgresImageWith(tag, LAYOUT_18);
}

function ensurePostgresImageWith(tag: string, layout: PostgresLayout): Promise<string> {
  let pending = postgresImages.get(tag);
  if (!pending) {
    pending = (async () => {
      await requireDocker();
      const found = await dockerCli(
        ['image', 'inspect', '--format', `{{index .Config.Labels "${RECIPE_LABEL}"}}`, tag],
        15_000,
      );
      if (found.code !== 0 || found.stdout.trim() !== layout.recipe) await buildPostgresImage(tag, layout);
      return tag;
    })();
    postgresImages.set(tag, pending);
    pending.catch(() => postgresImages.delete(tag));
  }
  return pending;
}

/** Always builds and imports the PostgreSQL test image under `tag` (ensurePostgresImage is the usual entry). */
async function buildPostgresImage(tag: string, layout: PostgresLayout, timeoutMs = 120_000): Promise<string> {
  for (const [path, what] of [
    [`${PG_BIN}/postgres`, `PostgreSQL ${POSTGRES_MAJOR}'s server (apt-get install -y postgresql-${POSTGRES_MAJOR})`],
    [PG_SHARE, `PostgreSQL ${POSTGRES_MAJOR}'s share folder (apt-get install -y postgresql-${POSTGRES_MAJOR})`],
    [BUSYBOX, "Debian's busybox-static (apt-get install -y busybox-static)"],
    [LOADER, 'the dynamic loader'],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${path} is missing: cannot build ${tag} without ${what}`);
  }
  const work = mkdtempSync(join(tmpdir(), 'dec-pgimage-'));
  try {
    const root = join(work, 'rootfs');
    // The server: lib/llvmjit* and the bitcode for it are only for JIT, which would pull in libLLVM.
    cpSync(PG_LIB, join(root, PG_LIB), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !/^llvmjit/.test(basename(source)) && source !== `${PG_LIB}/lib/bitcode`,
    });
    cpSync(PG_SHARE, join(root, PG_SHARE), { recursive: true, verbatimSymlinks: true });
    // Debian builds with --with-system-tzdata: without it only GMT/UTC would work.
    if (existsSync(ZONEINFO)) cpSync(ZONEINFO, join(root, ZONEINFO), { recursive: true, verbatimSymlinks: true });
    // A UTF-8 locale, and a `locale -a` for initdb's import of collations (it warns without one).
    const locale = existsSync(C_UTF8) ? 'C.UTF-8' : 'C';
    if (locale !== 'C') cpSync(C_UTF8, join(root, C_UTF8), { recursive: true, verbatimSymlinks: true });
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    const locales = locale === 'C' ? 'C\\nPOSIX' : 'C\\nC.utf8\\nPOSIX';
    writeFileSync(join(root, 'usr/bin/locale'), `#!/bin/sh\nprintf '${locales}\\n'\n`, { mode: 0o755 });

    // Every library the binaries and modules need, at the path ldd found it (the loader searches
    // /lib/x86_64-linux-gnu and /usr/lib/x86_64-linux-gnu without a cache), and the loader itself.
    for (const library of [...(await sharedLibraries(root)), LOADER]) {
      const target = join(root, library);
      if (existsSync(target)) continue;
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(library, target); // follows the host's symlinks
      chmodSync(target, 0o755);
    }

    // busybox: /bin/sh, su, id, mkdir, chown, date, mktemp, … (every applet, as links).
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
    chmodSync(join(root, 'bin', 'busybox'), 0o755);
    for (const applet of await busyboxApplets()) {
      if (applet !== 'busybox') symlinkSync('busybox', join(root, 'bin', applet));
    }

    for (const dir of ['etc', 'usr/local/bin', 'var/run/postgresql', layout.data.slice(1), 'root']) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    mkdirSync(join(root, 'tmp'), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    chmodSync(join(root, 'var/run/postgresql'), 0o3777);
    const id = POSTGRES_UID;
    writeFileSync(
      join(root, 'etc', 'passwd'),
      `root:x:0:0:root:/root:/bin/sh\npostgres:x:${id}:${id}:PostgreSQL:/var/lib/postgresql:/bin/sh\n` +
        'nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    );
    writeFileSync(join(root, 'etc', 'group'), `root:x:0:\npostgres:x:${id}:\nnogroup:x:65534:\n`);
    writeFileSync(join(root, 'etc', 'nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
    writeFileSync(join(root, ENTRYPOINT), entrypointScript(locale, layout), { mode: 0o755 });
    chmodSync(join(root, ENTRYPOINT), 0o755);
    symlinkSync(ENTRYPOINT.slice(1), join(root, 'docker-entrypoint.sh')); // the official image has it too

    const base = await importRootfs(
      root,
      [
        `LABEL ${IMAGE_LABEL}=1`,
        `ENV PATH=${PATH_IN_IMAGE}`,
        `ENV PG_MAJOR=${POSTGRES_MAJOR}`,
        `ENV PGDATA=${layout.data}`,
        ...(locale === 'C' ? [] : [`ENV LANG=${locale}`]),
        `VOLUME ${layout.volume}`,
        'EXPOSE 5432',
        `ENTRYPOINT ["${ENTRYPOINT}"]`,
        'CMD ["postgres"]',
      ],
      timeoutMs,
    );
    // `docker import --change` refuses STOPSIGNAL on engine 20.10: one classic-builder step on top adds it
    // (SIGINT, a fast shutdown, as in the official image) and the recipe label, and tags the result.
    await buildOnTop(
      base,
      tag,
      ['STOPSIGNAL SIGINT', `LABEL ${RECIPE_LABEL}=${layout.recipe}`],
      Math.max(10_000, timeoutMs / 2),
    );
    return tag;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Absolute paths of the libraries `ldd` lists for the copied binaries and modules; throws on "not found". */
async function sharedLibraries(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const dir of [`${PG_LIB}/bin`, `${PG_LIB}/lib`]) {
    for (const entry of readdirSync(join(root, dir))) {
      const path = join(dir, entry);
      if (statSync(join(root, path)).isFile() && (dir.endsWith('bin') || entry.endsWith('.so'))) files.push(path);
    }
  }
  // ldd of the host's files (same paths), all at once; it exits non-zero when one is not dynamic.
  const output = await new Promise<string>((done, fail) => {
    execFile('ldd', files, { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && stdout === '') return fail(new Error(`ldd failed: ${stderr.trim() || error.message}`));
      done(stdout);
    });
  });
  const libraries = new Set<string>();
  for (const line of output.split('\n')) {
    if (/=>\s*not found/.test(line)) throw new Error(`ldd: a library is missing on this machine: ${line.trim()}`);
    const match = /=>\s*(\/\S+)\s+\(0x/.exec(line) ?? /^\s+(\/\S+)\s+\(0x/.exec(line);
    if (match?.[1]) libraries.add(match[1]);
  }
  if (libraries.size === 0) throw new Error(`ldd listed no libraries for ${files.length} files`);
  return [...libraries].sort();
}

function busyboxApplets(): Promise<string[]> {
  return new Promise((done, fail) => {
    execFile(BUSYBOX, ['--list'], { timeout: 10_000 }, (error, stdout) => {
      if (error) return fail(new Error(`${BUSYBOX} --list failed: ${error.message}`));
      const applets = stdout.split('\n').filter((name) => /^[a-z0-9_.[-]+$/i.test(name));
      if (!applets.includes('sh') || !applets.includes('su')) {
        return fail(new Error(`${BUSYBOX} has no sh or su applet`));
      }
      done(applets);
    });
  });
}

/** `tar -C root -c . | docker import --change … -` (untagged), bounded by timeoutMs; resolves to the image id. */
function importRootfs(root: string, changes: string[], timeoutMs: number): Promise<string> {
  return new Promise((done, fail) => {
    const tar = spawn('tar', ['-C', root, '--owner=0', '--group=0', '--numeric-owner', '-c', '.'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const importer = spawn('docker', ['import', ...changes.flatMap((change) => ['--change', change]), '-'], {
      env: DOCKER_ENV,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const output = { tar: '', docker: '', id: '' };
    tar.stderr.on('data', (chunk: Buffer) => (output.tar += chunk.toString()));
    importer.stderr.on('data', (chunk: Buffer) => (output.docker += chunk.toString()));
    importer.stdout.on('data', (chunk: Buffer) => (output.id += chunk.toString()));
    importer.stdin.on('error', () => {}); // EPIPE when docker import dies first; its exit code reports it
    tar.stdout.pipe(importer.stdin);

    const exits: { tar?: number | null; docker?: number | null } = {};
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      if (!error && !('docker' in exits)) return;
      // A failed import stops reading: tar would block on a full pipe forever.
      if (!error && exits.docker !== 0) {
        settled = true;
        clearTimeout(timer);
        tar.kill('SIGKILL');
        return fail(new Error(`docker import failed: ${output.docker.trim() || `exit code ${String(exits.docker)}`}`));
      }
      if (!error && !('tar' in exits)) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        tar.kill('SIGKILL');
        importer.kill('SIGKILL');
        return fail(error);
      }
      if (exits.tar !== 0) return fail(new Error(`tar -C ${root} -c . failed: ${output.tar.trim()}`));
      const id = output.id.trim();
      if (!/^sha256:[0-9a-f]{64}$/.test(id)) return fail(new Error(`docker import printed no image id: ${id}`));
      done(id);
    };
    const timer = setTimeout(
      () => finish(new Error(`docker import of ${root} did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
    tar.on('error', (error) => finish(new Error(`could not run tar: ${error.message}`)));
    importer.on('error', (error) => finish(new Error(`could not run docker: ${error.message}`)));
    tar.on('close', (code) => ((exits.tar = code), finish()));
    importer.on('close', (code) => ((exits.docker = code), finish()));
  });
}

/** `docker build -t tag -` (classic builder, no context) of `FROM base` plus `instructions`. */
function buildOnTop(base: string, tag: string, instructions: string[], timeoutMs: number): Promise<void> {
  return new Promise((done, fail) => {
    const builder = spawn('docker', ['build', '--quiet', '--tag', tag, '-'], {
      env: { ...DOCKER_ENV, DOCKER_BUILDKIT: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stderr = '';
    builder.stdout.resume();
    builder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    builder.stdin.on('error', () => {});
    builder.on('error', (error) => fail(new Error(`could not run docker build: ${error.message}`)));
    builder.on('close', (code, signal) => {
      if (code === 0) return done();
      const why = signal
        ? `did not finish within ${timeoutMs} ms`
        : stderr.replace(/DEPRECATED:[^]*?variable\.\s*/, '');
      fail(new Error(`docker build -t ${tag} (FROM ${base}) failed: ${why.trim()}`));
    });
    builder.stdin.end(`FROM ${base}\n${instructions.join('\n')}\n`);
  });
}

// ---- containers and volumes ----------------------------------------------------------------------------

/** A named volume `dec-test-<name>` labelled dec.test=1 and dec.test.pid=<pid>; resolves to its name. */
export async function createTestVolume(name: string): Promise<string> {
  const full = testContainerName(name); // same naming rules as containers
  await docker(['volume', 'create', '--label', `${TEST_LABEL}=1`, '--label', `${PID_LABEL}=${process.pid}`, full]);
  return full;
}

/**
 * Removes volumes labelled dec.test=1 made by this test process, and leftovers whose process is gone (or
 * that carry no dec.test.pid); `{ all: true }` removes every one. Remove the containers first
 * (removeTestContainers()). Resolves to the number removed.
 */
export function removeTestVolumes(options: { all?: boolean } = {}): Promise<number> {
  return removeTestResources('volumes', options);
}

export interface PostgresContainerOptions {
  /** Container name; `dec-test-` is put in front unless it is there already. */
  name: string;
  /** Default POSTGRES_TEST_IMAGE (ensurePostgresImage() is called for it). */
  image?: string;
  /** POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB …; default user and password "postgres". */
  env?: Record<string, string>;
  /** A named volume (or an absolute host path) mounted at PGDATA; none: the image's anonymous volume. */
  volume?: string;
  /** Where `volume` goes; default /var/lib/postgresql/data (the layout up to 17). */
  mountAt?: string;
  /** Host port on 127.0.0.1; default a free one. */
  port?: number;
}

export interface PostgresContainer {
  name: string;
  port: number;
  /** postgres://user:password@127.0.0.1:port/database from the env given. */
  connectionString: string;
  /** `docker rm -f -v` (named volumes stay). */
  remove(): Promise<void>;
}

/**
 * Starts the PostgreSQL test image like `docker run -d -e … -v VOLUME:/var/lib/postgresql/data
 * -p 127.0.0.1:PORT:5432`, labelled like runContainer(). Does not wait for readiness: see waitForPostgres().
 */
export async function startPostgresContainer(options: PostgresContainerOptions): Promise<PostgresContainer> {
  const image = options.image ?? (await ensurePostgresImage());
  const name = testContainerName(options.name);
  const port = options.port ?? (await freePort());
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`not a port: ${port}`);
  const env: Record<string, string> = { POSTGRES_USER: 'postgres', POSTGRES_PASSWORD: 'postgres', ...options.env };
  await removeContainer(name);
  const args = ['run', '-d', '--pull', 'never', '--name', name];
  args.push('--label', `${TEST_LABEL}=1`, '--label', `${PID_LABEL}=${process.pid}`);
  for (const [key, value] of Object.entries(env)) args.push('--env', `${key}=${value}`);
  if (options.volume) args.push('--mount', mountOf(options.volume, options.mountAt));
  args.push('--publish', `127.0.0.1:${port}:5432`, '--', image);
  await docker(args, 30_000);
  const user = env.POSTGRES_USER ?? 'postgres';
  const password = env.POSTGRES_PASSWORD ?? '';
  const database = env.POSTGRES_DB ?? user;
  const connectionString =
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}` +
    `@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  return { name, port, connectionString, remove: () => removeContainer(name) };
}

function mountOf(volume: string, target = POSTGRES_DATA): string {
  if (volume.includes(',')) throw new Error(`not a volume name or path: ${volume}`);
  const type = volume.startsWith('/') ? 'bind' : 'volume';
  if (type === 'volume' && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(volume)) throw new Error(`not a volume: ${volume}`);
  if (!/^\/[a-zA-Z0-9/_.-]*$/.test(target)) throw new Error(`not a path in the container: ${target}`);
  return `type=${type},source=${volume},target=${target}`;
}

/**
 * Waits (bounded) until `pg_isready` in the container says the server accepts connections on TCP, i.e.
 * after the entrypoint's temporary unix-socket-only server is gone. Throws with the container's last log
 * lines when it does not happen within timeoutMs or the container stops.
 */
export async function waitForPostgres(name: string, timeoutMs = 60_000): Promise<void> {
  const full = testContainerName(name);
  try {
    await waitUntil(
      async () => {
        const state = await dockerCli(['inspect', '--format', '{{.State.Running}}', full], 10_000);
        if (state.stdout.trim() !== 'true') throw new Error(`container ${full} is not running`);
        const ready = await dockerCli(['exec', full, 'pg_isready', '-q', '-h', '127.0.0.1', '-p', '5432'], 10_000);
        return ready.code === 0 ? true : undefined;
      },
      { timeoutMs, intervalMs: 200, what: `PostgreSQL in ${full} ready` },
    );
  } catch (error) {
    const logs = await dockerCli(['logs', '--tail', '30', full], 10_000);
    throw new Error(`${(error as Error).message}\n${logs.stdout}${logs.stderr}`);
  }
}

// ---- Images with another default command ----

/** An image from `base` whose default command is `cmd` (docker commit; nothing is pulled). */
export async function imageWithCommand(tag: string, base: string, cmd: string[]): Promise<void> {
  await commitImage(tag, base, cmd, [`CMD ${JSON.stringify(cmd)}`]);
}

/**
 * An image from `base` with `files` added (absolute path → content, executable) and the given ENTRYPOINT
 * and CMD, for a stand-in whose stack passes a command to the real image's entrypoint (`server
 * standalone`, `jobmanager`). docker create, cp and commit; nothing is pulled. Built only when `tag` is
 * missing: a change to the files needs a new tag.
 */
export async function imageWithEntrypoint(
  tag: string,
  base: string,
  options: { entrypoint: string[]; cmd: string[]; files?: Record<string, string> },
): Promise<void> {
  const changes = [`ENTRYPOINT ${JSON.stringify(options.entrypoint)}`, `CMD ${JSON.stringify(options.cmd)}`];
  await commitImage(tag, base, options.cmd, changes, options.files);
}

async function commitImage(
  tag: string,
  base: string,
  cmd: string[],
  changes: string[],
  files: Record<string, string> = {},
): Promise<void> {
  if ((await dockerCli(['image', 'inspect', tag])).code === 0) return;
  const name = `dec-test-build-${process.pid}-${tag.replace(/[^a-z0-9]/g, '')}`;
  await dockerCli(['rm', '-f', name]);
  const work = Object.keys(files).length > 0 ? mkdtempSync(join(tmpdir(), 'dec-standin-')) : undefined;
  // No dec.test label on this container: `docker commit` would copy it into the image, every stack
  // container made from it would carry it, and other suites' clean-up would remove them mid-test.
  try {
    await docker(['create', '--name', name, base, ...cmd]);
    if (work) {
      chmodSync(work, 0o755); // the archive's root entry is the image's /: keep it 755, not mkdtemp's 700
      for (const [path, content] of Object.entries(files)) {
        if (!path.startsWith('/') || path.includes('..')) throw new Error(`not an absolute path: ${path}`);
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), content, { mode: 0o755 });
      }
      await docker(['cp', `${work}/.`, `${name}:/`]);
    }
    await docker(['commit', ...changes.flatMap((change) => ['--change', change]), name, tag]);
  } finally {
    await dockerCli(['rm', '-f', name]);
    if (work) rmSync(work, { recursive: true, force: true });
  }
}

// ---- pgAdmin stand-in ----------------------------------------------------------------------------------

/**
 * The command for PGADMIN_TEST_IMAGE that answers like pgAdmin on port 80: `/misc/ping` → 200 "PING",
 * `/` → 200. `startDelaySeconds` (whole seconds) waits before listening, like pgAdmin's slow start. Stops
 * within a second on SIGTERM/SIGINT (busybox httpd as PID 1 would ignore them until docker's SIGKILL).
 */
export function pgadminStandInCommand(options: { startDelaySeconds?: number } = {}): string[] {
  const delay = options.startDelaySeconds ?? 0;
  if (!Number.isInteger(delay) || delay < 0) throw new Error(`not a delay in seconds: ${delay}`);
  const script =
    'trap \'kill "$pid" 2>/dev/null; exit 0\' TERM INT; ' +
    '/bin/busybox mkdir -p /www/misc && echo -n PING > /www/misc/ping && ' +
    (delay > 0 ? `sleep ${delay} & pid=$!; wait "$pid"; ` : '') +
    'httpd -f -p 80 -h /www & pid=$!; wait "$pid"';
  return ['sh', '-c', script];
}

/** The command for PGADMIN_TEST_IMAGE that keeps running and never answers HTTP (stops on SIGTERM). */
export function neverReadyCommand(): string[] {
  return ['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 1; done'];
}
