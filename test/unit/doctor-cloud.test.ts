// The Google Cloud SDK and the service-account key, from temp folders made here (fake keys only).
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gcloud, gcpCredentials } from '../../src/doctor/probes/cloud.js';
import type { ProbeResult } from '../../src/doctor/types.js';
import { fakeProbeContext, needs, tempDirs } from '../helpers/probe-context.js';

const temp = tempDirs();
afterEach(() => temp.cleanup());

/** Stands in for key material; it must never reach a result. */
const SECRET = 'FAKE-KEY-MATERIAL-not-a-real-key-7f3a9c';
const FAKE_KEY = {
  type: 'service_account',
  project_id: 'p',
  client_email: 'x@p.iam.gserviceaccount.com',
  private_key: `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n`,
};

function expectNoSecret(result: ProbeResult): void {
  const text = JSON.stringify(result);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain('BEGIN PRIVATE KEY');
}

function writeKey(dir: string, content: unknown, mode = 0o600): string {
  const path = join(dir, 'key.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  chmodSync(path, mode);
  return path;
}

/** gcloud's config files under `home`, as the fake readFile answers them. */
function gcloudFiles(home: string, ini: string, active = 'default'): Record<string, string> {
  const dir = join(home, '.config', 'gcloud');
  return { [join(dir, 'active_config')]: `${active}\n`, [join(dir, 'configurations', `config_${active}`)]: ini };
}

describe('gcp-credentials', () => {
  const credentials = (options: { home: string; key?: string; files?: Record<string, string> }) =>
    gcpCredentials.run(
      fakeProbeContext({
        home: options.home,
        env: { PATH: '', HOME: options.home, ...(options.key ? { GOOGLE_APPLICATION_CREDENTIALS: options.key } : {}) },
        files: options.files,
        readDisk: true,
      }),
    );

  it('env var pointing at a missing file → fail', async () => {
    const home = temp.make();
    const result = await credentials({ home, key: join(home, 'nope.json') });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('does not exist');
  });

  it('env var pointing at a folder → fail', async () => {
    const home = temp.make();
    expect((await credentials({ home, key: home })).detail).toContain('is not a file');
  });

  it('bad JSON → fail', async () => {
    const home = temp.make();
    const result = await credentials({ home, key: writeKey(home, `{"type": "service_account", ${SECRET}`) });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('not valid JSON');
    expectNoSecret(result);
  });

  it('user credentials (authorized_user) → fail', async () => {
    const home = temp.make();
    const key = writeKey(home, {
      type: 'authorized_user',
      client_id: 'c',
      client_secret: SECRET,
      refresh_token: SECRET,
    });
    const result = await credentials({ home, key });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('"authorized_user"');
    expectNoSecret(result);
  });

  it('a key lacking fields → fail naming them', async () => {
    const home = temp.make();
    const result = await credentials({
      home,
      key: writeKey(home, { type: 'service_account', project_id: 'p', private_key: FAKE_KEY.private_key }),
    });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('lacks client_email');
    expectNoSecret(result);
  });

  it('mode 0644 → warn with the chmod-600 auto fix', async () => {
    const home = temp.make();
    const key = writeKey(home, FAKE_KEY, 0o644);
    const result = await credentials({ home, key });
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('mode 644');
    expect(result.fix).toEqual({
      text: 'Make the key readable by you only.',
      command: `chmod 600 ${key}`,
      auto: { kind: 'chmod-600', path: key },
    });
    expectNoSecret(result);
  });

  it('mode 0600 → ok, project and e-mail in the details', async () => {
    const home = temp.make();
    const key = writeKey(home, FAKE_KEY);
    const result = await credentials({ home, key });
    expect(result).toMatchObject({ status: 'ok', detail: 'service account key for project p' });
    expect(result.details).toEqual([`key: ${key}`, 'project_id: p', 'client_email: x@p.iam.gserviceaccount.com']);
    expectNoSecret(result);
  });

  it('gcloud configured for another project → warn', async () => {
    const home = temp.make();
    const key = writeKey(home, FAKE_KEY);
    const files = gcloudFiles(home, '[core]\naccount = student@example.com\nproject = other-project\n');
    const result = await credentials({ home, key, files });
    expect(result.status).toBe('warn');
    expect(result.detail).toBe('the key is for project p, but gcloud uses other-project');
    expect(result.fix?.command).toBe('gcloud config set project p');
    expectNoSecret(result);
  });

  it('gcloud configured for the same project → ok', async () => {
    const home = temp.make();
    const files = gcloudFiles(home, '[core]\nproject = p\n');
    expect((await credentials({ home, key: writeKey(home, FAKE_KEY), files })).status).toBe('ok');
  });

  it('unset, and no week-2 key or folder → warn with the mkdir-700 auto fix', async () => {
    const home = temp.make();
    const folder = join(home, '.google', 'credentials');
    const result = await credentials({ home });
    expect(result.status).toBe('warn');
    expect(result.fix?.auto).toEqual({ kind: 'mkdir-700', path: folder });
    expect(result.fix?.command).toBe(`mkdir -p -m 700 ${folder}`);
  });

  it('unset, folder there but no key → warn without an auto fix', async () => {
    const home = temp.make();
    mkdirSync(join(home, '.google', 'credentials'), { recursive: true });
    const result = await credentials({ home });
    expect(result.status).toBe('warn');
    expect(result.fix?.auto).toBeUndefined();
    expect(result.fix?.command).toContain('export GOOGLE_APPLICATION_CREDENTIALS=');
  });

  it('unset, but a good week-2 key → warn: point the variable at it', async () => {
    const home = temp.make();
    const folder = join(home, '.google', 'credentials');
    mkdirSync(folder, { recursive: true });
    const path = join(folder, 'google_credentials.json');
    writeFileSync(path, JSON.stringify(FAKE_KEY));
    chmodSync(path, 0o600);
    const result = await credentials({ home });
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('GOOGLE_APPLICATION_CREDENTIALS is not set');
    expect(result.fix?.command).toBe(`export GOOGLE_APPLICATION_CREDENTIALS=${path}`);
    expectNoSecret(result);
  });

  it('unset, with a broken week-2 key → fail', async () => {
    const home = temp.make();
    const folder = join(home, '.google', 'credentials');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'google_credentials.json'), 'not json');
    expect((await credentials({ home })).status).toBe('fail');
  });
});

