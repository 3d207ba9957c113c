// The tools only the current course (dez-2026) asks for: uv (its Python projects), DuckDB (modules 4
// and 5) and the Bruin CLI (module 5). Each is its vendor's one-line installer, so the fix is that line
// per platform rather than a package of the distribution (none of them is packaged by Debian or Ubuntu).
import type { Fix, Probe, ProbeResult } from '../types.js';
import type { ToolId } from '../../syllabus/schema.js';
import { extractVersion } from '../versions.js';
import { rangeOf, versionVerdict } from './tool.js';

interface VendorTool {
  id: string;
  title: string;
  tool: ToolId;
  command: string;
  args: string[];
  unix: string;
  windows: string;
  why: string;
}

function vendorProbe(spec: VendorTool): Probe {
  return {
    id: spec.id,
    title: spec.title,
    group: 'Tools',
    tools: [spec.tool],
    checks: `\`${spec.command}\` is installed (${spec.why})`,
    async run(ctx): Promise<ProbeResult> {
      const fix: Fix = {
        text: `Install ${spec.title} with its installer (${spec.why}); open a new terminal afterwards so PATH has it.`,
        command: ctx.platform === 'win32' ? spec.windows : spec.unix,
      };
      const run = await ctx.exec(spec.command, spec.args);
      if (run.notFound)
        return { status: 'fail', wanted: rangeOf(ctx, spec.tool), detail: `\`${spec.command}\` is not on PATH`, fix };
      if (run.timedOut)
        return {
          status: 'fail',
          detail: `\`${spec.command} ${spec.args.join(' ')}\` did not finish in time`,
          fix: { text: 'Check that the installation works: run the command by hand.' },
        };
      const version = extractVersion(`${run.stdout}\n${run.stderr}`);
      if (version === undefined && run.exitCode !== 0)
        return { status: 'fail', detail: `\`${spec.command}\` fails: ${run.stderr.trim().split('\n')[0] ?? ''}`, fix };
      return versionVerdict(ctx, spec.tool, version, `\`${spec.command}\``, fix);
    },
  };
}

export const uv = vendorProbe({
  id: 'uv',
  title: 'uv',
  tool: 'uv',
  command: 'uv',
  args: ['--version'],
  unix: 'curl -LsSf https://astral.sh/uv/install.sh | sh',
  windows: 'powershell -ExecutionPolicy ByPass -c "irm https://astral.sh/uv/install.ps1 | iex"',
  why: 'the course makes and runs its Python projects with uv',
});

export const duckdb = vendorProbe({
  id: 'duckdb',
  title: 'DuckDB CLI',
  tool: 'duckdb',
  command: 'duckdb',
  args: ['--version'],
  unix: 'curl https://install.duckdb.org | sh',
  windows: 'winget install DuckDB.cli',
  why: 'to look at the DuckDB files of modules 4 and 5',
});

export const bruin = vendorProbe({
  id: 'bruin',
  title: 'Bruin CLI',
  tool: 'bruin',
  command: 'bruin',
  args: ['--version'],
  unix: 'curl -LsSf https://getbruin.com/install/cli | sh',
  windows: 'curl -LsSf https://getbruin.com/install/cli | sh  (in Git Bash or WSL, as the course does)',
  why: "module 5's pipelines run with it",
});
