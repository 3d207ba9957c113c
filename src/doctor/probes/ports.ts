// Every other host port the chosen weeks' stacks publish: free, or held by whom.
import { platformFacts } from '../platform.js';
import { projectFromEnv } from '../../docker/client.js';
import type { Probe, ProbeResult } from '../types.js';
import { describeHolder, freePortFix, heldByOwnStack, portHolder } from './port-holders.js';
import { postgresNeed } from './postgres.js';

export const ports: Probe = {
  id: 'ports',
  title: 'Stack ports',
  group: 'Ports',
  whenPorts: true,
  checks: "the host ports each week's stack publishes (from the syllabus) are free, or held by that stack",
  prepare: (ctx) => ctx.docker.load(),
  async run(ctx) {
    // The Postgres port has its own probe, which also tells which Postgres holds it.
    const postgres = postgresNeed(ctx);
    const wanted = ctx.needs.ports.filter((p) => p !== postgres);
    if (wanted.length === 0) return { status: 'skipped', detail: 'the chosen weeks publish no other ports' };
    const checks = await Promise.all(wanted.map(async (need) => ({ need, holder: await portHolder(ctx, need.port) })));
    const project = projectFromEnv(ctx.env);
    // Held by the stack itself, or by another setup of its week (week 2's light Airflow on 8080): its own.
    const ownStacks = (need: (typeof wanted)[number]) => [need.stack, ...(need.variantStacks ?? [])];
    const problems = checks.filter(
      ({ need, holder }) =>
        holder.kind !== 'free' && !ownStacks(need).some((stack) => heldByOwnStack(holder, project, stack)),
    );
    const details = checks.map(
      ({ need, holder }) => `${need.port} (${need.stack} ${need.service}): ${describeHolder(holder)}`,
    );
    if (problems.length === 0) {
      return {
        status: 'ok',
        detail: `${checks.map(({ need }) => need.port).join(', ')} free or held by their own stacks`,
        details,
      };
    }
    const first = problems[0]!;
    const blocking = problems.some(({ holder }) => holder.kind !== 'dec');
    const result: ProbeResult = {
      status: blocking ? 'fail' : 'warn',
      detail: problems
        .map(({ need, holder }) => `${need.port} (${need.stack}) held by ${describeHolder(holder)}`)
        .join('; '),
      details,
      fix: freePortFix(
        ctx.platform,
        await platformFacts(ctx),
        first.holder,
        first.need.port,
        first.need.service,
        first.need.stack,
        first.need.managed,
        project,
      ),
    };
    return result;
  },
};
