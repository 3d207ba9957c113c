// The plan for bringing a stack up: pure, from what should be and what is. `--dry-run` prints it.
import {
  BUILD_LABEL,
  CONFIG_LABEL,
  instancesOf,
  REPLICA_LABEL,
  SOCKET_LABEL,
  type DesiredService,
  type DesiredStack,
} from './spec.js';
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
  | {
      kind: 'recreate';
      service: DesiredService;
      container: ContainerSummary;
      /** 'settings': this run's flags (or --reset) changed it; 'asked': --recreate; 'rebuilt': its image's context changed. */
      reason: 'settings' | 'asked' | 'rebuilt' | 'socket';
    };

export interface StackPlan {
  createNetwork: boolean;
  createVolumes: string[];
  pullImages: string[];
  /** The chosen services whose image dec builds; built before any container is made, unless up to date. */
  builds: Array<{ service: DesiredService; upToDate: boolean }>;
  /** One action per container: a service's, or each of its replicas'. */
  services: ServiceAction[];
  /** Containers of the chosen services that no longer have a place: replicas past the count (scaled down). */
  removeExtra: ContainerSummary[];
}

export interface PlanOptions {
  recreate: boolean;
  /** --only: these services and what they depend on (checkOnly in options.ts parses the flag). */
  only?: readonly string[];
  /**
   * Services whose settings this run changes (--port, --env, --image, --expose, --reset): a running
   * container of theirs that differs is recreated to apply them, without --recreate.
   */
  applying?: ReadonlySet<string>;
  /** Optional services this run turned off (--without): their containers are removed (volumes kept). */
  turnOff?: ReadonlySet<string>;
}

/** The replica number a container of a service carries (undefined: the service is not replicated). */
function replicaOf(container: ContainerSummary): string | undefined {
  return container.labels[REPLICA_LABEL];
}

/** The container of one instance of a service (the service, or one replica of it). */
export function serviceContainer(
  actual: ActualStack,
  desired: Pick<DesiredStack, 'project' | 'stack'>,
  instance: DesiredService,
): ContainerSummary | undefined {
  const replica = instance.replica === undefined ? undefined : String(instance.replica);
  const ours = actual.containers.filter(
    (c) => belongsToStack(c, desired.project, desired.stack, instance.service) && replicaOf(c) === replica,
  );
  // A recreate cut off by a crash may leave the old container aside (<name>-old): the named one wins.
  return ours.find((c) => c.name === instance.containerName) ?? ours[0];
}

/**
 * The containers of these services that fit none of their instances: replicas past the count after a
 * scale-down, or the other naming after `replicas` was added to or dropped from a service.
 */
function extraContainers(
  actual: ActualStack,
  desired: Pick<DesiredStack, 'project' | 'stack'>,
  services: DesiredService[],
): ContainerSummary[] {
  return services.flatMap((service) => {
    const fits = new Set(instancesOf(service).map((i) => (i.replica === undefined ? undefined : String(i.replica))));
    return actual.containers.filter(
      (c) => belongsToStack(c, desired.project, desired.stack, service.service) && !fits.has(replicaOf(c)),
    );
  });
}

/** The services whose desired container changes between two settings (e.g. remembered vs this run's). */
export function changedServices(before: DesiredStack, after: DesiredStack): Set<string> {
  return new Set(
    after.services
      .filter((s) => before.services.find((b) => b.service === s.service)?.configHash !== s.configHash)
      .map((s) => s.service),
  );
}

/**
 * The services --only names and what they depend on, in dependency order; without --only, all of them
 * but the optional ones that are off (--only names one to start it this once).
 */
export function chosen(desired: DesiredStack, only?: readonly string[]): DesiredService[] {
  if (only === undefined) return desired.services.filter((s) => s.optional !== 'off');
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
  const services = chosen(desired, options.only)
    .flatMap(instancesOf)
    .map((service): ServiceAction => {
      const container = serviceContainer(actual, desired, service);
      if (!container) return { kind: 'create', service };
      if (container.labels[CONFIG_LABEL] !== service.configHash) {
        if (options.recreate) return { kind: 'recreate', service, container, reason: 'asked' };
        if (options.applying?.has(service.service)) return { kind: 'recreate', service, container, reason: 'settings' };
        // Its context changed: the new image replaces the container, through the same safe recreate.
        if (service.build && container.labels[BUILD_LABEL] !== service.build.digest)
          return { kind: 'recreate', service, container, reason: 'rebuilt' };
        // dec talks to the engine through another socket path now: the mounted one may be gone.
        const socket = service.labels[SOCKET_LABEL];
        if (service.dockerSocket && socket !== undefined && container.labels[SOCKET_LABEL] !== socket)
          return { kind: 'recreate', service, container, reason: 'socket' };
        return { kind: 'differs', service, container };
      }
      // A job is done once it exited with code 0 for these settings: a re-run skips it (its container stays,
      // with its logs). Otherwise it runs (again).
      if (service.job)
        return jobSucceeded(container) ? { kind: 'keep', service, container } : { kind: 'start', service, container };
      return container.state === 'running'
        ? { kind: 'keep', service, container }
        : { kind: 'start', service, container };
    });
  const building = services.filter((a) => a.kind === 'create' || a.kind === 'recreate').map((a) => a.service);
  return {
    createNetwork: !actual.networkExists,
    createVolumes: [...new Set(building.flatMap((s) => s.mounts.map((m) => m.volume)))].filter(
      (v) => !actual.volumes[v],
    ),
    pullImages: [...new Set(building.filter((s) => !s.build).map((s) => s.image))].filter(
      (image) => !actual.images[image],
    ),
    // One build per image: week 2's six Airflow services share the one image built from one context.
    builds: chosen(desired, options.only)
      .filter((s, index, all) => s.build && all.findIndex((o) => o.build && o.image === s.image) === index)
      .map((service) => ({ service, upToDate: actual.images[service.image] === true })),
    services,
    removeExtra: [
      ...extraContainers(actual, desired, chosen(desired, options.only)),
      ...turnedOff(actual, desired, options.turnOff),
    ],
  };
}

