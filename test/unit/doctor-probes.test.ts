// Each probe's verdict from captured command output, files and Docker facts; no real processes.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compose, decContainers, dockerEngine, dockerMemory } from '../../src/doctor/probes/docker.js';
import { dbt, java, spark } from '../../src/doctor/probes/languages.js';
import { terraform } from '../../src/doctor/probes/cloud.js';
import { psql } from '../../src/doctor/probes/postgres.js';
import { osProbe, resources, wsl } from '../../src/doctor/probes/system.js';
import { downloader, git } from '../../src/doctor/probes/tools.js';
import type { EngineFacts } from '../../src/doctor/types.js';
import {
  container,
  fakeProbeContext,
  needs,
  reachableEngine,
  tempDirs,
  unreachableEngine,
  type ExecAnswer,
} from '../helpers/probe-context.js';

const temp = tempDirs();
afterEach(() => temp.cleanup());

const GIB = 1024 ** 3;

describe('tool probes', () => {
  const TERRAFORM_JSON = JSON.stringify({
    terraform_version: '1.11.4',
    platform: 'linux_amd64',
    provider_selections: {},
    terraform_outdated: false,
  });
  const terraformNeeds = needs({ tools: { terraform: { range: '>=1.0 <2' } } });

  it.each([
    ['linux', 'sudo apt-get install -y terraform'],
    ['darwin', 'brew tap hashicorp/tap && brew install hashicorp/tap/terraform'],
    ['win32', 'winget install Hashicorp.Terraform'],
  ] as const)('terraform not on PATH on %s → fail with that platform’s install command', async (platform, command) => {
    const result = await terraform.run(fakeProbeContext({ platform, needs: terraformNeeds }));
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('not on PATH');
    expect(result.wanted).toBe('>=1.0 <2');
    expect(result.fix?.command?.endsWith(command)).toBe(true);
  });

  it('terraform version -json in range → ok with the version in detail', async () => {
    const ctx = fakeProbeContext({
      needs: terraformNeeds,
      exec: { 'terraform version -json': { stdout: TERRAFORM_JSON } },
    });
    const result = await terraform.run(ctx);
    expect(result).toMatchObject({ status: 'ok', version: '1.11.4', wanted: '>=1.0 <2' });
    expect(result.detail).toContain('1.11.4');
    expect(ctx.calls).toEqual(['terraform version -json']);
  });

  it('terraform printing plain text (no -json support) still gives its version', async () => {
    const ctx = fakeProbeContext({
      needs: terraformNeeds,
      exec: { 'terraform version -json': { stdout: 'Terraform v1.5.7\non darwin_arm64' } },
    });
    expect(await terraform.run(ctx)).toMatchObject({ status: 'ok', version: '1.5.7' });
  });

  it('terraform out of the syllabus range → fail with wanted and the install fix', async () => {
    const ctx = fakeProbeContext({
      needs: terraformNeeds,
      exec: {
        'terraform version -json': { stdout: 'Terraform v0.12.31\n\nYour version of Terraform is out of date!' },
      },
    });
    const result = await terraform.run(ctx);
    expect(result).toMatchObject({ status: 'fail', version: '0.12.31', wanted: '>=1.0 <2' });
    // Debian's archive has no terraform: HashiCorp's repository first.
    expect(result.fix?.command).toContain('https://apt.releases.hashicorp.com bookworm main');
    expect(result.fix?.command?.endsWith('sudo apt-get install -y terraform')).toBe(true);
  });

  it('a command that times out → fail saying so', async () => {
    const ctx = fakeProbeContext({
      needs: terraformNeeds,
      exec: { 'terraform version -json': { timedOut: true, exitCode: undefined } },
    });
    const result = await terraform.run(ctx);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('did not finish in time');
  });

  it('a command that fails without a version → fail with its first line', async () => {
    const ctx = fakeProbeContext({
      exec: { 'git --version': { exitCode: 127, stderr: 'git: error while loading shared libraries' } },
    });
    const result = await git.run(ctx);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('error while loading shared libraries');
  });

  it('git: ok without a range; not found on each platform gives a different command', async () => {
    const ok = await git.run(fakeProbeContext({ exec: { 'git --version': { stdout: 'git version 2.39.5' } } }));
    expect(ok).toMatchObject({ status: 'ok', version: '2.39.5', detail: '2.39.5' });
    const commands = await Promise.all(
      (['linux', 'darwin', 'win32'] as const).map(
        async (platform) => (await git.run(fakeProbeContext({ platform }))).fix?.command,
      ),
    );
    expect(commands).toEqual(['sudo apt-get install -y git', 'xcode-select --install', 'winget install Git.Git']);
  });

  it('psql: Debian-style version in and out of range', async () => {
    const exec = { 'psql --version': { stdout: 'psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)' } };
    expect(
      await psql.run(fakeProbeContext({ exec, needs: needs({ tools: { psql: { range: '>=13' } } }) })),
    ).toMatchObject({
      status: 'ok',
      version: '15.18',
    });
    const old = await psql.run(fakeProbeContext({ exec, needs: needs({ tools: { psql: { range: '>=16' } } }) }));
    expect(old).toMatchObject({ status: 'fail', version: '15.18', wanted: '>=16' });
    const missing = await psql.run(fakeProbeContext({ platform: 'darwin' }));
    expect(missing.status).toBe('fail');
    expect(missing.fix?.command).toContain('libpq');
  });
});

