// The plan for bringing a stack up: pure, from what should be and what is. `--dry-run` prints it.
import { CONFIG_LABEL, type DesiredService, type DesiredStack } from './spec.js';
import { belongsToStack, type ContainerSummary } from '../docker/client.js';

export interface ActualStack {
  containers: ContainerSummary[];
  networkExists: boolean;
  volumes: Record<string, boolean>;
  images: Record<string, boolean>;
}

export type ServiceAction =
  | { kind: 'create'; service: DesiredService }
  | { kind: 'start'; service: DesiredService; container: ContainerSummary }
  | { kind: 'keep'; service: DesiredService; container: ContainerSummary }
  | { kind: 'differs'; service: DesiredService; container: ContainerSummary }
  | { kind: 'recreate'; service: DesiredService; container: ContainerSummary };

export interface StackPlan {
  createNetwork: boolean;
  createVolumes: string[];
  pullImages: string[];
  services: ServiceAction[];
}

export interface PlanOptions {
  recreate: boolean;
  /** --only: these services and what they depend on (checkOnly in options.ts parses the flag). */
  only?: readonly string[];
}

export function serviceContainer(
  actual: ActualStack,
  desired: Pick<DesiredStack, 'project' | 'stack'>,
  service: string,
): ContainerSummary | undefined {
  return actual.containers.find((c) => belongsToStack(c, desired.project, desired.stack, service));
}

/** The services --only names and what they depend on, in dependency order; all of them without --only. */
export function chosen(desired: DesiredStack, only?: readonly string[]): DesiredService[] {
  if (only === undefined) return desired.services;
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dependency of desired.services.find((s) => s.service === name)?.dependsOn ?? []) add(dependency);
  };
  for (const name of only) add(name);
  return desired.services.filter((s) => wanted.has(s.service));
}

export function planStack(desired: DesiredStack, actual: ActualStack, options: PlanOptions): StackPlan {
  const services = chosen(desired, options.only).map((service): ServiceAction => {
    const container = serviceContainer(actual, desired, service.service);
    if (!container) return { kind: 'create', service };
    if (container.labels[CONFIG_LABEL] !== service.configHash) {
      return options.recreate ? { kind: 'recreate', service, container } : { kind: 'differs', service, container };
    }
    return container.state === 'running' ? { kind: 'keep', service, container } : { kind: 'start', service, container };
  });
  const building = services.filter((a) => a.kind === 'create' || a.kind === 'recreate').map((a) => a.service);
  return {
    createNetwork: !actual.networkExists,
    createVolumes: [...new Set(building.flatMap((s) => s.mounts.map((m) => m.volume)))].filter(
      (v) => !actual.volumes[v],
    ),
    pullImages: [...new Set(building.map((s) => s.image))].filter((image) => !actual.images[image]),
    services,
  };
}

export function planLines(plan: StackPlan, desired: DesiredStack): string[] {
  const lines: string[] = [];
  if (plan.createNetwork) lines.push(`create network ${desired.network}`);
  for (const volume of plan.createVolumes) lines.push(`create volume ${volume}`);
  for (const image of plan.pullImages) lines.push(`pull image ${image}`);
  for (const action of plan.services) {
    const { service } = action;
    const ports = service.ports.map((p) => `${p.hostIp}:${p.host}->${p.container}`).join(', ');
    const what = {
      create: `create and start ${service.containerName} (${service.image}${ports ? `, ${ports}` : ''})`,
      start: `start the stopped ${service.containerName}`,
      keep: `keep ${service.containerName} (running, as the syllabus says)`,
      differs: `${service.containerName} differs from the syllabus (image, env or ports); left as it is (--recreate replaces it, keeping its volume)`,
      recreate: `recreate ${service.containerName} (its volume is kept)`,
    }[action.kind];
    lines.push(what);
  }
  return lines;
}

/** True when every service of the stack runs as desired (what marks the week's setup done). */
export function wholeStackUp(desired: DesiredStack, actual: ActualStack): boolean {
  return planStack(desired, actual, { recreate: false }).services.every((a) => a.kind === 'keep');
}

export function changesNothing(plan: StackPlan): boolean {
  return (
    !plan.createNetwork &&
    plan.createVolumes.length === 0 &&
    plan.pullImages.length === 0 &&
    plan.services.every((a) => a.kind === 'keep' || a.kind === 'differs')
  );
}
