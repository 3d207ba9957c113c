// JupyterLab's login token for week 5 (issue 13). The course's image starts JupyterLab with no token at
// all; dec publishes it on 127.0.0.1 only and still gives it one: random, made at the first setup and
// kept in the stack's 0600 settings file (as --env would), passed as JUPYTER_TOKEN, which Jupyter logs
// as "?token=..." (a token from its config is never written to its log). The link with the token is
// shown only to a person at a terminal; in logs, CI and --json dec says how to get it instead.
import { randomBytes } from 'node:crypto';
import type { Stack } from '../syllabus/schema.js';
import type { DesiredStack, Overrides } from './spec.js';

const TOKEN_ENV = 'JUPYTER_TOKEN';

/** The services that log in with a token: JUPYTER_TOKEN is one of their secrets. */
function tokenServices(stack: Stack): string[] {
  return Object.entries(stack.services)
    .filter(([, spec]) => (spec.secretEnv ?? []).includes(TOKEN_ENV))
    .map(([service]) => service);
}

/**
 * The overrides with a token for each such service that has none yet (neither remembered nor in the
 * syllabus): 24 random bytes as hex. An existing one is kept, so the student's open tabs stay logged in.
 */
export function withJupyterToken(current: Overrides, stack: Stack, random = randomBytes): Overrides {
  let next = current;
  for (const service of tokenServices(stack)) {
    if (current.env[service]?.[TOKEN_ENV] || stack.services[service]?.env?.[TOKEN_ENV]) continue;
    next = {
      ...next,
      env: { ...next.env, [service]: { ...next.env[service], [TOKEN_ENV]: random(24).toString('hex') } },
    };
  }
  return next;
}

/**
 * The link to JupyterLab for a student at a terminal (`reveal`: with the token), else where to find it
 * (`docker exec <container> jupyter server list` prints the link with the token).
 */
export function jupyterLines(desired: DesiredStack, reveal: boolean): string[] {
  return desired.services.flatMap((service) => {
    const token = service.secretEnv.includes(TOKEN_ENV) ? service.env[TOKEN_ENV] : undefined;
    const port = service.ports[0]?.host;
    if (!token || port === undefined) return [];
    return reveal
      ? [`JupyterLab link (with its token; keep it to yourself): http://localhost:${port}/lab?token=${token}`]
      : [
          `JupyterLab's token is not printed here (not a terminal): docker exec ${service.containerName} jupyter server list`,
        ];
  });
}
