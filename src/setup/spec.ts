// What a stack should look like on the engine: the syllabus's stack plus the student's remembered
// overrides (--port, --image, --env, --expose), turned into concrete names, labels and a config hash.
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { DEC_LABELS, DEFAULT_PROJECT } from '../docker/client.js';
import type { ResolvedContext } from './build.js';
import {
  dependencyConditions,
  type Build,
  type Bind,
  type DependencyWait,
  type Healthcheck,
  type Readiness,
  type RestartPolicy,
  type Stack,
} from '../syllabus/schema.js';

export interface Overrides {
  /**
   * service → host port for its first published port (`--port kafka=19092`); `service.<container port>`
   * → host port for another of its published ports (`--port redpanda.9092=19092`).
   */
  ports: Record<string, number>;
  /** service → image reference */
  images: Record<string, string>;
  /** service → env var → value (secrets included; stored 0600) */
  env: Record<string, Record<string, string>>;
  /** Publish on all interfaces instead of 127.0.0.1. */
  expose: boolean;
  /** The stack's optional services the student turned on (--with; --without turns one off). */
  optional?: string[];
  /**
   * Secrets from the environment (DEC_<SERVICE>_<VAR>) for this run: given to the container, never
   * stored, and not part of its config hash, so a run without them does not take it for a difference.
   */
  envSecrets?: Record<string, Record<string, string>>;
  /** service → how many containers run it (`dec setup week5 --workers N`); only for a replicated service. */
  replicas?: Record<string, number>;
}

export function noOverrides(): Overrides {
  return { ports: {}, images: {}, env: {}, expose: false };
}

export interface DesiredService {
  service: string;
  containerName: string;
  image: string;
  env: Record<string, string>;
  secretEnv: string[];
  /** Secrets the student set (--env, remembered; or DEC_<SERVICE>_<VAR>): the others are the syllabus's. */
  secretsFrom?: Record<string, 'flag' | 'environment'>;
  command?: string[];
  ports: Array<{ hostIp: string; host: number; container: number }>;
  mounts: Array<{ volume: string; path: string }>;
  aliases: string[];
  files: Array<{ path: string; content: string }>;
  ready?: Readiness;
  /** Docker's health check, as the syllabus writes it (the test always in its list form). */
  healthcheck?: DesiredHealthcheck;
  /** A one-shot job: done once it exited with code 0; never restarted. */
  job: boolean;
  /** The user to run as, with {host.uid}/{host.gid} filled in. */
  user?: string;
  entrypoint?: string[];
  restart: RestartPolicy;
  hostname?: string;
  dependsOn: string[];
  /** Each dependency and what this service waits for before it starts ("ready" for the short form). */
  waitsFor: Record<string, DependencyWait>;
  labels: Record<string, string>;
  /** The image is built by dec from this context (`image` is its name tagged with the digest). */
  build?: DesiredBuild;
  /** Host folders mounted into it (absolute host paths), the Docker socket, other stacks' networks. */
  binds: DesiredBind[];
  dockerSocket: boolean;
  networks: DesiredNetwork[];
  /** Hash of everything that, when it changes, needs a new container. */
  configHash: string;
  /** How many containers run it (the syllabus's `replicas`); unset: one, named as the service. */
  replicas?: number;
  /** On one of them (instancesOf): its number, 1..replicas. */
  replica?: number;
  /**
   * An optional service (the syllabus's `optional: true`): 'on' when the student turned it on (--with),
   * else 'off': not planned, started or pulled, and a container of it is left alone. Unset: always started.
   */
  optional?: 'on' | 'off';
  /** The host port its ready check reads when that is another service's (sparkWorkers: the master's UI). */
  readyHostPort?: number;
  /**
   * The only platforms its image exists for (the syllabus's `platforms`, e.g. linux/amd64), when dec pulls
   * that image: not for an image dec builds (built for the host) or another one given with --image.
   */
  platforms?: string[];
}

