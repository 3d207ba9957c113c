// `dec setup <week> --print-compose`: the docker-compose.yaml equivalent of a desired stack, for students
// who prefer Compose. Same container, volume and network names as dec, so the data is shared; secrets are
// ${VAR} references the student exports, so the file never holds one.
import { Document, Scalar } from 'yaml';
import { postgresReadiness } from '../postgres/login.js';
import { DOCKER_SOCKET_TARGET } from './binds.js';
import { dockerArch } from './platforms.js';
import type { DesiredService, DesiredStack } from './spec.js';

/** The variable a secret env value is read from, e.g. pgdatabase + POSTGRES_PASSWORD → PGDATABASE_POSTGRES_PASSWORD. */
export function composeSecretVariable(service: string, variable: string): string {
  return `${service}_${variable}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

/** Compose interpolates $ in values; $$ is a literal dollar. */
function literal(value: string): string {
  return value.replace(/\$/g, '$$$$');
}

function quoted(value: string): Scalar<string> {
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

function portMapping(port: DesiredService['ports'][number]): string {
  const binding = `${port.host}:${port.container}`;
  return port.hostIp === '0.0.0.0' ? binding : `${port.hostIp}:${binding}`;
}

function healthcheck(service: DesiredService): Record<string, unknown> | undefined {
  const declared = service.healthcheck;
  if (declared) {
    const entry: Record<string, unknown> = { test: declared.test.map(literal) };
    if (declared.interval !== undefined) entry.interval = declared.interval;
    if (declared.timeout !== undefined) entry.timeout = declared.timeout;
    if (declared.retries !== undefined) entry.retries = declared.retries;
    if (declared.startPeriod !== undefined) entry.start_period = declared.startPeriod;
    return entry;
  }
  // No health check of its own: a Postgres gets one from its login, so dependents can wait for it.
  const login = postgresReadiness(service.ready);
  if (!login) return undefined;
  return {
    test: ['CMD', 'pg_isready', '-U', literal(login.user), '-d', literal(login.database)],
    interval: '2s',
    timeout: '5s',
    retries: 30,
  };
}

function composeBuild(build: NonNullable<DesiredService['build']>): Record<string, unknown> {
  const entry: Record<string, unknown> = { context: build.dir };
  if (build.dockerfile !== undefined) entry.dockerfile = build.dockerfile;
  if (build.args !== undefined)
    entry.args = Object.fromEntries(Object.entries(build.args).map(([k, v]) => [k, literal(v)]));
  if (build.target !== undefined) entry.target = build.target;
  return entry;
}

/** Named volumes, then the host folders (absolute paths) and the engine's socket, as Compose's short syntax. */
function volumeEntries(service: DesiredService, socket: string): string[] {
  return [
    ...service.mounts.map((mount) => `${mount.volume}:${mount.path}`),
    ...service.binds.map((bind) => `${bind.source}:${bind.target}${bind.readOnly ? ':ro' : ''}`),
    ...(service.dockerSocket ? [`${socket}:${DOCKER_SOCKET_TARGET}`] : []),
  ];
}

/**
 * The platform to pin a service to: its image's only one, when that is not this machine's (`arch`,
 * Node's name), where dec runs it under emulation; Compose then pulls and runs the same image, without
 * the "platform does not match" warning. undefined when it runs natively or the machine is not known.
 */
function emulatedPlatform(service: Pick<DesiredService, 'platforms'>, arch: string | undefined): string | undefined {
  const platforms = service.platforms;
  if (arch === undefined || platforms === undefined || platforms.length === 0) return undefined;
  const native = dockerArch(arch);
  return platforms.some((platform) => platform.split('/')[1] === native) ? undefined : platforms[0];
}

function composeService(
  service: DesiredService,
  stack: DesiredStack,
  healthy: ReadonlySet<string>,
  socket: string,
  arch: string | undefined,
): Record<string, unknown> {
  const network = stack.network;
  const entry: Record<string, unknown> = { image: service.image, container_name: service.containerName };
  // Replicas: Compose names them <project>-<service>-<n>, which are dec's names; a fixed name cannot scale.
  if (service.replicas !== undefined) {
    delete entry.container_name;
    entry.scale = service.replicas;
  }
  // Compose builds it from the same context and tags it with the same name (digest included).
  if (service.build) entry.build = composeBuild(service.build);
  if (service.build?.platform !== undefined) entry.platform = service.build.platform;
  const emulated = emulatedPlatform(service, arch);
  if (emulated !== undefined) entry.platform = emulated;
  const env = Object.entries(service.env);
  if (env.length > 0) {
    entry.environment = Object.fromEntries(
      env.map(([name, value]) => [
        name,
        service.secretEnv.includes(name) ? `\${${composeSecretVariable(service.service, name)}}` : literal(value),
      ]),
    );
  }
  if (service.command !== undefined) entry.command = service.command.map(literal);
  if (service.ports.length > 0) entry.ports = service.ports.map((port) => quoted(portMapping(port)));
  const volumes = volumeEntries(service, socket);
  if (volumes.length > 0) entry.volumes = volumes;
  entry.networks = {
    [network]: { aliases: service.aliases },
    ...Object.fromEntries(service.networks.map((joined) => [joined.network, { aliases: service.aliases }])),
  };
  if (service.dependsOn.length > 0) {
    const conditions = service.dependsOn.map((dependency) => [
      dependency,
      composeCondition(service, dependency, stack, healthy),
    ]);
    // The short form (a list) where every condition is Compose's default, service_started.
    entry.depends_on = conditions.every(([, condition]) => condition === 'service_started')
      ? [...service.dependsOn]
      : Object.fromEntries(conditions.map(([dependency, condition]) => [dependency, { condition }]));
  }
  const check = healthcheck(service);
  if (check !== undefined) entry.healthcheck = check;
  if (service.user !== undefined) entry.user = quoted(service.user);
  if (service.entrypoint !== undefined) entry.entrypoint = service.entrypoint.map(literal);
  if (service.hostname !== undefined) entry.hostname = service.hostname;
  // dec's own policy (unless-stopped by default, no for a job), so Compose restarts them the same way.
  entry.restart = quoted(service.restart);
  // An optional service (dec setup --with) starts only with its profile: --profile <service>.
  if (service.optional !== undefined) entry.profiles = [service.service];
  return entry;
}

/**
 * What Compose waits for before starting `service`: the condition as the syllabus says, and for the
 * short form the dependency's readiness as Compose can see it (a job's success, a health check).
 */
function composeCondition(
  service: DesiredService,
  dependency: string,
  stack: DesiredStack,
  healthy: ReadonlySet<string>,
): string {
  const wait = service.waitsFor[dependency] ?? 'ready';
  if (wait === 'started') return 'service_started';
  if (wait === 'healthy') return 'service_healthy';
  if (wait === 'completed') return 'service_completed_successfully';
  if (stack.services.find((s) => s.service === dependency)?.job) return 'service_completed_successfully';
  return healthy.has(dependency) ? 'service_healthy' : 'service_started';
}

function headerLines(desired: DesiredStack, arch: string | undefined): string[] {
  const lines = [
    `docker-compose.yaml for the dec stack "${desired.stack}" (${desired.title}), from \`dec setup --print-compose\`.`,
    'It uses the same container, volume and network names as dec, so the data is shared with `dec setup`:',
    'run one or the other, not both at once. Docker Compose v2 (`docker compose`) and v1.29',
    '(`docker-compose`, as Debian and Ubuntu ship it) both run it.',
    `Its project name is ${projectName(desired)}: give it with -p (v1 has no \`name:\` key), e.g.`,
    `  docker compose -p ${projectName(desired)} up -d     or     COMPOSE_PROJECT_NAME=${projectName(desired)} docker-compose up -d`,
  ];
  const secrets = desired.services.flatMap((service) =>
    service.secretEnv
      .filter((name) => name in service.env)
      .map((name) => ({ service: service.service, name, variable: composeSecretVariable(service.service, name) })),
  );
  if (secrets.length > 0) {
    lines.push(
      '',
      'This file holds no secrets. Export these first, with the values you gave dec (or the syllabus ones):',
    );
    for (const secret of secrets) lines.push(`  export ${secret.variable}=...   # ${secret.name} of ${secret.service}`);
  }
  const files = desired.services.flatMap((service) => service.files.map((file) => ({ service, path: file.path })));
  if (files.length > 0) {
    lines.push('', 'Compose cannot express the files dec puts into containers before they start:');
    for (const file of files) lines.push(`  ${file.path} in ${file.service.service} (${file.service.containerName})`);
    lines.push('Without them the services still run; `dec setup` adds them.');
  }
  const emulated = desired.services.filter((s) => emulatedPlatform(s, arch) !== undefined);
  if (emulated.length > 0) {
    lines.push(
      '',
      `${emulated.map((s) => s.service).join(', ')}: ${emulated.length === 1 ? 'its image exists' : 'their images exist'} for ${emulatedPlatform(emulated[0]!, arch)} only, so \`platform:\` pins ${emulated.length === 1 ? 'it' : 'them'} there`,
      `and this ${dockerArch(arch!)} machine runs ${emulated.length === 1 ? 'it' : 'them'} under emulation, as dec does (slower; see dec doctor).`,
    );
  }
  const optional = desired.services.filter((s) => s.optional !== undefined).map((s) => s.service);
  if (optional.length > 0) {
    lines.push(
      '',
      `Optional services (dec setup ${desired.stack} --with ...) are in Compose profiles, started only when named:`,
      `  ${optional.map((service) => `--profile ${service}`).join(' ')}, e.g. docker compose -p ${projectName(desired)} ${optional.map((service) => `--profile ${service}`).join(' ')} up -d`,
    );
  }
  const joined = joinedNetworks(desired);
  if (joined.length > 0) {
    lines.push('', 'Networks of other stacks, which must be up first (Compose refuses to start without them):');
    for (const n of joined)
      lines.push(`  ${n.network}: dec setup ${n.stack}${n.optional ? ' (dec starts without it; Compose cannot)' : ''}`);
  }
  const folders = desired.services.flatMap((s) => s.binds.map((b) => b.source));
  if (folders.length > 0) {
    lines.push('', 'Make the host folders first (dec makes them; Docker would make them owned by root):');
    lines.push(
      `  mkdir -p ${[...new Set(folders)].map((f) => (/^[\w./-]+$/.test(f) ? f : `'${f.replace(/'/g, "'\\''")}'`)).join(' ')}`,
    );
  }
  return lines.map((line) => (line === '' ? '#' : `# ${line}`));
}

