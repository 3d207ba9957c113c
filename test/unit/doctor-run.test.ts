// The runner (order, crashes, timeouts, optional tools, exit code), needsOf, and the pure helpers of
// `dec doctor` (--timeout, --only, --report redaction).
import { describe, expect, it } from 'vitest';
import { parseTimeout, redact, selectProbes } from '../../src/commands/doctor.js';
import { describeFix } from '../../src/doctor/fix.js';
import { needsOf } from '../../src/doctor/needs.js';
import { PROBES } from '../../src/doctor/probes/index.js';
import {
  appliesTo,
  doctorExitCode,
  isRequired,
  runProbes,
  summarizeOutcomes,
  type ProbeOutcome,
} from '../../src/doctor/run.js';
import type { Probe, ProbeResult, ProbeStatus } from '../../src/doctor/types.js';
import { satisfiesRange } from '../../src/doctor/versions.js';
import { DecError } from '../../src/errors.js';
import type { CourseWeek } from '../../src/syllabus/course.js';
import type { ToolNeed } from '../../src/syllabus/schema.js';
import { emptyNeeds, fakeProbeContext, needs } from '../helpers/probe-context.js';

function probe(id: string, run: Probe['run'], extra: Partial<Probe> = {}): Probe {
  return { id, title: id, group: 'Tools', checks: id, always: true, run, ...extra };
}

const answer =
  (status: ProbeStatus, detail: string = status, delayMs = 0): Probe['run'] =>
  () =>
    new Promise<ProbeResult>((resolve) => setTimeout(() => resolve({ status, detail }), delayMs));

describe('runProbes', () => {
  it('keeps the probes’ order whatever order they finish in, and runs them concurrently', async () => {
    // The first probe answers only once the last one has started: run one after another, it would
    // time out instead (no clock involved).
    let lastStarted!: () => void;
    const last = new Promise<void>((resolve) => (lastStarted = resolve));
    const probes = [
      probe('slow', async (): Promise<ProbeResult> => {
        await last;
        return { status: 'ok', detail: 'slow' };
      }),
      probe('fast', answer('ok', 'fast', 0)),
      probe('mid', async (): Promise<ProbeResult> => {
        lastStarted();
        return { status: 'warn', detail: 'mid' };
      }),
    ];
    const outcomes = await runProbes(probes, fakeProbeContext({ timeoutMs: 5000 }));
    expect(outcomes.map((o) => o.probe.id)).toEqual(['slow', 'fast', 'mid']);
    expect(outcomes.map((o) => o.result.detail)).toEqual(['slow', 'fast', 'mid']);
  });

  it('a probe that throws → crashed, and the others still run', async () => {
    const boom = probe('boom', async () => {
      throw new Error('kaput');
    });
    const syncBoom = probe('sync-boom', () => {
      throw new TypeError('sync kaput');
    });
    const outcomes = await runProbes([boom, syncBoom, probe('fine', answer('ok'))], fakeProbeContext());
    expect(outcomes.map((o) => o.result.status)).toEqual(['crashed', 'crashed', 'ok']);
    expect(outcomes[0]?.result.detail).toBe('the check itself failed: kaput');
    expect(outcomes[0]?.result.details?.length).toBeGreaterThan(0);
    expect(outcomes[0]?.result.fix?.text).toContain('bug in dec');
    expect(outcomes[1]?.result.detail).toBe('the check itself failed: sync kaput');
  });

  it('a probe that never answers → fail "gave no answer" after its timeout', async () => {
    const hangs = probe('hangs', () => new Promise<ProbeResult>(() => undefined), { title: 'Hanging thing' });
    const outcomes = await runProbes([hangs, probe('fine', answer('ok'))], fakeProbeContext({ timeoutMs: 100 }));
    expect(outcomes[0]?.result).toMatchObject({ status: 'fail', detail: 'gave no answer within 0.1 s' });
    expect(outcomes[0]?.result.fix?.text).toContain('Hanging thing');
    expect(outcomes[0]?.durationMs).toBeGreaterThanOrEqual(90);
    expect(outcomes[1]?.result.status).toBe('ok');
  });

  it('loading dec’s own modules (prepare) is not the probe’s time: a slow load on a busy machine is no timeout', async () => {
    // The probe needs a module whose first load is slow (dockerode took 2.7 s of 3 on a loaded machine);
    // prepare loads it before the clock starts, so run finds it loaded and answers at once.
    let loading: Promise<void> | undefined;
    const slowLoad = () => (loading ??= new Promise<void>((resolve) => setTimeout(resolve, 150)));
    const engine = probe(
      'engine',
      async (): Promise<ProbeResult> => {
        await slowLoad();
        return { status: 'ok', detail: 'answered' };
      },
      { timeoutMs: 30, prepare: slowLoad },
    );
    const [outcome] = await runProbes([engine], fakeProbeContext());
    expect(outcome?.result).toEqual({ status: 'ok', detail: 'answered' });
  });

  it('a probe’s own timeoutMs wins over the context’s', async () => {
    const hangs = probe('hangs', () => new Promise<ProbeResult>(() => undefined), { timeoutMs: 50 });
    const [outcome] = await runProbes([hangs], fakeProbeContext({ timeoutMs: 5000 }));
    expect(outcome?.result.detail).toBe('gave no answer within 0.05 s');
  });

  it('a failure of a probe whose tools are all optional is shown as a warning', async () => {
    const ctx = fakeProbeContext({ needs: needs({ tools: { pgcli: { required: false }, psql: { required: true } } }) });
    const optional = probe('optional', answer('fail'), { always: false, tools: ['pgcli'] });
    const required = probe('required', answer('fail'), { always: false, tools: ['psql'] });
    const outcomes = await runProbes([optional, required], ctx);
    expect(outcomes.map((o) => [o.result.status, o.required])).toEqual([
      ['warn', false],
      ['fail', true],
    ]);
    expect(doctorExitCode(outcomes)).toBe(1);
    expect(doctorExitCode(outcomes.slice(0, 1))).toBe(0);
  });

  it('uses the clock it is given for durations', async () => {
    let t = 0;
    const [outcome] = await runProbes([probe('p', answer('ok'))], fakeProbeContext(), () => (t += 250));
    expect(outcome?.durationMs).toBe(250);
  });
});