describe('java', () => {
  const javaNeeds = needs({ tools: { java: { range: '8.x || 11.x' }, spark: { range: '>=3.0.3 <3.3' } } });
  const JAVA8 =
    'openjdk version "1.8.0_292"\nOpenJDK Runtime Environment (build 1.8.0_292-8u292-b10-0ubuntu1~20.04-b10)\nOpenJDK 64-Bit Server VM (build 25.292-b10, mixed mode)';
  const JAVA11 =
    'openjdk version "11.0.2" 2019-01-15\nOpenJDK Runtime Environment 18.9 (build 11.0.2+9)\nOpenJDK 64-Bit Server VM 18.9 (build 11.0.2+9, mixed mode)';
  const JAVA17 =
    'Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF8\nopenjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment Temurin-17.0.15+6 (build 17.0.15+6)';

  const withJava = (stderr: string, extra: Record<string, ExecAnswer> = {}, env: NodeJS.ProcessEnv = {}) =>
    fakeProbeContext({
      needs: javaNeeds,
      env: { PATH: '', HOME: '/home/student', ...env },
      exec: { 'java -version': { stderr }, ...extra },
    });

  it('Java 8 in the old 1.8.0_292 style → ok', async () => {
    const result = await java.run(withJava(JAVA8));
    expect(result).toMatchObject({ status: 'ok', version: '8.0.292' });
    expect(result.detail).toContain('Java 8');
  });

  it('Java 11.0.2 → ok', async () => {
    expect(await java.run(withJava(JAVA11))).toMatchObject({ status: 'ok', version: '11.0.2' });
  });

  it('Java 17 → fail, naming the versions Spark needs', async () => {
    const result = await java.run(withJava(JAVA17));
    expect(result).toMatchObject({ status: 'fail', version: '17.0.15', wanted: '8.x || 11.x' });
    expect(result.detail).toBe("Java 17 (17.0.15), but the course's Spark needs Java 8 or 11");
    // Debian 12 has no openjdk-11: Adoptium's Temurin 11.
    expect(result.fix?.command).toContain('temurin-11-jdk');
  });

  it('not found → fail with the install fix', async () => {
    const result = await java.run(fakeProbeContext({ needs: javaNeeds }));
    expect(result).toMatchObject({ status: 'fail', wanted: '8.x || 11.x' });
    expect(result.fix?.command).toContain('https://packages.adoptium.net/artifactory/deb bookworm main');
    expect(result.fix?.command?.endsWith('sudo apt-get install -y temurin-11-jdk')).toBe(true);
    // No stack stands in for Java here: nothing about dec setup (the stack path is stack-path.ts's, from the syllabus).
    expect(result.fix?.text).not.toContain('dec setup');
  });

  it('JAVA_HOME without bin/java → fail', async () => {
    const home = temp.make();
    const result = await java.run(withJava(JAVA11, {}, { JAVA_HOME: home }));
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(`JAVA_HOME=${home} has no bin/java`);
    expect(result.fix?.command).toBe('unset JAVA_HOME');
  });

  it('JAVA_HOME with another major than `java` on PATH → fail: Spark uses JAVA_HOME', async () => {
    const home = temp.make();
    mkdirSync(join(home, 'bin'));
    const binary = join(home, 'bin', 'java');
    writeFileSync(binary, '#!/bin/sh\n');
    const ctx = withJava(JAVA11, { [`${binary} -version`]: { stderr: JAVA17 } }, { JAVA_HOME: home });
    const result = await java.run(ctx);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('Spark uses JAVA_HOME');
    expect(result.detail).toContain('Java 11');
    expect(result.detail).toContain('Java 17');
    expect(ctx.calls).toContain(`${binary} -version`);
  });

  it('JAVA_HOME agreeing with `java` → ok, JAVA_HOME in the details', async () => {
    const home = temp.make();
    mkdirSync(join(home, 'bin'));
    const binary = join(home, 'bin', 'java');
    writeFileSync(binary, '#!/bin/sh\n');
    const result = await java.run(withJava(JAVA8, { [`${binary} -version`]: { stderr: JAVA8 } }, { JAVA_HOME: home }));
    expect(result.status).toBe('ok');
    expect(result.details).toEqual([`JAVA_HOME: ${home}`]);
  });
});