/**
 * The containers of optional services this run turned off (--without). An optional service that is off
 * otherwise keeps any container it has: a plain re-run never removes what the student started.
 */
function turnedOff(
  actual: ActualStack,
  desired: Pick<DesiredStack, 'project' | 'stack' | 'services'>,
  turnOff: ReadonlySet<string> | undefined,
): ContainerSummary[] {
  if (!turnOff) return [];
  const off = desired.services.filter((s) => s.optional === 'off' && turnOff.has(s.service));
  return actual.containers.filter((c) => off.some((s) => belongsToStack(c, desired.project, desired.stack, s.service)));
}

/** A job's container that ran to the end with exit code 0. */
export function jobSucceeded(container: ContainerSummary): boolean {
  return container.state === 'exited' && container.exitCode === 0;
}

/** What happens to a built image, for --dry-run. */
function buildLine(service: DesiredService, upToDate: boolean): string {
  if (upToDate) return `image ${service.image} built, up to date`;
  const build = service.build!;
  const settings = [build.dockerfile ?? 'Dockerfile', ...(build.target ? [`target ${build.target}`] : [])];
  return `build image ${service.image} from ${build.dir} (${settings.join(', ')})`;
}

/** A container scaled away, for --dry-run. */
function extraLine(container: ContainerSummary, desired: DesiredStack): string {
  const service = desired.services.find((s) => belongsToStack(container, desired.project, desired.stack, s.service));
  if (service?.optional === 'off')
    return `remove ${container.name} (--without ${service.service}; its volumes are kept, --with ${service.service} brings it back)`;
  const count = service?.replicas ?? 1;
  return `remove ${container.name} (${service?.service ?? 'its service'} runs ${count} container${count === 1 ? '' : 's'} now; volumes are kept)`;
}

/** What happens to a job, for --dry-run; undefined for the kinds said as for services. */
function jobLine(action: ServiceAction): string | undefined {
  const { service } = action;
  switch (action.kind) {
    case 'create':
      return `run the job ${service.containerName} once, to completion (${service.image})`;
    case 'keep':
      return `skip the job ${service.containerName} (it completed with these settings)`;
    case 'start':
      return `run the job ${service.containerName} again (it did not complete last time)`;
    default:
      return undefined;
  }
}

export function planLines(plan: StackPlan, desired: DesiredStack): string[] {
  const lines: string[] = [];
  if (plan.createNetwork) lines.push(`create network ${desired.network}`);
  for (const volume of plan.createVolumes) lines.push(`create volume ${volume}`);
  for (const image of plan.pullImages) lines.push(`pull image ${image}`);
  for (const { service, upToDate } of plan.builds) lines.push(buildLine(service, upToDate));
  for (const container of plan.removeExtra) lines.push(extraLine(container, desired));
  for (const action of plan.services) {
    const { service } = action;
    const job = service.job ? jobLine(action) : undefined;
    if (job !== undefined) {
      lines.push(job);
      continue;
    }
    const ports = service.ports.map((p) => `${p.hostIp}:${p.host}->${p.container}`).join(', ');
    const what = {
      create: `create and start ${service.containerName} (${service.image}${ports ? `, ${ports}` : ''})`,
      start: `start the stopped ${service.containerName}`,
      keep: `keep ${service.containerName} (running, as the syllabus says)`,
      differs: `${service.containerName} differs from the syllabus (image, env or ports); left as it is (--recreate replaces it, keeping its volume)`,
      recreate:
        action.kind === 'recreate' && action.reason !== 'asked'
          ? `recreate ${service.containerName} with ${{ rebuilt: 'the rebuilt image', settings: 'the changed settings', socket: `the Docker socket ${service.labels[SOCKET_LABEL]}` }[action.reason]}${ports ? ` (${ports})` : ''}; its volume is kept, and the old container is put back if the new one fails`
          : `recreate ${service.containerName} (its volume is kept)`,
    }[action.kind];
    lines.push(what);
  }
  for (const service of desired.services)
    if (service.optional === 'off' && !plan.services.some((a) => a.service.service === service.service))
      lines.push(`leave out the optional ${service.service} (--with ${service.service} starts it)`);
  return lines;
}

/** True when every service of the stack runs as desired (what marks the week's setup done). */
export function wholeStackUp(desired: DesiredStack, actual: ActualStack): boolean {
  const plan = planStack(desired, actual, { recreate: false });
  return plan.services.every((a) => a.kind === 'keep') && plan.removeExtra.length === 0;
}

export function changesNothing(plan: StackPlan): boolean {
  return (
    !plan.createNetwork &&
    plan.createVolumes.length === 0 &&
    plan.pullImages.length === 0 &&
    plan.removeExtra.length === 0 &&
    plan.builds.every((b) => b.upToDate) &&
    plan.services.every((a) => a.kind === 'keep' || a.kind === 'differs')
  );
}

/**
 * The service with the host ports its container really publishes: what status reports and probes, also
 * when the remembered flags are gone (another DEC_HOME) or were changed behind dec's back.
 */
export function withPublishedPorts(service: DesiredService, container: ContainerSummary | undefined): DesiredService {
  if (!container) return service;
  const ports = service.ports.map((port) => {
    const published = container.ports.find((p) => p.containerPort === port.container && p.hostPort !== undefined);
    return published ? { ...port, host: published.hostPort!, hostIp: published.hostIp ?? port.hostIp } : port;
  });
  return { ...service, ports };
}
