// What `dec setup` suggests when a host port a service publishes is taken. `--port <service>=<port>` moves
// the service's first published port, `--port <service>.<container port>=<port>` any other one, so the
// suggestion names the port that is taken.
// The next port up is suggested unless the stack publishes it itself (Kestra's 8080 beside its 8081):
// then the port 10000 up, which for Kestra's 8080 is the course's own advice, 18080.
import { portKey } from './spec.js';

/** The `--port` flag that moves the taken port, or undefined when the service does not publish it. */
export function remapFlag(
  service: string,
  servicePorts: ReadonlyArray<{ host: number; container: number }>,
  taken: number,
  stackPorts: ReadonlySet<number>,
): string | undefined {
  const index = servicePorts.findIndex((p) => p.host === taken);
  if (index < 0) return undefined;
  const port = [taken + 1, taken + 10_000].find((p) => p <= 65_535 && !stackPorts.has(p)) ?? taken + 1;
  return `--port ${portKey(service, index, servicePorts[index]!.container)}=${port}`;
}