describe('compose', () => {
  const composeNeeds = needs({ tools: { 'docker-compose': { range: '>=1.29' } } });

  it('docker compose v2 → ok', async () => {
    const ctx = fakeProbeContext({
      needs: composeNeeds,
      exec: { 'docker compose version': { stdout: 'Docker Compose version v2.24.5-desktop.1' } },
    });
    expect(await compose.run(ctx)).toMatchObject({ status: 'ok', version: '2.24.5' });
  });

  it('only docker-compose 1.29.2, for a week that needs v2 → warn', async () => {
    const ctx = fakeProbeContext({
      needs: needs({ tools: { 'docker-compose': { range: '>=2.0', weeks: [2] } } }),
      exec: {
        'docker compose version': { exitCode: 1, stderr: "docker: 'compose' is not a docker command." },
        'docker-compose version': { stdout: 'docker-compose version 1.29.2, build 5becea4c\ndocker-py version: 5.0.0' },
      },
    });
    const result = await compose.run(ctx);
    expect(result).toMatchObject({ status: 'warn', version: '1.29.2' });
    // v1 is there already: only Docker's repository gives v2 on Debian 12.
    expect(result.fix?.command).toContain('https://download.docker.com/linux/debian bookworm stable');
    expect(result.fix?.command?.endsWith('sudo apt-get install -y docker-compose-plugin')).toBe(true);
  });

  it('neither → fail', async () => {
    const result = await compose.run(fakeProbeContext({ needs: composeNeeds }));
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('neither');
  });
});

