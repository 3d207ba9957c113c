// Postgres: the clients, and the course's top problem: who holds port 5432, and whether the course's
// credentials work there ("password authentication failed for user root" means another Postgres).
import { adminNote, asAdmin, platformFacts, type PlatformFacts } from '../platform.js';
import { projectFromEnv } from '../../docker/client.js';
import type { Fix, Needs, Probe, ProbeContext, ProbeResult } from '../types.js';
import { extractVersion } from '../versions.js';
import { describeHolder, freePortFix, heldByOwnStack, portHolder, type PortHolder } from './port-holders.js';
import { toolProbe } from './tool.js';

/** The week-1 credentials of the course (root/root, database ny_taxi), for a syllabus whose stack gives none. */
const COURSE_POSTGRES = { user: 'root', password: 'root', database: 'ny_taxi' } as const;

export const psql = toolProbe({
  id: 'psql',
  title: 'psql',
  group: 'Postgres',
  tool: 'psql',
  command: 'psql',
  args: ['--version'],
});

export const pgcli = toolProbe({
  id: 'pgcli',
  title: 'pgcli',
  group: 'Postgres',
  tool: 'pgcli',
  command: 'pgcli',
  args: ['--version'],
  parse: extractVersion,
});

/** The week-1 Postgres service's port in the chosen weeks (5432 in the course). */
export function postgresNeed(ctx: ProbeContext): Needs['ports'][number] | undefined {
  return ctx.needs.ports.find((p) => p.service === 'pgdatabase') ?? ctx.needs.ports.find((p) => p.port === 5432);
}

function stopHostPostgres(ctx: ProbeContext, facts: PlatformFacts, need: Needs['ports'][number]): Fix {
  const { port } = need;
  const other = need.managed
    ? `(or leave it and publish the course's Postgres elsewhere: dec setup ${need.stack} --port ${need.service}=${port + 1})`
    : `(or leave it and publish the course's Postgres on another host port, e.g. ${port + 1})`;
  if (ctx.platform === 'darwin')
    return { text: `Stop the Homebrew Postgres ${other}`, command: 'brew services stop postgresql' };
  if (ctx.platform === 'win32')
    return {
      text: `Stop the postgresql-x64-* service in services.msc ${other}`,
      command: 'net stop postgresql-x64-14',
    };
  return {
    text: `Stop the local Postgres service ${other}${adminNote(facts)}`,
    command: asAdmin(facts, 'service postgresql stop'),
  };
}

async function verdictFor(ctx: ProbeContext, holder: PortHolder, need: Needs['ports'][number]): Promise<ProbeResult> {
  const { port, stack, service } = need;
  const facts = await platformFacts(ctx);
  const who = describeHolder(holder);
  const project = projectFromEnv(ctx.env);
  if (holder.kind === 'free') return { status: 'ok', detail: `port ${port} is free for dec setup ${stack}` };
  if (holder.kind === 'dec') {
    return heldByOwnStack(holder, project, stack)
      ? { status: 'ok', detail: `port ${port} is held by ${who}, as it should be` }
      : {
          status: 'warn',
          detail: `port ${port} is held by ${who}`,
          fix: freePortFix(ctx.platform, facts, holder, port, service, stack, need.managed, project),
        };
  }
  // The login the syllabus's stack sets up (the course's root/root unless a syllabus says otherwise).
  const login = need.login ?? COURSE_POSTGRES;
  const credentials = await ctx.postgres.tryLogin(port, login, Math.min(2000, ctx.timeoutMs / 2));
  const details = [
    `course credentials (${login.user}/${login.password}, ${login.database}) on ${port}: ${credentials}`,
  ];
  if (credentials === 'rejected') {
    return {
      status: 'fail',
      detail: `another Postgres holds ${port} (${who}) and refuses ${login.user}/${login.password}: the "password authentication failed for user ${login.user}" problem`,
      details,
      fix:
        holder.kind === 'process' && holder.listener.name?.startsWith('postgres')
          ? stopHostPostgres(ctx, facts, need)
          : freePortFix(ctx.platform, facts, holder, port, service, stack, need.managed, project),
    };
  }
  if (credentials === 'accepted' || credentials === 'no-database') {
    return {
      status: 'warn',
      detail: `a Postgres that dec did not start (${who}) holds ${port}${credentials === 'accepted' ? ' and accepts the course credentials' : ', and it has no ny_taxi database'}`,
      details,
      fix: freePortFix(ctx.platform, facts, holder, port, service, stack, need.managed, project),
    };
  }
  return {
    status: 'fail',
    detail: `port ${port} is held by ${who}, which is not the course's Postgres`,
    details,
    fix: freePortFix(ctx.platform, facts, holder, port, service, stack, need.managed, project),
  };
}

export const postgresPort: Probe = {
  id: 'postgres-port',
  title: 'Postgres port',
  group: 'Postgres',
  tools: ['psql', 'pgcli'],
  whenPorts: true,
  checks:
    "who holds port 5432 (free, dec's week-1 container, another container, a host process) and whether the course credentials work there",
  // The Docker client (who holds the port) and pg (the login) load before the clock starts.
  prepare: async (ctx) => {
    await Promise.all([ctx.docker.load(), ctx.postgres.load()]);
  },
  async run(ctx) {
    const need = postgresNeed(ctx);
    if (!need) return { status: 'skipped', detail: 'the chosen weeks run no Postgres' };
    return verdictFor(ctx, await portHolder(ctx, need.port), need);
  },
};