describe('doctorExitCode and summarizeOutcomes', () => {
  const outcome = (status: ProbeStatus, required: boolean): ProbeOutcome => ({
    probe: probe(`${status}-${required}`, answer(status)),
    result: { status, detail: status },
    required,
    durationMs: 1,
  });

  it('is 1 only for a required fail or crash', () => {
    expect(doctorExitCode([outcome('ok', true), outcome('warn', true), outcome('skipped', true)])).toBe(0);
    expect(doctorExitCode([outcome('fail', false), outcome('crashed', false)])).toBe(0);
    expect(doctorExitCode([outcome('ok', true), outcome('fail', true)])).toBe(1);
    expect(doctorExitCode([outcome('crashed', true)])).toBe(1);
    expect(doctorExitCode([])).toBe(0);
  });

  it('counts each status', () => {
    expect(
      summarizeOutcomes([outcome('ok', true), outcome('ok', false), outcome('fail', true), outcome('crashed', false)]),
    ).toEqual({
      ok: 2,
      warn: 0,
      fail: 1,
      skipped: 0,
      crashed: 1,
    });
  });
});

describe('appliesTo and isRequired', () => {
  const toolProbe = probe('t', answer('ok'), { always: false, tools: ['java', 'spark'] });
  const portProbe = probe('p', answer('ok'), { always: false, whenPorts: true });
  const systemProbe = probe('s', answer('ok'));

  it('always-probes always apply and are required', () => {
    const ctx = { needs: emptyNeeds() };
    expect(appliesTo(systemProbe, ctx)).toBe(true);
    expect(isRequired(systemProbe, ctx)).toBe(true);
  });

  it('tool probes apply when a week needs one of their tools; required when one is required', () => {
    expect(appliesTo(toolProbe, { needs: emptyNeeds() })).toBe(false);
    expect(appliesTo(toolProbe, { needs: needs({ tools: { spark: { required: false } } }) })).toBe(true);
    expect(isRequired(toolProbe, { needs: needs({ tools: { spark: { required: false } } }) })).toBe(false);
    expect(isRequired(toolProbe, { needs: needs({ tools: { spark: { required: false }, java: {} } }) })).toBe(true);
  });

  it('port probes apply when the weeks publish ports', () => {
    expect(appliesTo(portProbe, { needs: emptyNeeds() })).toBe(false);
    expect(appliesTo(portProbe, { needs: needs({ ports: [{ port: 5432 }] }) })).toBe(true);
    expect(isRequired(portProbe, { needs: emptyNeeds() })).toBe(true);
  });

  it('the real probes: a week of only java needs java and spark-adjacent checks, not gcloud', () => {
    const ctx = { needs: needs({ tools: { java: {} } }) };
    const ids = PROBES.filter((p) => appliesTo(p, ctx)).map((p) => p.id);
    expect(ids).toEqual(['os', 'wsl', 'resources', 'java']);
  });
});

