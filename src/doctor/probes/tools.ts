// git (dbt deps needs it too) and a downloader (curl or wget) for the datasets.
import { installFor } from '../install.js';
import type { Probe } from '../types.js';
import { extractVersion } from '../versions.js';
import { toolProbe } from './tool.js';

export const git = toolProbe({
  id: 'git',
  title: 'git',
  group: 'Tools',
  tool: 'git',
  command: 'git',
  args: ['--version'],
});

export const downloader: Probe = {
  id: 'download',
  title: 'curl or wget',
  group: 'Tools',
  tools: ['curl', 'wget'],
  checks: 'curl or wget is installed (the lessons download the taxi data with them)',
  async run(ctx) {
    const [curl, wget] = await Promise.all([ctx.exec('curl', ['--version']), ctx.exec('wget', ['--version'])]);
    const found = [
      curl.exitCode === 0 ? `curl ${extractVersion(curl.stdout) ?? ''}`.trim() : undefined,
      wget.exitCode === 0 ? `wget ${extractVersion(wget.stdout) ?? ''}`.trim() : undefined,
    ].filter((x): x is string => x !== undefined);
    if (found.length === 0)
      return { status: 'fail', detail: 'neither curl nor wget is installed', fix: await installFor(ctx, 'curl') };
    const wgetWeeks = ctx.needs.tools.get('wget')?.weeks ?? [];
    if (wget.exitCode !== 0 && wgetWeeks.length > 0)
      return {
        status: 'ok',
        detail: `${found.join(', ')} (no wget: week ${wgetWeeks.join(', ')} of the course ${wgetWeeks.length === 1 ? 'calls' : 'call'} wget; use curl -L -O instead)`,
      };
    return { status: 'ok', detail: found.join(', ') };
  },
};