describe('docker-engine', () => {
  const engineNeeds = needs({ tools: { docker: { range: '>=20.10' } } });
  const engine = (facts: EngineFacts, platform: NodeJS.Platform = 'linux', env: NodeJS.ProcessEnv = { PATH: '' }) =>
    dockerEngine.run(fakeProbeContext({ needs: engineNeeds, platform, env, engine: facts }));

  it('socket missing on Linux → start the engine with systemctl', async () => {
    const result = await engine(
      unreachableEngine('socket-missing', undefined, 'there is no Docker socket at /var/run/docker.sock'),
    );
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('there is no Docker socket at /var/run/docker.sock [socket-missing]');
    expect(result.fix?.command).toBe('sudo systemctl start docker');
  });

  it('not running on macOS → start Docker Desktop; under WSL → service docker start', async () => {
    const mac = await engine(unreachableEngine('not-running'), 'darwin');
    expect(mac.fix?.text).toContain('Docker Desktop');
    expect(mac.fix?.command).toBeUndefined();
    const wslResult = await engine(unreachableEngine('not-running'), 'linux', { WSL_DISTRO_NAME: 'Ubuntu' });
    expect(wslResult.fix?.command).toBe('sudo service docker start');
  });

  it('permission denied → join the docker group', async () => {
    const result = await engine(unreachableEngine('permission-denied'));
    expect(result.status).toBe('fail');
    expect(result.fix?.command).toBe('sudo usermod -aG docker $USER');
    expect(result.fix?.text).toContain('log out');
  });

  it('no answer → restart the engine', async () => {
    expect((await engine(unreachableEngine('no-answer'))).fix?.command).toBe('sudo systemctl restart docker');
    const mac = await engine(unreachableEngine('no-answer'), 'darwin');
    expect(mac.fix?.text).toContain('restart Docker Desktop');
  });

  it('an endpoint from DOCKER_HOST → unset DOCKER_HOST (but not for permission denied)', async () => {
    const endpoint = { url: 'tcp://10.0.0.5:2375', source: 'DOCKER_HOST' };
    for (const failure of ['socket-missing', 'not-running', 'no-answer', 'unknown'] as const) {
      const result = await engine(unreachableEngine(failure, endpoint), 'linux', { DOCKER_HOST: endpoint.url });
      expect(result.fix?.command, failure).toBe('unset DOCKER_HOST');
      expect(result.details).toEqual(['endpoint: tcp://10.0.0.5:2375, chosen by DOCKER_HOST']);
    }
    const denied = await engine(unreachableEngine('permission-denied', endpoint), 'linux', {
      DOCKER_HOST: endpoint.url,
    });
    expect(denied.fix?.command).toBe('sudo usermod -aG docker $USER');
  });

  it('reachable, in range → ok with engine and API versions', async () => {
    const result = await engine(reachableEngine({ version: { version: '28.2.2', apiVersion: '1.50' } }));
    expect(result).toMatchObject({ status: 'ok', version: '28.2.2' });
    expect(result.detail).toContain('engine 28.2.2, API 1.50');
    expect(result.detail).toContain('unix:///var/run/docker.sock');
  });

  it('reachable, out of range → fail', async () => {
    const result = await engine(reachableEngine({ version: { version: '19.03.15', apiVersion: '1.40' } }));
    expect(result).toMatchObject({ status: 'fail', version: '19.03.15', wanted: '>=20.10' });
    expect(result.fix?.command).toBe('sudo apt-get install -y docker.io');
  });
});

describe('docker-memory', () => {
  const memory = (facts: EngineFacts, dockerMemoryGb: number | undefined, platform: NodeJS.Platform = 'linux') =>
    dockerMemory.run(fakeProbeContext({ platform, needs: needs({ dockerMemoryGb }), engine: facts }));

  it('below what the weeks need → fail with a platform fix', async () => {
    const result = await memory(reachableEngine({ info: { memTotal: 2 * GIB, cpus: 2 } }), 4, 'darwin');
    expect(result).toMatchObject({ status: 'fail', wanted: '>= 4 GiB' });
    expect(result.detail).toContain('2.0 GiB');
    expect(result.fix?.text).toContain('Settings → Resources → Memory');
  });

  it('above → ok; no memory need → ok', async () => {
    const facts = reachableEngine({ info: { memTotal: 7.7 * GIB } });
    expect(await memory(facts, 4)).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('the weeks need 4 GiB'),
    });
    expect((await memory(facts, undefined)).status).toBe('ok');
  });

  it('a little under by rounding (3.96 GiB for 4) still passes', async () => {
    expect((await memory(reachableEngine({ info: { memTotal: 3.96 * GIB } }), 4)).status).toBe('ok');
  });

  it('engine unreachable → skipped', async () => {
    expect((await memory(unreachableEngine('not-running'), 4)).status).toBe('skipped');
  });
});