describe('gcloud', () => {
  /** A fake SDK install: <dir>/google-cloud-sdk/bin/gcloud (executable) and its VERSION file. */
  function fakeSdk(version: string | undefined): { dir: string; bin: string } {
    const dir = temp.make();
    const bin = join(dir, 'google-cloud-sdk', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'gcloud'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(bin, 'gcloud'), 0o755);
    if (version !== undefined) writeFileSync(join(dir, 'google-cloud-sdk', 'VERSION'), `${version}\n`);
    return { dir, bin };
  }

  const context = (path: string, home: string, files: Record<string, string> = {}) =>
    fakeProbeContext({
      home,
      env: { PATH: path, HOME: home },
      needs: needs({ tools: { gcloud: { range: '>=400' } } }),
      files,
      readDisk: true,
      exec: { 'gcloud --version': { stdout: 'Google Cloud SDK 465.0.0\nbq 2.0.101\ncore 2024.02.23' } },
    });

  it('not on PATH → fail with the install fix', async () => {
    const result = await gcloud.run(fakeProbeContext({ env: { PATH: temp.make() } }));
    expect(result.status).toBe('fail');
    expect(result.fix?.command).toContain('https://packages.cloud.google.com/apt cloud-sdk main');
    expect(result.fix?.command?.endsWith('sudo apt-get install -y google-cloud-cli')).toBe(true);
  });

  it('reads the version from the SDK’s VERSION file without running gcloud; account and project from config', async () => {
    const { bin } = fakeSdk('528.0.0');
    const home = temp.make();
    const ctx = context(bin, home, gcloudFiles(home, '[core]\naccount = student@example.com\nproject = dtc-de-123\n'));
    const result = await gcloud.run(ctx);
    expect(result).toMatchObject({
      status: 'ok',
      version: '528.0.0',
      detail: 'student@example.com, project dtc-de-123',
    });
    expect(result.details).toEqual(['configuration: default', 'account: student@example.com', 'project: dtc-de-123']);
    expect(ctx.calls.filter((call) => call.startsWith('gcloud'))).toEqual([]);
  });

  it('follows a symlink on PATH to the SDK (apt and Homebrew installs)', async () => {
    const { bin } = fakeSdk('528.0.0');
    const usrBin = temp.make();
    symlinkSync(join(bin, 'gcloud'), join(usrBin, 'gcloud'));
    const home = temp.make();
    const ctx = context(usrBin, home, gcloudFiles(home, '[core]\naccount = a@example.com\nproject = p1\n'));
    expect(await gcloud.run(ctx)).toMatchObject({ status: 'ok', version: '528.0.0' });
    expect(ctx.calls).toEqual([]);
  });

  it('no VERSION file → asks gcloud --version', async () => {
    const { bin } = fakeSdk(undefined);
    const home = temp.make();
    const ctx = context(bin, home, gcloudFiles(home, '[core]\naccount = a@example.com\nproject = p1\n'));
    expect(await gcloud.run(ctx)).toMatchObject({ status: 'ok', version: '465.0.0' });
    expect(ctx.calls).toEqual(['gcloud --version']);
  });

  it('a named active configuration and CLOUDSDK_* overrides', async () => {
    const { bin } = fakeSdk('528.0.0');
    const home = temp.make();
    const ctx = fakeProbeContext({
      home,
      env: { PATH: bin, HOME: home, CLOUDSDK_CORE_PROJECT: 'from-env' },
      readDisk: true,
      files: gcloudFiles(home, '[core]\naccount = a@example.com\nproject = from-file\n', 'course'),
    });
    const result = await gcloud.run(ctx);
    expect(result.detail).toBe('a@example.com, project from-env');
    expect(result.details?.[0]).toBe('configuration: course');
  });

  it('no account → warn with gcloud auth login', async () => {
    const { bin } = fakeSdk('528.0.0');
    const home = temp.make();
    const result = await gcloud.run(context(bin, home, gcloudFiles(home, '[core]\nproject = dtc-de-123\n')));
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('no active account');
    expect(result.fix?.command).toBe('gcloud auth login');
  });

  it('no config at all → warn (no account)', async () => {
    const { bin } = fakeSdk('528.0.0');
    const result = await gcloud.run(context(bin, temp.make()));
    expect(result.status).toBe('warn');
  });

  it('no project → warn with gcloud config set project', async () => {
    const { bin } = fakeSdk('528.0.0');
    const home = temp.make();
    const result = await gcloud.run(context(bin, home, gcloudFiles(home, '[core]\naccount = student@example.com\n')));
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('no project set');
    expect(result.fix?.command).toBe('gcloud config set project <PROJECT_ID>');
  });

  it('an SDK older than the range → fail', async () => {
    const { bin } = fakeSdk('350.0.0');
    const result = await gcloud.run(context(bin, temp.make()));
    expect(result).toMatchObject({ status: 'fail', version: '350.0.0', wanted: '>=400' });
  });
});
