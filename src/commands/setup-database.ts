// dec setup for a stack with `database:` (week 4): before its containers, the database and schemas in
// the other stack's Postgres (offered to start it when it is not running) and the dbt profile.
import type { CommandContext } from '../command-context.js';
import { DecError, ExitCode } from '../errors.js';
import { postgresLogin, postgresReadiness, tryLogin } from '../postgres/login.js';
import type { Session } from '../session.js';
import { dbtProfileYaml, ensureDatabase, writeDbtProfile, type PostgresAccess } from '../setup/stack-database.js';
import { runningStack } from '../setup/state.js';
import type { StackDatabase } from '../syllabus/schema.js';

const LOGIN_MS = 5000;

/** The other stack's Postgres as it runs (remembered port and password), reached from the host. */
export async function postgresOf(ctx: CommandContext, session: Session, stack: string): Promise<PostgresAccess> {
  const desired = await runningStack(ctx.env, session.course, stack);
  const service = desired.services.find((s) => postgresReadiness(s.ready));
  const ready = service && postgresReadiness(service.ready);
  if (!service || !ready) throw new Error(`the stack ${stack} runs no Postgres`);
  const port = service.ports.find((p) => p.container === 5432)?.host ?? 5432;
  return { host: '127.0.0.1', port, ...postgresLogin(service.env, ready) };
}

/**
 * Makes what the stack's tools need in the other stack's Postgres, and their dbt profile. When that
 * Postgres does not answer: at a terminal, offers to start it (`start`), else says how.
 */
export async function prepareStackDatabase(
  ctx: CommandContext,
  session: Session,
  stackId: string,
  spec: StackDatabase,
  workspaceRoot: string,
  start: (stack: string) => Promise<number>,
): Promise<void> {
  let access = await postgresOf(ctx, session, spec.stack);
  let login = await tryLogin(access.port, access, LOGIN_MS);
  if (login === 'unreachable' && ctx.terminal.interactive && !ctx.terminal.json) {
    const yes = await ctx.prompt.confirm(
      `${stackId} uses the Postgres of ${spec.stack}, which is not running. Start it now (dec setup ${spec.stack})?`,
      `run dec setup ${spec.stack} first`,
    );
    if (yes) {
      const code = await start(spec.stack);
      if (code !== ExitCode.ok)
        throw new DecError(`dec setup ${spec.stack} did not finish; ${stackId} needs it.`, { exitCode: code });
      access = await postgresOf(ctx, session, spec.stack);
      login = await tryLogin(access.port, access, LOGIN_MS);
    }
  }
  if (login !== 'accepted') {
    const why = {
      unreachable: `nothing answers on 127.0.0.1:${access.port}`,
      rejected: `it refused the login of ${access.user} (a password changed by hand?)`,
      'no-database': `its database ${access.database} is missing`,
      'not-postgres': `what answers on 127.0.0.1:${access.port} is not that Postgres`,
    }[login];
    throw new DecError(`${stackId} needs the Postgres of ${spec.stack} (database ${spec.name} in it), and ${why}.`, {
      hint: `Start it first: dec setup ${spec.stack}, then dec setup ${stackId} again. Nothing was changed.`,
      exitCode: ExitCode.problems,
    });
  }
  const made = await ensureDatabase(access, spec);
  const { style } = ctx.terminal;
  const madeWhat = [
    ...(made.createdDatabase ? [`database ${spec.name}`] : []),
    ...made.createdSchemas.map((schema) => `schema ${spec.name}.${schema}`),
  ];
  ctx.terminal.progress(
    madeWhat.length > 0
      ? `made ${madeWhat.join(' and ')} in ${spec.stack}'s Postgres`
      : `${spec.name} and its schemas are already in ${spec.stack}'s Postgres`,
  );
  if (!spec.dbtProfile) return;
  const { resolve } = await import('node:path');
  const folder = resolve(workspaceRoot, spec.dbtProfile.folder);
  const profile = await writeDbtProfile(
    folder,
    spec.dbtProfile.name,
    dbtProfileYaml(spec.dbtProfile, spec.name, access, stackId),
  );
  if (profile.kind === 'written')
    ctx.terminal.progress(`wrote the dbt profile ${spec.dbtProfile.name} to ${profile.path} (0600)`);
  else if (profile.kind === 'kept')
    ctx.terminal.progress(`kept your dbt profile ${spec.dbtProfile.name} in ${profile.path}`);
  else
    ctx.terminal.warn(
      `${profile.path} has no profile ${spec.dbtProfile.name}; dec leaves your file as it is. Add it (host ${spec.dbtProfile.host}, port 5432, dbname ${spec.name}, user ${access.user}) ${style.dim('or move the file away and run dec setup again for one written by dec')}.`,
    );
}
