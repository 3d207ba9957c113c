// The Kafka clients, on recorded machines: kafka-python >= 2.3 under dez-2026 (module 7), the
// kafka-python-ng advice under dez-2022 (week 6, as its next line says), rpk optional.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { needsOf } from '../../src/doctor/needs.js';
import { PROBES } from '../../src/doctor/probes/index.js';
import { kafkaPython, rpk } from '../../src/doctor/probes/streaming.js';
import { appliesTo, isRequired } from '../../src/doctor/run.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';
import { fakeProbeContext } from '../helpers/probe-context.js';

const syllabus = (id: string) =>
  parseSyllabus(readFileSync(new URL(`../../syllabus/${id}.yaml`, import.meta.url)), `${id}.yaml`);
const module7 = needsOf([findWeek(syllabus('dez-2026'), '7')]);
const week6 = needsOf([findWeek(syllabus('dez-2022'), '6')]);

function machine(needs: typeof module7, pythonVersion: string, installed: Record<string, string>) {
  const ctx = fakeProbeContext({ needs, exec: { 'python3 --version': { stdout: `Python ${pythonVersion}\n` } } });
  const exec = ctx.exec.bind(ctx);
  ctx.exec = async (file, args, options) => {
    if (file === 'python3' && args[0] === '-c' && args[1]?.includes('kafka-python-ng'))
      return {
        exitCode: 0,
        stdout: Object.entries(installed)
          .map(([name, v]) => `${name} ${v}\n`)
          .join(''),
        stderr: '',
        notFound: false,
        timedOut: false,
      };
    return exec(file, args, options);
  };
  return ctx;
}

describe('kafka-python', () => {
  it('runs for the streaming weeks of both courses: required under dez-2026, optional under dez-2022', () => {
    expect(PROBES).toContain(kafkaPython);
    expect(appliesTo(kafkaPython, { needs: module7 }) && isRequired(kafkaPython, { needs: module7 })).toBe(true);
    expect(appliesTo(kafkaPython, { needs: week6 })).toBe(true);
    expect(isRequired(kafkaPython, { needs: week6 })).toBe(false);
  });

  it('dez-2026: 2.3.0 ok; 2.0.2 fails with uv add "kafka-python>=2.3"; missing fails', async () => {
    expect(await kafkaPython.run(machine(module7, '3.13.1', { 'kafka-python': '2.3.0' }))).toMatchObject({
      status: 'ok',
      version: '2.3.0',
    });
    const old = await kafkaPython.run(machine(module7, '3.13.1', { 'kafka-python': '2.0.2' }));
    expect(old).toMatchObject({ status: 'fail', version: '2.0.2' });
    expect(old.fix?.command).toBe('uv add "kafka-python>=2.3"');
    const none = await kafkaPython.run(machine(module7, '3.13.1', {}));
    expect(none).toMatchObject({ status: 'fail', detail: 'neither kafka-python nor kafka-python-ng for python3' });
  });

  it("dez-2022: the course's 1.4.6 on Python 3.12 fails, and the fix is kafka-python-ng; the fork is ok", async () => {
    const pinned = await kafkaPython.run(machine(week6, '3.12.3', { 'kafka-python': '1.4.6' }));
    expect(pinned.status).toBe('fail');
    expect(pinned.detail).toBe(
      'kafka-python 1.4.6 cannot be imported on Python 3.12.3 (No module named kafka.vendor.six.moves)',
    );
    expect(pinned.fix?.command).toBe('pip install kafka-python-ng');
    expect(pinned.fix?.text).toContain("the course's kafka-python==1.4.6 fails on Python 3.12.3");
    expect(await kafkaPython.run(machine(week6, '3.12.3', { 'kafka-python-ng': '2.2.3' }))).toMatchObject({
      status: 'ok',
      detail: 'kafka-python-ng 2.2.3',
    });
    // On Python 3.9, as in 2022, the pin works.
    expect((await kafkaPython.run(machine(week6, '3.9.18', { 'kafka-python': '1.4.6' }))).status).toBe('ok');
    const none = await kafkaPython.run(machine(week6, '3.11.7', {}));
    expect(none.fix?.command).toBe('pip install kafka-python-ng');
  });
});

describe('rpk', () => {
  it('optional under dez-2026 module 7; the release zip for this CPU on Linux, Homebrew on a Mac', async () => {
    expect(appliesTo(rpk, { needs: module7 })).toBe(true);
    expect(isRequired(rpk, { needs: module7 })).toBe(false);
    expect(appliesTo(rpk, { needs: week6 })).toBe(false);
    const linux = await rpk.run(fakeProbeContext({ needs: module7 }));
    expect(linux).toMatchObject({ status: 'fail', detail: '`rpk` is not on PATH' });
    expect(linux.fix?.command).toBe(
      'curl -LO https://github.com/redpanda-data/redpanda/releases/latest/download/rpk-linux-amd64.zip && mkdir -p ~/.local/bin && unzip -o rpk-linux-amd64.zip -d ~/.local/bin/',
    );
    const arm = await rpk.run(fakeProbeContext({ needs: module7, arch: 'arm64' }));
    expect(arm.fix?.command).toContain('rpk-linux-arm64.zip');
    const mac = await rpk.run(fakeProbeContext({ needs: module7, platform: 'darwin' }));
    expect(mac.fix?.command).toBe('brew install redpanda-data/tap/redpanda');
    const found = await rpk.run(
      fakeProbeContext({ needs: module7, exec: { 'rpk --version': { stdout: 'rpk version 25.3.9 (rev 1a2b3c4)\n' } } }),
    );
    expect(found).toMatchObject({ status: 'ok', version: '25.3.9' });
  });
});