describe('parseTimeout', () => {
  it.each([
    [undefined, 3000],
    ['3', 3000],
    ['3s', 3000],
    ['1.5s', 1500],
    ['500ms', 500],
    [' 10 s ', 10_000],
    ['120s', 120_000],
  ])('%j → %d ms', (text, ms) => {
    expect(parseTimeout(text)).toBe(ms);
  });

  it.each(['0', 'abc', '999s', '', '-1', '50ms', '3m', '1e3'])('%j → DecError', (text) => {
    expect(() => parseTimeout(text)).toThrow(DecError);
  });
});

describe('selectProbes', () => {
  const ids = (only: string | undefined) => selectProbes(PROBES, only).map((p) => p.id);

  it('everything without --only', () => {
    expect(ids(undefined)).toEqual(PROBES.map((p) => p.id));
  });

  it('by id, keeping the report’s order', () => {
    expect(ids('java,git')).toEqual(['java', 'git']);
    expect(ids(' git , java ')).toEqual(['java', 'git']);
  });

  it('by group name, case-insensitively', () => {
    expect(ids('Docker')).toEqual(['docker-cli', 'docker-engine', 'compose', 'docker-memory', 'dec-containers']);
    expect(ids('POSTGRES')).toEqual(['psql', 'pgcli', 'postgres-port']);
    expect(ids('cloud,ports')).toEqual(['ports', 'terraform', 'gcloud', 'bq', 'gcp-credentials']);
  });

  it('by an id prefix before a dash', () => {
    expect(ids('gcp')).toEqual(['gcp-credentials']);
  });

  it('only among the probes given', () => {
    expect(
      selectProbes(
        PROBES.filter((p) => p.id !== 'java'),
        'java',
      ),
    ).toEqual([]);
  });

  it('an unknown name → DecError with "did you mean"', () => {
    expect(() => ids('jvaa')).toThrow(DecError);
    expect(() => ids('jvaa')).toThrow(/did you mean "java"\?/);
    expect(() => ids('dokcer')).toThrow(/did you mean "docker"/);
    try {
      ids('java,zzzzzzzz');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DecError);
      expect((error as DecError).message).toBe('--only: no check or group "zzzzzzzz".');
      expect((error as DecError).hint).toContain('gcp-credentials');
    }
  });
});

describe('redact', () => {
  const secrets = { home: '/home/alice', user: 'alice', projects: ['dtc-de-course-123456'] };

  it('replaces the home folder with ~', () => {
    expect(redact('key: /home/alice/.google/credentials/google_credentials.json', secrets)).toBe(
      'key: ~/.google/credentials/google_credentials.json',
    );
  });

  it('replaces the key file’s folder outside home (GOOGLE_APPLICATION_CREDENTIALS) with <folder>', () => {
    const withKey = { ...secrets, folders: ['/srv/keys/alice-dez'] };
    expect(redact('cp /srv/keys/alice-dez/key.json ~/.google/credentials/google_credentials.json', withKey)).toBe(
      'cp <folder>/key.json ~/.google/credentials/google_credentials.json',
    );
  });

  it('replaces the user name as a word only', () => {
    expect(redact('JAVA_HOME owned by alice; malice stays', secrets)).toBe('JAVA_HOME owned by <user>; malice stays');
  });

  it('replaces e-mail addresses, service accounts included', () => {
    expect(redact('account: alice.smith+dez@gmail.com', secrets)).toBe('account: <email>');
    const out = redact('client_email: dtc-de-user@dtc-de-course-123456.iam.gserviceaccount.com', secrets);
    expect(out).toBe('client_email: <email>');
  });

  it('replaces project ids', () => {
    expect(redact('the key is for project dtc-de-course-123456, but gcloud uses other', secrets)).toBe(
      'the key is for project <project>, but gcloud uses other',
    );
  });

  it('leaves short values and an empty home alone', () => {
    expect(redact('/ a p', { home: '/', user: 'a', projects: ['p'] })).toBe('/ a p');
  });
});

