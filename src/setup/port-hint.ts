// What `dec setup` suggests when a host port a service publishes is taken. `--port <service>=<port>` moves
// the service's first published port only, so a suggestion for another one would move the wrong port.
// The next port up is suggested unless the stack publishes it itself (Kestra's 8080 beside its 8081):
// then the port 10000 up, which for Kestra's 8080 is the course's own advice, 18080.

/**
 * The `--port` flag that frees the taken port, or undefined when --port cannot move it (not the service's
 * first published port).
 */
export function remapFlag(
  service: string,
  servicePorts: ReadonlyArray<{ host: number }>,
  taken: number,
  stackPorts: ReadonlySet<number>,
): string | undefined {
  if (servicePorts[0]?.host !== taken) return undefined;
  const port = [taken + 1, taken + 10_000].find((p) => p <= 65_535 && !stackPorts.has(p)) ?? taken + 1;
  return `--port ${service}=${port}`;
}
