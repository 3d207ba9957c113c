// Port 5432 and the stacks' other ports: who holds them (from given container lists and host listeners),
// and fixes that never stop a container dec did not create. The ProbeContext's ports and postgres are
// fakes, so no socket is opened and no real Postgres is ever asked.
import { describe, expect, it } from 'vitest';
import { ports } from '../../src/doctor/probes/ports.js';
import { postgresPort } from '../../src/doctor/probes/postgres.js';
import type { LoginResult } from '../../src/postgres/login.js';
import { container, fakeProbeContext, needs } from '../helpers/probe-context.js';
import type { ContainerSummary } from '../../src/docker/client.js';

const week1Postgres = container({
  name: 'dec-week1-pgdatabase',
  hostPorts: [5432],
  labels: { 'dec.stack': 'week1', 'dec.service': 'pgdatabase' },
});
const week2Postgres = container({
  name: 'dec-week2-postgres',
  hostPorts: [5432],
  labels: { 'dec.stack': 'week2', 'dec.service': 'postgres' },
});
const foreignPostgres = container({ name: 'my-postgres', image: 'postgres:16', hostPorts: [5432] });

/** The probe's verdict, and the logins it tried (the login on 5432 goes as `login` says). */
async function postgres(containers: ContainerSummary[], stack = 'week1', login: LoginResult = 'unreachable') {
  const ctx = fakeProbeContext({
    needs: needs({ ports: [{ port: 5432, service: 'pgdatabase', stack }] }),
    containers,
    logins: { 5432: login },
  });
  const result = await postgresPort.run(ctx);
  return Object.assign(result, { loginsTried: ctx.loginsTried });
}

describe('postgres-port', () => {
  it('held by its own stack → ok', async () => {
    const result = await postgres([week1Postgres]);
    expect(result.status).toBe('ok');
    expect(result.detail).toContain('as it should be');
  });

  it('held by dec’s container of another stack → warn with the auto stop-container fix', async () => {
    const result = await postgres([week2Postgres]);
    expect(result.status).toBe('warn');
    expect(result.fix?.command).toBe('dec setup week2 --down');
    expect(result.fix?.auto).toEqual({
      kind: 'stop-container',
      containerId: 'id-dec-week2-postgres',
      name: 'dec-week2-postgres',
    });
  });

  it('held by another dec project’s week-1 Postgres → not ours: warn, its project named, no auto fix', async () => {
    const otherProject = container({
      name: 'dectest-a-week1-pgdatabase',
      hostPorts: [5432],
      labels: { 'dec.project': 'dectest-a', 'dec.stack': 'week1', 'dec.service': 'pgdatabase' },
    });
    const result = await postgres([otherProject]);
    expect(result.status).toBe('warn');
    expect(result.detail).toBe(
      "port 5432 is held by dec's week1 container dectest-a-week1-pgdatabase (project dectest-a)",
    );
    expect(result.fix?.command).toBe('DEC_PROJECT=dectest-a dec setup week1 --down');
    expect(result.fix?.auto).toBeUndefined();
  });

  it('run for another project, the default project’s week-1 Postgres is not ours either', async () => {
    const result = await postgresPort.run(
      fakeProbeContext({
        env: { PATH: '', HOME: '/home/student', DEC_PROJECT: 'dectest-b' },
        needs: needs({ ports: [{ port: 5432, service: 'pgdatabase', stack: 'week1' }] }),
        containers: [week1Postgres],
      }),
    );
    expect(result.status).toBe('warn');
    expect(result.detail).toBe("port 5432 is held by dec's week1 container dec-week1-pgdatabase");
    expect(result.fix?.command).toBe('DEC_PROJECT=dec dec setup week1 --down');
    expect(result.fix?.auto).toBeUndefined();
  });

  it('held by a foreign container that refuses root/root → fail with `docker stop <name>`, never an auto fix', async () => {
    const result = await postgres([foreignPostgres], 'week1', 'rejected');
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('password authentication failed');
    expect(result.fix?.command).toBe('docker stop my-postgres');
    expect(result.fix?.auto).toBeUndefined();
    expect(result.loginsTried).toEqual([
      { port: 5432, login: { user: 'root', password: 'root', database: 'ny_taxi' } },
    ]);
  });

  it('held by a host Postgres that refuses root/root → fail, stop the local Postgres service', async () => {
    const ctx = fakeProbeContext({
      needs: needs({ ports: [{ port: 5432, service: 'pgdatabase', stack: 'week1' }] }),
      containers: [],
      listeners: { 5432: { pid: 812, name: 'postgres', command: '/usr/lib/postgresql/15/bin/postgres' } },
      logins: { 5432: 'rejected' },
    });
    const result = await postgresPort.run(ctx);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('postgres (pid 812)');
    expect(result.fix?.command).toBe('sudo service postgresql stop');
    expect(result.fix?.auto).toBeUndefined();
  });

  it('held by a foreign container that is not Postgres → fail, docker stop', async () => {
    const result = await postgres([foreignPostgres], 'week1', 'unreachable');
    expect(result.status).toBe('fail');
    expect(result.fix?.command).toBe('docker stop my-postgres');
    expect(result.fix?.auto).toBeUndefined();
  });

  it('held by a foreign Postgres that accepts the course credentials → warn, still no auto fix', async () => {
    const result = await postgres([foreignPostgres], 'week1', 'accepted');
    expect(result.status).toBe('warn');
    expect(result.fix?.command).toBe('docker stop my-postgres');
    expect(result.fix?.auto).toBeUndefined();
  });

  it('follows the pgdatabase service to another host port, which the ports probe then leaves alone', async () => {
    const moved = container({ name: 'dec-week1-pgdatabase', hostPorts: [5433], labels: { 'dec.stack': 'week1' } });
    const ctx = fakeProbeContext({
      needs: needs({ ports: [{ port: 5433, service: 'pgdatabase', stack: 'week1' }] }),
      containers: [moved],
    });
    expect(await postgresPort.run(ctx)).toMatchObject({ status: 'ok', detail: expect.stringContaining('port 5433') });
    expect((await ports.run(ctx)).status).toBe('skipped');
  });

  it('no week publishes 5432 → skipped', async () => {
    const result = await postgresPort.run(fakeProbeContext({ needs: needs({ ports: [{ port: 8080 }] }) }));
    expect(result.status).toBe('skipped');
  });
});

