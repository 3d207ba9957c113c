// Ctrl-C, SIGTERM and SIGHUP as an AbortSignal; later signals wait for the clean-up, within a bound.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { withInterruptSignal, type SignalSource } from '../../src/util/time.js';

function fakeProcess(): SignalSource & { emit(signal: NodeJS.Signals): void; exits: number[]; listeners(): number } {
  const events = new EventEmitter();
  const exits: number[] = [];
  return {
    on: (event, listener) => events.on(event, listener),
    off: (event, listener) => events.off(event, listener),
    exit: (code) => void exits.push(code),
    emit: (signal) => void events.emit(signal, signal),
    exits,
    listeners: () => ['SIGINT', 'SIGTERM', 'SIGHUP'].reduce((n, s) => n + events.listenerCount(s), 0),
  };
}

describe('withInterruptSignal', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} aborts the work's signal`, async () => {
      const proc = fakeProcess();
      const result = await withInterruptSignal(
        async (abort) => {
          proc.emit(signal);
          return abort.aborted;
        },
        { process: proc, note: () => undefined },
      );
      expect(result).toBe(true);
      expect(proc.listeners()).toBe(0);
    });
  }

  it('a second Ctrl-C during the clean-up is held off (with one note), not an exit', async () => {
    const proc = fakeProcess();
    const notes: string[] = [];
    let finishCleanUp: () => void = () => undefined;
    const running = withInterruptSignal(
      (abort) =>
        new Promise<string>((resolve) => {
          abort.addEventListener('abort', () => (finishCleanUp = () => resolve('cleaned up')));
        }),
      { process: proc, note: (text) => notes.push(text), now: () => 0 },
    );
    proc.emit('SIGINT');
    proc.emit('SIGINT');
    proc.emit('SIGHUP');
    proc.emit('SIGINT');
    expect(proc.exits).toEqual([]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('nothing is left half-made');
    finishCleanUp();
    expect(await running).toBe('cleaned up');
  });

  it('past the grace period, another signal ends the process (a stuck clean-up is bounded)', async () => {
    const proc = fakeProcess();
    let clock = 0;
    let finish: () => void = () => undefined;
    const running = withInterruptSignal(() => new Promise<void>((resolve) => (finish = resolve)), {
      process: proc,
      note: () => undefined,
      now: () => clock,
      graceMs: 1000,
    });
    proc.emit('SIGINT');
    clock = 1001;
    proc.emit('SIGINT');
    expect(proc.exits).toEqual([130]);
    finish();
    await running;
  });
});