describe('needsOf', () => {
  function week(number: number, tools: ToolNeed[], setup?: CourseWeek['setup']): CourseWeek {
    return {
      number,
      id: `week-${number}`,
      title: `Week ${number}`,
      sections: [],
      topics: [],
      tools,
      datasets: [],
      setup,
      time: { text: '' },
    };
  }

  it('merges tools across weeks: weeks listed, required wins', () => {
    const result = needsOf([
      week(1, [
        { id: 'psql', required: false },
        { id: 'docker', version: '>=20.10' },
      ]),
      week(2, [{ id: 'psql' }, { id: 'docker' }]),
      week(3, [{ id: 'pgcli', required: false }]),
    ]);
    expect(result.tools.get('psql')).toMatchObject({ range: undefined, required: true, weeks: [1, 2] });
    expect(result.tools.get('docker')).toMatchObject({ range: '>=20.10', required: true, weeks: [1, 2] });
    expect(result.tools.get('pgcli')).toMatchObject({ range: undefined, required: false, weeks: [3] });
    // Each week's own range is kept beside the merged one.
    expect(result.tools.get('docker')?.byWeek).toEqual([
      { week: 1, range: '>=20.10' },
      { week: 2, range: undefined },
    ]);
  });

  it('ranges from several weeks must all hold', () => {
    const result = needsOf([
      week(1, [{ id: 'docker-compose', version: '>=1.29' }]),
      week(2, [{ id: 'docker-compose', version: '>=2.0' }]),
      week(3, [{ id: 'docker-compose', version: '>=2.0' }]),
      week(4, [{ id: 'terraform' }]),
      week(5, [{ id: 'terraform', version: '>=1.0' }]),
    ]);
    const compose = result.tools.get('docker-compose')?.range ?? '';
    expect(satisfiesRange('1.29.2', compose)).toBe(false);
    expect(satisfiesRange('2.24.5', compose)).toBe(true);
    expect(result.tools.get('terraform')?.range).toBe('>=1.0');
  });

  it('an "||" range merged with another is their intersection', () => {
    const result = needsOf([
      week(5, [{ id: 'java', version: '8.x || 11.x' }]),
      week(6, [{ id: 'java', version: '>=11' }]),
    ]);
    const range = result.tools.get('java')?.range ?? '';
    expect(satisfiesRange('8.0.292', range)).toBe(false);
    expect(satisfiesRange('11.0.2', range)).toBe(true);
    expect(satisfiesRange('17.0.15', range)).toBe(false);
  });

  it('collects ports with their stack (the week id without one) and keeps the largest memory', () => {
    const result = needsOf([
      week(1, [], {
        summary: 's',
        stack: 'week1',
        ports: [
          { port: 5432, service: 'pgdatabase' },
          { port: 8080, service: 'pgadmin' },
        ],
        dockerMemoryGb: 2,
      }),
      week(2, [], { summary: 's', ports: [{ port: 8081, service: 'webserver' }], dockerMemoryGb: 4 }),
      week(3, [], { summary: 's', dockerMemoryGb: 3 }),
      week(4, []),
    ]);
    expect(result.ports).toEqual([
      { port: 5432, service: 'pgdatabase', stack: 'week1', week: 1 },
      { port: 8080, service: 'pgadmin', stack: 'week1', week: 1 },
      { port: 8081, service: 'webserver', stack: 'week-2', week: 2 },
    ]);
    expect(result.dockerMemoryGb).toBe(4);
  });

  it('no weeks → nothing needed', () => {
    expect(needsOf([])).toEqual({ tools: new Map(), ports: [], stacks: [], weeks: [] });
  });
});

describe('describeFix', () => {
  it('says what each auto fix does', () => {
    expect(describeFix({ kind: 'chmod-600', path: '/k.json' })).toContain('chmod 600');
    expect(describeFix({ kind: 'mkdir-700', path: '/d' })).toBe('create /d (mode 700)');
    expect(describeFix({ kind: 'stop-container', containerId: 'x', name: 'dec-week1-pg' })).toContain(
      'data volume is kept',
    );
    expect(describeFix({ kind: 'start-containers', containers: [{ id: 'x', name: 'dec-week1-pg' }] })).toContain(
      'start',
    );
  });
});