export interface DesiredBind extends Omit<Bind, 'from' | 'readOnly' | 'ifMissing'> {
  from: NonNullable<Bind['from']>;
  /** The folder's absolute path on the host (base + path). */
  source: string;
  /** The base folder it must stay in (symlinks included). */
  base: string;
  readOnly: boolean;
  ifMissing: NonNullable<Bind['ifMissing']>;
}

/** Another stack's network: joined with the service's names; dec never creates or removes it. */
interface DesiredNetwork {
  stack: string;
  network: string;
  optional: boolean;
}

/** Where binds live: the workspace (or current folder) and the home folder; other stacks, for their networks. */
export interface StackLinks {
  roots?: { workspace: string; home: string };
  stacks?: Record<string, Pick<Stack, 'network'>>;
  /** The engine's unix socket a `dockerSocket` service mounts (binds.ts stackSocket): another one recreates it. */
  socket?: string;
}

function bindsOf(spec: Stack['services'][string], roots: NonNullable<StackLinks['roots']>): DesiredBind[] {
  return (spec.binds ?? []).map((bind) => {
    const from = bind.from ?? 'workspace';
    const base = resolve(roots[from]);
    return {
      ...bind,
      from,
      base,
      source: resolve(base, bind.path),
      readOnly: bind.readOnly === true,
      ifMissing: bind.ifMissing ?? 'create',
    };
  });
}

function networksOf(spec: Stack['services'][string], project: string, links: StackLinks): DesiredNetwork[] {
  return (spec.networks ?? []).map((joined) => {
    const other = links.stacks?.[joined.stack];
    if (!other) throw new Error(`no stack ${joined.stack} to join the network of`);
    return {
      stack: joined.stack,
      network: networkName(project, other.network.name),
      optional: joined.optional === true,
    };
  });
}

export interface DesiredStack {
  /** The namespace of every name and label below (DEC_PROJECT; default "dec"). */
  project: string;
  stack: string;
  title: string;
  network: string;
  volumes: string[];
  /** In dependency order: a service comes after what it depends on. */
  services: DesiredService[];
  next: string[];
}

export interface DesiredHealthcheck extends Omit<Healthcheck, 'test'> {
  test: string[];
}

/** A service's `build` with its context found on disk (see build.ts). */
interface DesiredBuild extends Build, ResolvedContext {}

export const CONFIG_LABEL = 'dec.config';
/** On a replica's container: its number (1..N). */
export const REPLICA_LABEL = 'dec.replica';
/** On a container whose image dec built: the context's digest it was made from (a rebuild recreates it). */
export const BUILD_LABEL = 'dec.build';
/** On a container that mounts the engine's socket: its path on the host (another path recreates it). */
export const SOCKET_LABEL = 'dec.socket';
/** On a job's container: "1". With the config hash and the exit code, it says whether the job already succeeded. */
const JOB_LABEL = 'dec.job';

/** The ids of the student running dec ({host.uid}, {host.gid}); none on Windows. */
export interface HostIds {
  uid?: number;
  gid?: number;
}

function currentHostIds(): HostIds {
  return { uid: process.getuid?.(), gid: process.getgid?.() };
}

/** Without host ids (Windows), {host.uid} and {host.gid} take their :-default, else this. */
const NO_HOST_ID = 1000;

/**
 * {host.uid}/{host.gid} (in `user` and the syllabus's env values, e.g. the course's AIRFLOW_UID) filled in
 * from the host, or their default where the host has none.
 */
export function fillHostIds(text: string, host: HostIds): string {
  return text.replace(/\{host\.(uid|gid)(?::-(\d+))?\}/g, (_, which: 'uid' | 'gid', fallback?: string) =>
    String(host[which] ?? (fallback !== undefined ? Number(fallback) : NO_HOST_ID)),
  );
}

function healthcheckOf(check: Healthcheck | undefined): DesiredHealthcheck | undefined {
  if (!check) return undefined;
  return { ...check, test: typeof check.test === 'string' ? ['CMD-SHELL', check.test] : check.test };
}

function containerName(project: string, stack: string, service: string): string {
  return `${project}-${stack}-${service}`;
}

function volumeName(project: string, stack: string, volume: string): string {
  return `${project}-${stack}-${volume}`;
}