describe('ports', () => {
  it('a free port → ok', async () => {
    const port = 8080;
    const ctx = fakeProbeContext({
      needs: needs({ ports: [{ port, service: 'webserver', stack: 'week2' }] }),
      containers: [],
    });
    const result = await ports.run(ctx);
    expect(result.status).toBe('ok');
    expect(result.details).toEqual([`${port} (week2 webserver): free`]);
  });

  it('a stopped container publishing the port does not hold it', async () => {
    const port = 8080;
    const stopped = container({ name: 'old-airflow', hostPorts: [port], state: 'exited' });
    const ctx = fakeProbeContext({
      needs: needs({ ports: [{ port, service: 'webserver', stack: 'week2' }] }),
      containers: [stopped],
    });
    expect(await ports.run(ctx)).toMatchObject({ status: 'ok', details: [`${port} (week2 webserver): free`] });
  });

  it('held by the stack itself → ok', async () => {
    const airflow = container({ name: 'dec-week2-webserver', hostPorts: [8080], labels: { 'dec.stack': 'week2' } });
    const ctx = fakeProbeContext({
      needs: needs({ ports: [{ port: 8080, service: 'webserver', stack: 'week2' }] }),
      containers: [airflow],
    });
    expect((await ports.run(ctx)).status).toBe('ok');
  });

  it('held by dec’s container of another stack → warn with auto stop-container', async () => {
    const pgadmin = container({ name: 'dec-week1-pgadmin', hostPorts: [8080], labels: { 'dec.stack': 'week1' } });
    const ctx = fakeProbeContext({
      needs: needs({ ports: [{ port: 8080, service: 'webserver', stack: 'week2' }] }),
      containers: [pgadmin],
    });
    const result = await ports.run(ctx);
    expect(result.status).toBe('warn');
    expect(result.fix?.auto).toEqual({
      kind: 'stop-container',
      containerId: 'id-dec-week1-pgadmin',
      name: 'dec-week1-pgadmin',
    });
  });

  it('held by the same stack of another dec project → warn naming that project, no auto fix', async () => {
    const airflow = container({
      name: 'dectest-a-week2-webserver',
      hostPorts: [8080],
      labels: { 'dec.project': 'dectest-a', 'dec.stack': 'week2', 'dec.service': 'webserver' },
    });
    const ctx = fakeProbeContext({
      needs: needs({ ports: [{ port: 8080, service: 'webserver', stack: 'week2' }] }),
      containers: [airflow],
    });
    const result = await ports.run(ctx);
    expect(result.status).toBe('warn');
    expect(result.detail).toBe(
      "8080 (week2) held by dec's week2 container dectest-a-week2-webserver (project dectest-a)",
    );
    expect(result.fix?.command).toBe('DEC_PROJECT=dectest-a dec setup week2 --down');
    expect(result.fix?.auto).toBeUndefined();
  });

  it('held by a foreign container → fail with `docker stop <name>` and no auto fix', async () => {
    const jenkins = container({ name: 'jenkins', image: 'jenkins/jenkins:lts', hostPorts: [8080] });
    const ctx = fakeProbeContext({
      needs: needs({ ports: [{ port: 8080, service: 'webserver', stack: 'week2' }] }),
      containers: [jenkins],
    });
    const result = await ports.run(ctx);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('8080 (week2) held by the container jenkins (jenkins/jenkins:lts)');
    expect(result.fix?.command).toBe('docker stop jenkins');
    expect(result.fix?.text).toContain('8081');
    expect(result.fix?.auto).toBeUndefined();
  });

  it('a dec container and a foreign one → fail, and the foreign one never gets an auto fix', async () => {
    const jenkins = container({ name: 'jenkins', hostPorts: [8080] });
    const pgadmin = container({ name: 'dec-week1-pgadmin', hostPorts: [8081], labels: { 'dec.stack': 'week1' } });
    const ctx = fakeProbeContext({
      needs: needs({
        ports: [
          { port: 8080, service: 'webserver', stack: 'week2' },
          { port: 8081, service: 'flower', stack: 'week2' },
        ],
      }),
      containers: [jenkins, pgadmin],
    });
    const result = await ports.run(ctx);
    expect(result.status).toBe('fail');
    expect(result.fix?.command).toBe('docker stop jenkins');
    expect(result.fix?.auto).toBeUndefined();
  });

  it('held by a docker-proxy that no container owns → fail, restart the engine', async () => {
    const ctx = fakeProbeContext({
      needs: needs({ ports: [{ port: 8080, service: 'webserver', stack: 'week2' }] }),
      containers: [],
      listeners: { 8080: { pid: 23015, name: 'docker-proxy' } },
    });
    const result = await ports.run(ctx);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('a docker-proxy (pid 23015) that no container owns');
    expect(result.fix?.command).toBe('sudo systemctl restart docker');
  });

  it('only 5432 → skipped (it has its own probe)', async () => {
    const result = await ports.run(fakeProbeContext({ needs: needs({ ports: [{ port: 5432 }] }) }));
    expect(result.status).toBe('skipped');
  });
});
