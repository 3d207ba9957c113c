// Who holds a TCP port: nobody, one of dec's containers, another container, or a host process.
import { isDecOwned, DEC_LABELS, type ContainerSummary } from '../../docker/client.js';
import { findHostListener, isPortInUse, type HostListener } from '../port-holder.js';
import type { Fix, ProbeContext } from '../types.js';
import { containerList } from './engine.js';

export type PortHolder =
  | { kind: 'free' }
  | { kind: 'dec'; container: ContainerSummary; stack: string; service?: string }
  | { kind: 'container'; container: ContainerSummary }
  | { kind: 'process'; listener: HostListener };

export async function portHolder(ctx: ProbeContext, port: number): Promise<PortHolder> {
  return holderAmong(await containerList(ctx), port, Math.min(1000, ctx.timeoutMs / 2));
}

/** The holder of `port`, given the engine's containers (undefined when the engine cannot be asked). */
export async function holderAmong(
  containers: ContainerSummary[] | undefined,
  port: number,
  timeoutMs: number,
): Promise<PortHolder> {
  const container = containers?.find((c) => c.state === 'running' && c.ports.some((p) => p.hostPort === port));
  if (container) {
    return isDecOwned(container)
      ? {
          kind: 'dec',
          container,
          stack: container.labels[DEC_LABELS.stack]!,
          service: container.labels[DEC_LABELS.service],
        }
      : { kind: 'container', container };
  }
  if (!(await isPortInUse(port, { timeoutMs }))) return { kind: 'free' };
  return { kind: 'process', listener: (await findHostListener(port)) ?? {} };
}

export function describeHolder(holder: PortHolder): string {
  switch (holder.kind) {
    case 'free':
      return 'free';
    case 'dec':
      return `dec's ${holder.stack} container ${holder.container.name}`;
    case 'container':
      return `the container ${holder.container.name} (${holder.container.image})`;
    case 'process': {
      const { name, pid } = holder.listener;
      if (name && pid) return `${name} (pid ${pid})`;
      return "a process dec cannot see (another user's)";
    }
  }
}

/** Never stops what dec did not create: for those, the exact command to run. */
export function freePortFix(
  platform: NodeJS.Platform,
  holder: PortHolder,
  port: number,
  service: string,
  stack: string,
  managed = false,
): Fix | undefined {
  const moveTo = managed
    ? `(or publish it elsewhere: dec setup ${stack} --port ${service}=${port + 1})`
    : `(or publish ${stack}'s ${service} on another host port, e.g. ${port + 1})`;
  switch (holder.kind) {
    case 'free':
      return undefined;
    case 'dec':
      return {
        text: `Stop dec's ${holder.stack} stack while you work on ${stack}; its data is kept`,
        command: `dec setup ${holder.stack} --down`,
        auto: { kind: 'stop-container', containerId: holder.container.id, name: holder.container.name },
      };
    case 'container':
      return { text: `Stop that container ${moveTo}`, command: `docker stop ${holder.container.name}` };
    case 'process': {
      const { pid } = holder.listener;
      if (pid === undefined)
        return {
          text: `See who listens, then stop it ${moveTo}`,
          command: platform === 'win32' ? `netstat -ano | findstr :${port}` : `sudo lsof -i :${port}`,
        };
      return {
        text: `Stop that program ${moveTo}`,
        command: platform === 'win32' ? `taskkill /PID ${pid}` : `sudo kill ${pid}`,
      };
    }
  }
}