/**
 * The course's network name (pg-network) in the default project, so the course's own commands work;
 * another project's is prefixed, so two projects never share (or fight over) one network.
 */
function networkName(project: string, network: string): string {
  return project === DEFAULT_PROJECT ? network : `${project}-${network}`;
}

/** Services ordered so that each comes after its dependencies (the syllabus forbids unknown ones). */
export function dependencyOrder(
  services: Record<string, { dependsOn?: Stack['services'][string]['dependsOn'] }>,
): string[] {
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name)) return;
    if (visiting.has(name))
      throw new Error(`services depend on each other in a circle: ${[...path, name].join(' → ')}`);
    visiting.add(name);
    for (const dependency of Object.keys(dependencyConditions(services[name]?.dependsOn)))
      visit(dependency, [...path, name]);
    visiting.delete(name);
    ordered.push(name);
  };
  for (const name of Object.keys(services)) visit(name, []);
  return ordered;
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

type PublishedPorts = Record<string, DesiredService['ports']>;

/** The key of `overrides.ports` that moves a service's published port: its name for the first, else `name.<container port>`. */
export function portKey(service: string, index: number, container: number): string {
  return index === 0 ? service : `${service}.${container}`;
}

/** The host port a service's published port ends up on: the student's --port, else the syllabus's. */
export function hostPortOf(
  overrides: Pick<Overrides, 'ports'>,
  service: string,
  index: number,
  port: { host: number; container: number },
): number {
  return overrides.ports[portKey(service, index, port.container)] ?? port.host;
}

function publishedPorts(stack: Stack, overrides: Overrides): PublishedPorts {
  return Object.fromEntries(
    Object.entries(stack.services).map(([service, spec]) => [
      service,
      (spec.ports ?? []).map((port, index) => ({
        hostIp: overrides.expose ? '0.0.0.0' : '127.0.0.1',
        host: hostPortOf(overrides, service, index, port),
        container: port.container,
      })),
    ]),
  );
}

const HOST_PORT_PLACEHOLDER = /\{([a-z0-9-]+)\.(\d+)\}/g;

/**
 * Fills {service.<container port>} in an env value or a command's argument with that port's host port:
 * Kafka's (and Redpanda's) advertised listener must name the port clients on the host use, which --port
 * may have changed.
 */
export function fillHostPorts(value: string, ports: PublishedPorts): string {
  return value.replace(HOST_PORT_PLACEHOLDER, (whole, service: string, port: string) =>
    String(ports[service]?.find((p) => p.container === Number(port))?.host ?? whole),
  );
}

