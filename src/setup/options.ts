// The repeatable `dec setup` flags (--port, --image, --env, --expose, --only), checked against the stack
// and turned into new overrides. Pure: the caller reads and saves the overrides (state.ts).
import { imageReferenceProblem } from '../docker/engine-errors.js';
import { DecError } from '../errors.js';
import type { Stack } from '../syllabus/schema.js';
import { nearest } from '../util/nearest.js';
import { hostPortOf, portKey, type Overrides } from './spec.js';

export interface SetupFlags {
  port?: string[];
  image?: string[];
  env?: string[];
  /** true: --expose, false: --no-expose, undefined: keep what was remembered. */
  expose?: boolean;
  /** Optional services to turn on (--with) and off (--without): repeatable or comma-separated. */
  with?: string | readonly string[];
  without?: string | readonly string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function servicesOf(stack: Stack): string[] {
  return Object.keys(stack.services);
}

function checkService(flag: string, service: string, stack: Stack): string {
  const services = servicesOf(stack);
  if (services.includes(service)) return service;
  const guess = nearest(service, services);
  const known = services.length > 0 ? `Its services: ${services.join(', ')}.` : 'It has no services.';
  throw new DecError(
    service === ''
      ? `${flag} needs a service name.`
      : `${flag}: the stack "${stack.title}" has no service "${service}".${guess ? ` Did you mean ${guess}?` : ''}`,
    { hint: known },
  );
}

/** Splits "left=right" at the first "=", or fails with the flag's expected form. */
function splitAssignment(flag: string, value: string, form: string, example: string): [string, string] {
  const at = value.indexOf('=');
  if (at < 0) {
    throw new DecError(`${flag} expects ${form}, e.g. ${flag} ${example}; got "${value}".`);
  }
  return [value.slice(0, at).trim(), value.slice(at + 1)];
}

function parsePort(flag: string, text: string): number {
  const trimmed = text.trim();
  const port = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || port < 1 || port > 65535) {
    throw new DecError(`${flag}: "${text}" is not a port number; expected a whole number from 1 to 65535.`);
  }
  return port;
}

/** The host port each published port of the stack ends up on, to catch two on one port. */
function checkPortClashes(overrides: Overrides, stack: Stack): void {
  const holders = new Map<number, { service: string; container: number }>();
  for (const [service, spec] of Object.entries(stack.services)) {
    (spec.ports ?? []).forEach((port, index) => {
      const host = hostPortOf(overrides, service, index, port);
      const other = holders.get(host);
      const flag = `--port ${portKey(service, index, port.container)}=${host + 1}`;
      if (other !== undefined && other.service !== service) {
        throw new DecError(`--port: ${other.service} and ${service} would both publish host port ${host}.`, {
          hint: `Pick another port for one of them, e.g. ${flag}.`,
        });
      }
      if (other !== undefined && other.container !== port.container) {
        throw new DecError(
          `--port: ${service} would publish its container ports ${other.container} and ${port.container} both on host port ${host}.`,
          { hint: `Pick another port for one of them, e.g. ${flag}.` },
        );
      }
      holders.set(host, { service, container: port.container });
    });
  }
}