describe('spark', () => {
  const sparkNeeds = needs({ tools: { spark: { range: '>=3.0.3 <3.3' } } });
  const PYSPARK = "python3 -c import importlib.metadata as m; print(m.version('pyspark'))";

  it('SPARK_HOME pointing at a missing folder → fail, unset SPARK_HOME', async () => {
    const missing = join(temp.make(), 'spark-3.0.3-bin-hadoop3.2');
    const ctx = fakeProbeContext({
      needs: sparkNeeds,
      env: { PATH: '', SPARK_HOME: missing },
      exec: { [PYSPARK]: { stdout: '3.2.1' } },
    });
    const result = await spark.run(ctx);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('does not exist');
    expect(result.fix?.command).toBe('unset SPARK_HOME');
  });

  it('SPARK_HOME with Spark 3.0.3 while PySpark is 4.0.0 → fail (stale)', async () => {
    const home = temp.make();
    const ctx = fakeProbeContext({
      needs: sparkNeeds,
      env: { PATH: '', SPARK_HOME: home },
      files: { [join(home, 'RELEASE')]: 'Spark 3.0.3 (git revision 65ac1e75dc) built for Hadoop 3.2.0\n' },
      exec: { [PYSPARK]: { stdout: '4.0.0\n' } },
    });
    const result = await spark.run(ctx);
    expect(result).toMatchObject({ status: 'fail', version: '4.0.0' });
    expect(result.detail).toContain('SPARK_HOME is Spark 3.0.3 but PySpark is 4.0.0');
    expect(result.fix?.command).toBe('unset SPARK_HOME');
  });

  it('PySpark 3.2.1 in range → ok', async () => {
    const ctx = fakeProbeContext({ needs: sparkNeeds, exec: { [PYSPARK]: { stdout: '3.2.1' } } });
    expect(await spark.run(ctx)).toMatchObject({ status: 'ok', version: '3.2.1' });
  });

  it('only spark-submit, with its banner → its version counts', async () => {
    const banner = String.raw`Welcome to
      ____              __
     / __/__  ___ _____/ /__
    _\ \/ _ \/ _ ${'`'}/ __/  '_/
   /___/ .__/\_,_/_/ /_/\_\   version 3.3.2
      /_/

Using Scala version 2.12.15, OpenJDK 64-Bit Server VM, 11.0.2`;
    const ctx = fakeProbeContext({
      needs: sparkNeeds,
      exec: {
        [PYSPARK]: { exitCode: 1, stderr: "ModuleNotFoundError: No module named 'pyspark'" },
        'spark-submit --version': { stderr: banner },
      },
    });
    expect(await spark.run(ctx)).toMatchObject({ status: 'fail', version: '3.3.2', wanted: '>=3.0.3 <3.3' });
  });

  it('nothing at all → fail with the pip fix', async () => {
    const result = await spark.run(fakeProbeContext({ needs: sparkNeeds }));
    expect(result.status).toBe('fail');
    expect(result.fix?.command).toContain('pip install');
  });
});

describe('dbt', () => {
  const dbtNeeds = needs({ tools: { dbt: { range: '>=1.0 <2' } } });
  const WITH_PLUGINS = `Core:
  - installed: 1.7.4
  - latest:    1.7.4 - Up to date!

Plugins:
  - bigquery: 1.7.2 - Up to date!
  - postgres: 1.7.4 - Up to date!
`;
  /** A `dbt` script on PATH with the given first line. */
  function dbtOnPath(shebang: string): string {
    const dir = temp.make();
    writeFileSync(join(dir, 'dbt'), `${shebang}\nimport sys\n`);
    chmodSync(join(dir, 'dbt'), 0o755);
    return dir;
  }
  // A script whose shebang is not Python: dec falls back to `dbt --version`.
  const run = (stdout: string) =>
    dbt.run(
      fakeProbeContext({
        needs: dbtNeeds,
        env: { PATH: dbtOnPath('#!/bin/sh') },
        readDisk: true,
        exec: { 'dbt --version': { stdout } },
      }),
    );

  it("reads versions from package metadata with dbt's own Python, without running dbt", async () => {
    const python = '/home/student/.venv/bin/python3';
    const metadata = { stdout: 'Core:\n  - installed: 1.7.4\nPlugins:\n  - postgres: 1.7.4\n' };
    const ctx = fakeProbeContext({
      needs: dbtNeeds,
      env: { PATH: dbtOnPath(`#!${python}`) },
      readDisk: true,
      // The script dec passes is long; answer any `<python> -c ...`.
      exec: new Proxy({} as Record<string, ExecAnswer>, {
        get: (_, key) => (typeof key === 'string' && key.startsWith(`${python} -c `) ? metadata : undefined),
      }),
    });
    const result = await dbt.run(ctx);
    expect(result).toMatchObject({ status: 'ok', version: '1.7.4', detail: 'dbt 1.7.4 with postgres 1.7.4' });
    expect(ctx.calls.some((call) => call.startsWith('dbt '))).toBe(false);
  });

  it('a dbt whose version cannot be read → warn, not "without an adapter"', async () => {
    const result = await run('hi');
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('could not read its version');
  });

  it('with plugins → ok listing the adapters', async () => {
    const result = await run(WITH_PLUGINS);
    expect(result).toMatchObject({ status: 'ok', version: '1.7.4' });
    expect(result.detail).toBe('dbt 1.7.4 with bigquery 1.7.2, postgres 1.7.4');
  });

  it('without plugins → warn', async () => {
    const result = await run('Core:\n  - installed: 1.7.4\n  - latest:    1.7.4 - Up to date!\n\nPlugins:\n');
    expect(result.status).toBe('warn');
    expect(result.detail).toBe('dbt 1.7.4 without an adapter');
    expect(result.fix?.command).toContain('dbt-postgres');
  });

  it('core out of range → fail', async () => {
    const result = await run('installed version: 0.21.1\n   latest version: 1.0.0\n\nPlugins:\n  - postgres: 0.21.1\n');
    expect(result).toMatchObject({ status: 'fail', version: '0.21.1', wanted: '>=1.0 <2' });
  });

  it('adapters on another minor than Core → warn', async () => {
    const result = await run('Core:\n  - installed: 1.7.4\n\nPlugins:\n  - postgres: 1.5.0 - Update available!\n');
    expect(result.status).toBe('warn');
    expect(result.fix?.command).toBe('pip install --upgrade dbt-core dbt-postgres');
  });

  it('not on PATH → fail', async () => {
    expect((await dbt.run(fakeProbeContext({ needs: dbtNeeds }))).status).toBe('fail');
  });
});