export function desiredStack(
  stackId: string,
  stack: Stack,
  syllabusId: string,
  overrides: Overrides,
  project: string = DEFAULT_PROJECT,
  host: HostIds = currentHostIds(),
  /** The contexts of the services that build their image (build.ts resolveBuilds); without, the bare name. */
  builds: Record<string, ResolvedContext> = {},
  links: StackLinks = {},
): DesiredStack {
  const roots = links.roots ?? { workspace: process.cwd(), home: homedir() };
  const published = publishedPorts(stack, overrides);
  const services = dependencyOrder(stack.services).map((service): DesiredService => {
    const spec = stack.services[service]!;
    // A built image is tagged by its context's digest, so the tag (and the config hash) changes with it.
    const resolved = spec.build && overrides.images[service] === undefined ? builds[service] : undefined;
    const build: DesiredBuild | undefined = resolved && spec.build ? { ...spec.build, ...resolved } : undefined;
    const image = overrides.images[service] ?? (build ? `${spec.image}:${build.digest}` : spec.image);
    const envOf = (vars: Record<string, string>) =>
      Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, fillHostPorts(value, published)]));
    const syllabusEnv = Object.fromEntries(
      Object.entries(spec.env ?? {}).map(([name, value]) => [name, fillHostIds(value, host)]),
    );
    const configured = envOf({ ...syllabusEnv, ...(overrides.env[service] ?? {}) });
    const env = { ...configured, ...envOf(overrides.envSecrets?.[service] ?? {}) };
    const ports = published[service]!;
    // Redpanda advertises its host address on its command line: {redpanda.9092} follows --port too.
    const command = spec.command?.map((part) => fillHostPorts(part, published));
    const mounts = (spec.volumes ?? []).map((volume) => ({
      volume: volumeName(project, stackId, volume.name),
      path: volume.path,
    }));
    const job = spec.job === true;
    const healthcheck = healthcheckOf(spec.healthcheck);
    const user = spec.user === undefined ? undefined : fillHostIds(spec.user, host);
    const restart = spec.restart ?? (job ? 'no' : 'unless-stopped');
    const binds = bindsOf(spec, roots);
    const networks = networksOf(spec, project, links);
    const configHash = hashOf({
      image,
      env: configured,
      command: command ?? null,
      ports,
      mounts,
      aliases: spec.aliases ?? [],
      files: spec.files ?? [],
      // Added later: left out while unset, so the containers of today's stacks keep their hash.
      ...(job ? { job } : {}),
      ...(healthcheck ? { healthcheck } : {}),
      ...(user !== undefined ? { user } : {}),
      ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
      ...(spec.restart !== undefined ? { restart } : {}),
      ...(spec.hostname !== undefined ? { hostname: spec.hostname } : {}),
      ...(binds.length > 0
        ? { binds: binds.map((b) => ({ source: b.source, target: b.target, readOnly: b.readOnly })) }
        : {}),
      ...(spec.dockerSocket ? { dockerSocket: links.socket ?? true } : {}),
      ...(networks.length > 0 ? { networks } : {}),
      // Whether it is replicated (its containers are then named and labelled by number), not how many:
      // scaling adds or removes containers and leaves the others alone.
      ...(spec.replicas !== undefined ? { replicated: true } : {}),
    });
    const waitsFor = dependencyConditions(spec.dependsOn);
    const secretsFrom = Object.fromEntries(
      (spec.secretEnv ?? []).flatMap((name): Array<[string, 'environment' | 'flag']> =>
        overrides.envSecrets?.[service]?.[name] !== undefined
          ? [[name, 'environment']]
          : overrides.env[service]?.[name] !== undefined
            ? [[name, 'flag']]
            : [],
      ),
    );
    // --workers: the replicas the student chose (a count only: the config hash stays, see above).
    const replicas = spec.replicas === undefined ? undefined : (overrides.replicas?.[service] ?? spec.replicas);
    const spark = spec.ready && 'sparkWorkers' in spec.ready ? spec.ready.sparkWorkers : undefined;
    const readyHostPort = spark && published[spark.master]?.find((p) => p.container === spark.port)?.host;
    return {
      service,
      containerName: containerName(project, stackId, service),
      image,
      env,
      secretEnv: spec.secretEnv ?? [],
      ...(Object.keys(secretsFrom).length > 0 ? { secretsFrom } : {}),
      command,
      ports,
      mounts,
      aliases: [service, ...(spec.aliases ?? [])],
      files: spec.files ?? [],
      ready: spec.ready,
      healthcheck,
      job,
      user,
      entrypoint: spec.entrypoint,
      restart,
      hostname: spec.hostname,
      dependsOn: Object.keys(waitsFor),
      waitsFor,
      labels: {
        [DEC_LABELS.project]: project,
        [DEC_LABELS.stack]: stackId,
        [DEC_LABELS.service]: service,
        [DEC_LABELS.syllabus]: syllabusId,
        [CONFIG_LABEL]: configHash,
        ...(job ? { [JOB_LABEL]: '1' } : {}),
        ...(build ? { [BUILD_LABEL]: build.digest } : {}),
        ...(spec.dockerSocket && links.socket !== undefined ? { [SOCKET_LABEL]: links.socket } : {}),
      },
      ...(build ? { build } : {}),
      binds,
      dockerSocket: spec.dockerSocket === true,
      networks,
      configHash,
      ...(replicas !== undefined ? { replicas } : {}),
      ...(readyHostPort !== undefined ? { readyHostPort } : {}),
      ...(spec.platforms && !spec.build && overrides.images[service] === undefined
        ? { platforms: spec.platforms }
        : {}),
      ...(spec.optional
        ? { optional: overrides.optional?.includes(service) ? ('on' as const) : ('off' as const) }
        : {}),
    };
  });
  const volumes = [...new Set(services.flatMap((s) => s.mounts.map((m) => m.volume)))];
  return {
    project,
    stack: stackId,
    title: stack.title,
    network: networkName(project, stack.network.name),
    volumes,
    services,
    next: stack.next ?? [],
  };
}

