// The --port flag `dec setup` suggests for a taken host port (src/setup/port-hint.ts).
import { describe, expect, it } from 'vitest';
import { remapFlag } from '../../src/setup/port-hint.js';

describe('remapFlag', () => {
  it('suggests the next port up when the stack does not publish it', () => {
    expect(remapFlag('pgdatabase', [{ host: 5432, container: 5432 }], 5432, new Set([5432, 8080]))).toBe(
      '--port pgdatabase=5433',
    );
  });

  it("suggests 10000 up when the next port is the stack's own: Kestra's 8080 → 18080, as the course advises", () => {
    const kestra = [
      { host: 8080, container: 8080 },
      { host: 8081, container: 8081 },
    ];
    expect(remapFlag('kestra', kestra, 8080, new Set([8080, 8081, 5432]))).toBe('--port kestra=18080');
  });

  it("names another of the service's ports by its container port: --port <service>=... moves only the first", () => {
    const kestra = [
      { host: 8080, container: 8080 },
      { host: 8081, container: 8081 },
    ];
    expect(remapFlag('kestra', kestra, 8081, new Set([8080, 8081]))).toBe('--port kestra.8081=8082');
    // Redpanda's Kafka port, 9092, is its second (after Pandaproxy's 8082).
    const redpanda = [8082, 9092, 28082, 29092].map((port) => ({ host: port, container: port }));
    expect(remapFlag('redpanda', redpanda, 9092, new Set([8082, 9092, 28082, 29092]))).toBe(
      '--port redpanda.9092=9093',
    );
    expect(remapFlag('redpanda', redpanda, 5432, new Set([9092]))).toBeUndefined();
  });
});