/** The other stacks' networks: Compose neither makes nor removes them, and refuses to start without them. */
function joinedNetworks(desired: DesiredStack): Array<DesiredService['networks'][number]> {
  const all = desired.services.flatMap((s) => s.networks);
  return all.filter((n, i) => all.findIndex((m) => m.network === n.network) === i);
}

/** The Compose project the file is meant to run as (the prefix of dec's own names). */
function projectName(desired: DesiredStack): string {
  return `${desired.project}-${desired.stack}`;
}

/**
 * The file is valid for Compose v2 and for v1.29 (Debian's docker-compose), which knows the Compose
 * spec's services, healthchecks, depends_on conditions (service_completed_successfully included) and
 * named volumes/networks, but refuses a top-level `name:`: the project name is a comment in the header
 * instead. Every container, volume and network has an explicit name, so the project name only labels them.
 */
export function composeYaml(
  desired: DesiredStack,
  socket = DOCKER_SOCKET_TARGET,
  /** This machine's CPU (Node's name, process.arch): an amd64-only image is pinned on another. */
  arch?: string,
): string {
  const healthy = new Set(desired.services.filter((s) => healthcheck(s) !== undefined).map((s) => s.service));
  const compose: Record<string, unknown> = {
    services: Object.fromEntries(
      desired.services.map((service) => [service.service, composeService(service, desired, healthy, socket, arch)]),
    ),
  };
  if (desired.volumes.length > 0) {
    compose.volumes = Object.fromEntries(desired.volumes.map((volume) => [volume, { name: volume }]));
  }
  compose.networks = {
    [desired.network]: { name: desired.network },
    ...Object.fromEntries(joinedNetworks(desired).map((n) => [n.network, { name: n.network, external: true }])),
  };
  // YAML 1.1 rules for quoting, so yes/on/22:22 stay strings for older YAML readers too.
  const document = new Document(compose, { version: '1.1' });
  const body = document.toString({ lineWidth: 0 });
  return `${headerLines(desired, arch).join('\n')}\n\n${body}`;
}