/**
 * The containers that run a service: the service itself, or with `replicas` one per replica, named
 * <container name>-<n> and labelled with n; each has the service's settings and config hash.
 */
export function instancesOf(service: DesiredService): DesiredService[] {
  if (service.replicas === undefined) return [service];
  return Array.from({ length: service.replicas }, (_, index) => {
    const replica = index + 1;
    return {
      ...service,
      replica,
      containerName: `${service.containerName}-${replica}`,
      labels: { ...service.labels, [REPLICA_LABEL]: String(replica) },
    };
  });
}

/** How messages name one container of a service: "worker #2" for a replica, else the service. */
export function instanceName(service: Pick<DesiredService, 'service' | 'replica'>): string {
  return service.replica === undefined ? service.service : `${service.service} #${service.replica}`;
}

/** Where a secret comes from, in place of its value, which is never printed. */
function secretSource(service: DesiredService, key: string): string {
  const from = service.secretsFrom?.[key];
  if (from === 'environment') return `yours, from ${secretEnvName(service.service, key)} (not shown)`;
  if (from === 'flag') return `yours, from --env ${service.service}.${key}=... (not shown; kept in a 0600 file)`;
  return `the course's default (${key} in the syllabus; not shown)`;
}

function secretEnvName(service: string, name: string): string {
  return `DEC_${service.toUpperCase().replace(/-/g, '_')}_${name}`;
}

/**
 * Fills {service.ENV}, {service.<container port>}, {service.container} (its container's name, unless the
 * service has an env var of that name) and {network}; a secret is never filled in: the line says where
 * it comes from instead.
 */
export function renderNext(desired: DesiredStack): string[] {
  const ports: PublishedPorts = Object.fromEntries(desired.services.map((s) => [s.service, s.ports]));
  // An optional service that is off: its lines are left out, and one line says how to start it.
  const off = desired.services.filter((s) => s.optional === 'off').map((s) => s.service);
  const namesOff = (line: string) => off.some((service) => line.includes(`{${service}.`));
  const offLines = off.map(
    (service) => `${`${service}:`.padEnd(12)} optional, not started: dec setup ${desired.stack} --with ${service}`,
  );
  const lines = desired.next.filter((line) => !namesOff(line));
  return [...lines, ...offLines].map((line) =>
    fillHostPorts(line, ports).replace(
      /\{([a-z0-9-]+)(?:\.([A-Za-z0-9_]+))?\}/g,
      (whole, name: string, key: string | undefined) => {
        if (name === 'network' && key === undefined) return desired.network;
        const service = desired.services.find((s) => s.service === name);
        if (!service || key === undefined) return whole;
        if (service.secretEnv.includes(key)) return secretSource(service, key);
        return service.env[key] ?? (key === 'container' ? service.containerName : whole);
      },
    ),
  );
}

/**
 * Secrets may also come from the environment, e.g. DEC_PGDATABASE_POSTGRES_PASSWORD for pgdatabase's
 * POSTGRES_PASSWORD: used for this run only, never stored.
 */
export function withSecretsFromEnv(overrides: Overrides, stack: Stack, env: NodeJS.ProcessEnv): Overrides {
  const secrets: Record<string, Record<string, string>> = {};
  for (const [service, spec] of Object.entries(stack.services)) {
    for (const name of spec.secretEnv ?? []) {
      const value = env[secretEnvName(service, name)];
      if (value !== undefined) secrets[service] = { ...secrets[service], [name]: value };
    }
  }
  return { ...overrides, envSecrets: secrets };
}
