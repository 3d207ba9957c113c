// The --port flag `dec setup` suggests for a taken host port (src/setup/port-hint.ts).
import { describe, expect, it } from 'vitest';
import { remapFlag } from '../../src/setup/port-hint.js';

describe('remapFlag', () => {
  it('suggests the next port up when the stack does not publish it', () => {
    expect(remapFlag('pgdatabase', [{ host: 5432 }], 5432, new Set([5432, 8080]))).toBe('--port pgdatabase=5433');
  });

  it("suggests 10000 up when the next port is the stack's own: Kestra's 8080 → 18080, as the course advises", () => {
    const kestra = [{ host: 8080 }, { host: 8081 }];
    expect(remapFlag('kestra', kestra, 8080, new Set([8080, 8081, 5432]))).toBe('--port kestra=18080');
  });

  it("suggests nothing for a port that is not the service's first: --port would move another one", () => {
    expect(remapFlag('kestra', [{ host: 8080 }, { host: 8081 }], 8081, new Set([8080, 8081]))).toBeUndefined();
  });
});
