// Who holds a TCP port: nobody, one of dec's containers, another container, or a host process.
import { asAdmin, type Admin } from '../platform.js';
import {
  belongsToStack,
  isDecOwned,
  DEC_LABELS,
  DEFAULT_PROJECT,
  projectOf,
  type ContainerSummary,
} from '../../docker/client.js';
import type { HostListener } from '../host-ports.js';
import type { Fix, HostPorts, ProbeContext } from '../types.js';

export type PortHolder =
  | { kind: 'free' }
  | { kind: 'dec'; container: ContainerSummary; project: string; stack: string; service?: string }
  | { kind: 'container'; container: ContainerSummary }
  | { kind: 'process'; listener: HostListener };

const HOLDS_PORTS = new Set(['running', 'paused', 'restarting']);

function paused(container: ContainerSummary): string {
  return container.state === 'paused' ? ' (paused)' : '';
}

/** A docker-proxy that is no container's (those are found above): the engine's leftover. */
function leakedProxy(holder: PortHolder): boolean {
  return holder.kind === 'process' && holder.listener.name === 'docker-proxy';
}

export async function portHolder(ctx: ProbeContext, port: number): Promise<PortHolder> {
  return holderAmong(await ctx.docker.containers(), port, Math.min(1000, ctx.timeoutMs / 2), ctx.ports);
}

/** The holder of `port`, given the engine's containers (undefined when the engine cannot be asked). */
export async function holderAmong(
  containers: ContainerSummary[] | undefined,
  port: number,
  timeoutMs: number,
  hostPorts: Pick<HostPorts, 'inUse' | 'listener'>,
): Promise<PortHolder> {
  // A paused (or restarting) container keeps its published ports: its docker-proxy still accepts
  // connections, and without this the holder would look like a docker-proxy to kill.
  const container = containers?.find((c) => HOLDS_PORTS.has(c.state) && c.ports.some((p) => p.hostPort === port));
  if (container) {
    return isDecOwned(container)
      ? {
          kind: 'dec',
          container,
          project: projectOf(container.labels),
          stack: container.labels[DEC_LABELS.stack]!,
          service: container.labels[DEC_LABELS.service],
        }
      : { kind: 'container', container };
  }
  if (!(await hostPorts.inUse(port, timeoutMs))) return { kind: 'free' };
  return { kind: 'process', listener: (await hostPorts.listener(port)) ?? {} };
}

/**
 * True when `port` is held by this project's own container of `stack` (and `service`, when given): the
 * stack already publishes it. Another project's container of the same stack and service is not ours.
 */
export function heldByOwnStack(holder: PortHolder, project: string, stack: string, service?: string): boolean {
  return holder.kind === 'dec' && belongsToStack(holder.container, project, stack, service);
}

/** " (project x)" for a project other than the default one, whose containers keep their old names. */
function ofProject(project: string): string {
  return project === DEFAULT_PROJECT ? '' : ` (project ${project})`;
}

export function describeHolder(holder: PortHolder): string {
  switch (holder.kind) {
    case 'free':
      return 'free';
    case 'dec':
      return `dec's ${holder.stack} container ${holder.container.name}${ofProject(holder.project)}${paused(holder.container)}`;
    case 'container':
      return `the container ${holder.container.name} (${holder.container.image})${paused(holder.container)}`;
    case 'process': {
      const { name, pid } = holder.listener;
      if (leakedProxy(holder))
        return `a docker-proxy (pid ${pid ?? '?'}) that no container owns, left behind by the engine`;
      if (name && pid) return `${name} (pid ${pid})`;
      return "a process dec cannot see (another user's)";
    }
  }
}

/** Never stops what dec did not create: for those, the exact command to run. */
export function freePortFix(
  platform: NodeJS.Platform,
  /** Root or sudo, for the commands that need administrator rights. */
  facts: Admin,
  holder: PortHolder,
  port: number,
  service: string,
  stack: string,
  managed = false,
  /** The project this run works on (DEC_PROJECT); a holder of another project is that project's to stop. */
  project?: string,
): Fix | undefined {
  const moveTo = managed
    ? `(or publish it elsewhere: dec setup ${stack} --port ${service}=${port + 1})`
    : `(or publish ${stack}'s ${service} on another host port, e.g. ${port + 1})`;
  switch (holder.kind) {
    case 'free':
      return undefined;
    case 'dec': {
      const foreign = project !== undefined && holder.project !== project;
      // `dec setup --down` acts on DEC_PROJECT's stack: name the holder's project when it is not the default.
      const dec = holder.project !== DEFAULT_PROJECT || foreign ? `DEC_PROJECT=${holder.project} dec` : 'dec';
      const stackOf = `dec's ${holder.stack} stack${ofProject(holder.project)}`;
      if (holder.container.state === 'paused') {
        return {
          text: `dec's ${holder.stack} container ${holder.container.name}${ofProject(holder.project)} is paused and still holds the port: unpause it, or stop that stack (data kept: ${dec} setup ${holder.stack} --down)`,
          command: `docker unpause ${holder.container.name}`,
        };
      }
      return {
        text: `Stop ${stackOf} while you work on ${stack}; its data is kept`,
        command: `${dec} setup ${holder.stack} --down`,
        // Another project's container is not this run's to stop (doctor --fix would refuse it anyway).
        ...(foreign
          ? {}
          : { auto: { kind: 'stop-container', containerId: holder.container.id, name: holder.container.name } }),
      };
    }
    case 'container':
      if (holder.container.state === 'paused') {
        return {
          text: `That container is paused and still holds the port: unpause it, then stop it ${moveTo}`,
          command: `docker unpause ${holder.container.name} && docker stop ${holder.container.name}`,
        };
      }
      return { text: `Stop that container ${moveTo}`, command: `docker stop ${holder.container.name}` };
    case 'process': {
      const { pid } = holder.listener;
      if (leakedProxy(holder)) {
        return {
          text: `Restart the Docker engine, which drops its leftover proxies ${moveTo}`,
          command: platform === 'linux' ? asAdmin(facts, 'systemctl restart docker') : 'Restart Docker Desktop',
        };
      }
      if (pid === undefined)
        return {
          text: `See who listens, then stop it ${moveTo}`,
          command: platform === 'win32' ? `netstat -ano | findstr :${port}` : asAdmin(facts, `lsof -i :${port}`),
        };
      return {
        text: `Stop that program ${moveTo}`,
        command: platform === 'win32' ? `taskkill /PID ${pid}` : asAdmin(facts, `kill ${pid}`),
      };
    }
  }
}