describe('download', () => {
  const CURL = 'curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.15';

  it('curl only → ok with the wget note', async () => {
    const wgetWeek = needs({ tools: { wget: { required: false, weeks: [1] }, curl: { required: false } } });
    const result = await downloader.run(
      fakeProbeContext({ needs: wgetWeek, exec: { 'curl --version': { stdout: CURL } } }),
    );
    expect(result.status).toBe('ok');
    expect(result.detail).toBe('curl 7.88.1 (no wget: week 1 of the course calls wget; use curl -L -O instead)');
    // A syllabus whose weeks do not name wget: no note about it.
    const noWget = await downloader.run(fakeProbeContext({ exec: { 'curl --version': { stdout: CURL } } }));
    expect(noWget.detail).toBe('curl 7.88.1');
  });

  it('both → ok listing both', async () => {
    const ctx = fakeProbeContext({
      exec: { 'curl --version': { stdout: CURL }, 'wget --version': { stdout: 'GNU Wget 1.21.3 built on linux-gnu.' } },
    });
    expect(await downloader.run(ctx)).toMatchObject({ status: 'ok', detail: 'curl 7.88.1, wget 1.21.3' });
  });

  it('neither → fail', async () => {
    const result = await downloader.run(fakeProbeContext({ platform: 'darwin' }));
    expect(result.status).toBe('fail');
    expect(result.fix?.command).toBe('brew install wget');
  });
});

describe('wsl', () => {
  const run = (procVersion: string | undefined, cwd = '/home/student/dez', platform: NodeJS.Platform = 'linux') =>
    wsl.run(
      fakeProbeContext({
        platform,
        cwd,
        env: { PATH: '', WSL_DISTRO_NAME: 'Ubuntu' },
        files: procVersion === undefined ? {} : { '/proc/version': procVersion },
      }),
    );

  it('WSL 1 → fail', async () => {
    const result = await run(
      'Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) #1237-Microsoft Sat Sep 11 14:32:00 PST 2021',
    );
    expect(result.status).toBe('fail');
    expect(result.fix?.command).toBe('wsl --set-version Ubuntu 2');
  });

  it('WSL 2 → ok', async () => {
    const result = await run(
      'Linux version 5.15.153.1-microsoft-standard-WSL2 (root@941d701f84f1) (gcc (GCC) 11.2.0, GNU ld (GNU Binutils) 2.37) #1 SMP Fri Mar 29 23:14:13 UTC 2024',
    );
    expect(result).toMatchObject({ status: 'ok', detail: 'WSL 2' });
  });

  it('WSL 2 with the workspace under /mnt/c → warn', async () => {
    const result = await run('Linux version 5.15.153.1-microsoft-standard-WSL2', '/mnt/c/Users/student/dez');
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('/mnt/c/Users/student/dez');
  });

  it('plain Linux, or not Linux → skipped', async () => {
    expect((await run('Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org)')).status).toBe('skipped');
    expect((await run(undefined)).status).toBe('skipped');
    expect((await run(undefined, '/Users/student', 'darwin')).status).toBe('skipped');
  });
});