/** The overrides after the flags: a new object; `current` is left as it was. */
export function applyFlags(current: Overrides, flags: SetupFlags, stack: Stack): Overrides {
  const next: Overrides = {
    ports: { ...current.ports },
    images: { ...current.images },
    env: Object.fromEntries(Object.entries(current.env).map(([service, vars]) => [service, { ...vars }])),
    expose: flags.expose ?? current.expose,
    ...(current.replicas !== undefined ? { replicas: { ...current.replicas } } : {}),
  };

  for (const value of flags.port ?? []) {
    const [name, port] = splitAssignment('--port', value, '<service>=<host port>', 'pgdatabase=5433');
    // `redpanda.9092=19092`: one of the service's published ports, by its container port.
    const dot = name.lastIndexOf('.');
    const service = checkService('--port', dot < 0 ? name : name.slice(0, dot), stack);
    const published = stack.services[service]?.ports ?? [];
    if (published.length === 0) {
      throw new DecError(`--port: ${service} publishes no port, so there is no host port to change.`, {
        hint: `Services that publish one: ${servicesOf(stack)
          .filter((s) => (stack.services[s]?.ports ?? []).length > 0)
          .join(', ')}.`,
      });
    }
    const index = dot < 0 ? 0 : published.findIndex((p) => String(p.container) === name.slice(dot + 1).trim());
    if (index < 0) {
      throw new DecError(`--port: ${service} publishes no container port ${name.slice(dot + 1)}.`, {
        hint: `Its ports: ${published.map((p, i) => `--port ${portKey(service, i, p.container)}=<host port> moves ${p.host}`).join('; ')}.`,
      });
    }
    // The first port by either name is remembered under the service's (`redpanda.8082` is `redpanda`).
    next.ports[portKey(service, index, published[index]!.container)] = parsePort('--port', port);
  }

  for (const value of flags.image ?? []) {
    const [name, image] = splitAssignment('--image', value, '<service>=<image reference>', 'pgdatabase=postgres:13');
    const service = checkService('--image', name, stack);
    if (image === '' || /\s/.test(image)) {
      throw new DecError(`--image: "${image}" is not an image reference; expected e.g. postgres:13, with no spaces.`);
    }
    // Also where the engine is never asked (--print-compose): the same rule the engine applies.
    const problem = imageReferenceProblem(image);
    if (problem) throw problem;
    next.images[service] = image;
  }

  for (const value of flags.env ?? []) {
    const [key, text] = splitAssignment('--env', value, '<service>.<VAR>=<value>', 'pgdatabase.POSTGRES_PASSWORD=…');
    const dot = key.indexOf('.');
    if (dot < 0) {
      throw new DecError(
        `--env expects <service>.<VAR>=<value>, e.g. --env pgdatabase.POSTGRES_PASSWORD=…; "${key}" names no service.`,
      );
    }
    const service = checkService('--env', key.slice(0, dot), stack);
    const name = key.slice(dot + 1);
    if (!ENV_NAME.test(name)) {
      throw new DecError(
        `--env: "${name}" is not an environment variable name; expected letters, digits and _, not starting with a digit.`,
      );
    }
    next.env[service] = { ...next.env[service], [name]: text };
  }

  const on = optionalServices('--with', flags.with, stack);
  const off = optionalServices('--without', flags.without, stack);
  const both = on.find((service) => off.includes(service));
  if (both !== undefined) throw new DecError(`--with ${both} and --without ${both} ask for opposite things.`);
  const optional = [...(current.optional ?? []).filter((service) => !off.includes(service)), ...on].filter(
    (service, index, all) => all.indexOf(service) === index && stack.services[service]?.optional === true,
  );
  if (optional.length > 0) next.optional = optional;

  checkPortClashes(next, stack);
  return next;
}

/** The optional services a --with or --without names (repeatable, or comma-separated). */
export function optionalServices(flag: string, value: string | readonly string[] | undefined, stack: Stack): string[] {
  if (value === undefined) return [];
  const names = (typeof value === 'string' ? [value] : value).flatMap((v) => v.split(',')).map((v) => v.trim());
  return names.map((name) => {
    const service = checkService(flag, name, stack);
    if (stack.services[service]?.optional === true) return service;
    const optional = servicesOf(stack).filter((s) => stack.services[s]?.optional === true);
    throw new DecError(`${flag}: ${service} is not an optional service of "${stack.title}"; it always starts.`, {
      hint:
        optional.length > 0
          ? `Its optional services: ${optional.join(', ')}.`
          : 'This stack has no optional services; --only chooses among the others.',
    });
  });
}

/** The services named by --only (repeatable, or comma-separated), in stack order; undefined when not given. */
export function checkOnly(only: string | readonly string[] | undefined, stack: Stack): string[] | undefined {
  if (only === undefined) return undefined;
  const names = (typeof only === 'string' ? [only] : only).flatMap((value) => value.split(',')).map((s) => s.trim());
  if (names.length === 0) return undefined;
  const wanted = new Set(names.map((name) => checkService('--only', name, stack)));
  return servicesOf(stack).filter((service) => wanted.has(service));
}

/**
 * What to remember after a run that applied `next` to `services` (all of the stack's, or those --only
 * chose): the other services keep what was remembered, as their containers still have it.
 */
export function appliedOverrides(
  saved: Overrides,
  next: Overrides,
  services: readonly string[],
  stack: Stack,
): Overrides {
  const pick = <T>(from: Record<string, T>, to: Record<string, T>) =>
    Object.fromEntries(
      servicesOf(stack)
        .map((service) => [service, (services.includes(service) ? from : to)[service]] as const)
        .filter((entry): entry is readonly [string, T] => entry[1] !== undefined),
    );
  // --port of a service's other ports (`redpanda.9092`) goes with the service, as its first port does.
  const pickPorts = (from: Record<string, number>, to: Record<string, number>) =>
    Object.fromEntries(
      servicesOf(stack).flatMap((service) =>
        (stack.services[service]?.ports ?? []).flatMap((port, index) => {
          const key = portKey(service, index, port.container);
          const host = (services.includes(service) ? from : to)[key];
          return host === undefined ? [] : [[key, host] as const];
        }),
      ),
    );
  const whole = servicesOf(stack).every((service) => services.includes(service));
  return {
    ports: pickPorts(next.ports, saved.ports),
    images: pick(next.images, saved.images),
    env: pick(next.env, saved.env),
    expose: whole ? next.expose : saved.expose,
    // --with and --without are kept whatever --only chose: they say what a plain run starts.
    ...(next.optional ? { optional: next.optional } : {}),
    ...(next.replicas !== undefined || saved.replicas !== undefined
      ? { replicas: pick(next.replicas ?? {}, saved.replicas ?? {}) }
      : {}),
  };
}