describe('fake context', () => {
  it('answers unknown commands as not found and records calls', async () => {
    const ctx = fakeProbeContext();
    expect(await ctx.exec('nope', ['--version'])).toEqual({
      notFound: true,
      exitCode: undefined,
      stdout: '',
      stderr: '',
      timedOut: false,
    });
    expect(ctx.calls).toEqual(['nope --version']);
  });

  it('memoises once() per key, and seeds win', async () => {
    const ctx = fakeProbeContext({ seed: { seeded: 42 } });
    let computed = 0;
    const compute = async () => ++computed;
    expect(await ctx.once('k', compute)).toBe(1);
    expect(await ctx.once('k', compute)).toBe(1);
    expect(await ctx.once('seeded', compute)).toBe(42);
    expect(computed).toBe(1);
  });

  it('reads temp files only when asked to', async () => {
    const dir = temp.make();
    const path = join(dir, 'f.txt');
    writeFileSync(path, 'hello');
    chmodSync(path, 0o600);
    expect(await fakeProbeContext().readFile(path)).toBeUndefined();
    expect(await fakeProbeContext({ readDisk: true }).readFile(path)).toBe('hello');
  });
});

describe('dec-containers', () => {
  const stopped = (name: string, service: string) =>
    container({ id: `id-${name}`, name, state: 'exited', labels: { 'dec.stack': 'week1', 'dec.service': service } });

  it('offers to start the stopped containers of the chosen stacks, and only those', async () => {
    const foreign = container({ id: 'id-other', name: 'someone-else', state: 'exited', labels: {} });
    const ctx = fakeProbeContext({
      needs: needs({ stacks: ['week1'] }),
      engine: reachableEngine({
        containers: [stopped('pg', 'pgdatabase'), stopped('admin', 'pgadmin'), foreign],
      }),
    });
    const result = await decContainers.run(ctx);
    expect(result.status).toBe('warn');
    expect(result.fix?.auto).toEqual({
      kind: 'start-containers',
      containers: [
        { id: 'id-pg', name: 'pg' },
        { id: 'id-admin', name: 'admin' },
      ],
    });
    expect(result.fix?.command).toBe('docker start pg admin');
  });

  it('is skipped without stacks or without an engine', async () => {
    expect((await decContainers.run(fakeProbeContext({ needs: needs({}) }))).status).toBe('skipped');
    expect((await decContainers.run(fakeProbeContext({ needs: needs({ stacks: ['week1'] }) }))).status).toBe('skipped');
  });
});

describe('os and resources (the machine through ctx.machine)', () => {
  it('names the OS, its kernel release and distro', async () => {
    const result = await osProbe.run(
      fakeProbeContext({
        files: { '/etc/os-release': 'NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' },
      }),
    );
    expect(result).toEqual({
      status: 'ok',
      detail: 'Linux 6.1.0-fake-amd64 x64 (Debian GNU/Linux 12 (bookworm)), as a user without sudo',
    });
  });

  it('a roomy machine → ok, with the free space of the workspace and of Docker’s data root', async () => {
    const result = await resources.run(fakeProbeContext({ engine: reachableEngine() }));
    expect(result).toEqual({
      status: 'ok',
      detail: '4 CPUs, 16.0 GiB memory, 100.0 GiB free for the workspace, 100.0 GiB free for Docker (/var/lib/docker)',
    });
  });

  it('less than 2 GiB free where Docker keeps its data → fail, docker system df', async () => {
    const machine = { freeBytes: async (path: string) => (path === '/var/lib/docker' ? 1.5 : 50) * GIB };
    const result = await resources.run(fakeProbeContext({ engine: reachableEngine(), machine }));
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('1.5 GiB free for Docker (/var/lib/docker)');
    expect(result.fix?.command).toBe('docker system df');
  });

  it('a small machine → warn; an unreadable disk and no engine leave those parts out', async () => {
    const machine = { cpus: () => 1, memoryBytes: () => 3 * GIB, freeBytes: async () => undefined };
    const result = await resources.run(fakeProbeContext({ machine }));
    expect(result).toMatchObject({ status: 'warn', detail: '1 CPUs, 3.0 GiB memory' });
  });
});
