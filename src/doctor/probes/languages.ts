// Python and pip; Java against the range Spark needs, and JAVA_HOME agreeing with it; Spark and a
// stale SPARK_HOME; dbt and its adapters.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dbtAdapters, installFor, pythonTooNewForSpark, sparkFix } from '../install.js';
import { platformFacts } from '../platform.js';
import { which } from '../which.js';
import type { Probe, ProbeContext, ProbeResult } from '../types.js';
import {
  describeRange,
  extractVersion,
  parseDbtVersion,
  parseJavaVersion,
  parseSparkVersion,
  satisfiesRange,
} from '../versions.js';
import { rangeOf, toolProbe, versionVerdict } from './tool.js';

function pythonCommand(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'python' : 'python3';
}

export const python = toolProbe({
  id: 'python',
  title: 'Python',
  group: 'Languages',
  tool: 'python',
  command: pythonCommand,
  args: ['--version'],
});

/** The Python the doctor finds (python3, or python on Windows), read once for every probe. */
function pythonVersion(ctx: ProbeContext): Promise<string | undefined> {
  return ctx.once('python-version', async () => {
    const run = await ctx.exec(pythonCommand(ctx.platform), ['--version']);
    return run.exitCode === 0 ? extractVersion(`${run.stdout}\n${run.stderr}`) : undefined;
  });
}

/** pip's version from its package metadata: ~0.1 s, where `python3 -m pip --version` imports pip (~0.4 s). */
const PIP_VERSION = "import importlib.metadata as m; print('pip', m.version('pip'))";

const pipProbe = (args: string[]) =>
  toolProbe({ id: 'pip', title: 'pip', group: 'Languages', tool: 'pip', command: pythonCommand, args });

export const pip: Probe = {
  ...pipProbe(['-c', PIP_VERSION]),
  checks: "pip is installed for python3 (the course's Python packages install with it)",
  async run(ctx) {
    const fast = await pipProbe(['-c', PIP_VERSION]).run(ctx);
    if (fast.status === 'ok') return fast;
    // Python before 3.8 has no importlib.metadata, and a missing pip fails either way: ask pip itself.
    return pipProbe(['-m', 'pip', '--version']).run(ctx);
  },
};

async function javaAt(ctx: ProbeContext, command: string): Promise<{ version: string; major: number } | undefined> {
  const run = await ctx.exec(command, ['-version']);
  return parseJavaVersion(`${run.stderr}\n${run.stdout}`);
}

/**
 * A Java of the wrong version fails only a check of the weeks that run Spark locally (`dec doctor --week 5`):
 * across the whole course it is a warning, since every other week works with it (and week 5 can run in Docker).
 */
function lenientAcrossWeeks(ctx: ProbeContext, verdict: ProbeResult): ProbeResult {
  const sparkWeeks = ctx.needs.tools.get('spark')?.weeks ?? ctx.needs.tools.get('java')?.weeks ?? [];
  const chosen = ctx.needs.weeks ?? [];
  if (chosen.length === 0 || chosen.every((week) => sparkWeeks.includes(week))) return verdict;
  const weeks = sparkWeeks.join(', ');
  return {
    ...verdict,
    status: 'warn',
    detail: `${verdict.detail} (only week ${weeks} runs Spark locally; \`dec doctor --week ${sparkWeeks[0] ?? ''}\` checks it strictly)`,
  };
}

export const java: Probe = {
  id: 'java',
  title: 'Java',
  group: 'Languages',
  tools: ['java', 'spark'],
  checks:
    '`java -version` (every style, 1.8.0_xxx included) against the range Spark needs, and JAVA_HOME agreeing with it',
  async run(ctx): Promise<ProbeResult> {
    const fix = await installFor(ctx, 'java');
    const run = await ctx.exec('java', ['-version']);
    if (run.notFound) return { status: 'fail', wanted: rangeOf(ctx, 'java'), detail: '`java` is not on PATH', fix };
    const found = parseJavaVersion(`${run.stderr}\n${run.stdout}`);
    const verdict = versionVerdict(ctx, 'java', found?.version, '`java`', fix);
    if (found)
      verdict.detail = `Java ${found.major} (${found.version})${verdict.status === 'fail' && verdict.wanted ? `, but the course's Spark needs Java ${describeRange(verdict.wanted)}` : ''}`;
    if (verdict.status === 'fail') return lenientAcrossWeeks(ctx, verdict);
    const home = ctx.env.JAVA_HOME;
    if (!home) return verdict;
    const binary = join(home, 'bin', ctx.platform === 'win32' ? 'java.exe' : 'java');
    if (!existsSync(binary)) {
      return {
        ...verdict,
        status: 'fail',
        detail: `JAVA_HOME=${home} has no bin/java`,
        fix: { text: 'Point JAVA_HOME at the JDK you use (or unset it).', command: 'unset JAVA_HOME' },
      };
    }
    const fromHome = await javaAt(ctx, binary);
    if (found && fromHome && fromHome.major !== found.major) {
      return {
        ...verdict,
        status: 'fail',
        detail: `\`java\` is Java ${found.major}, but JAVA_HOME (${home}) is Java ${fromHome.major}: Spark uses JAVA_HOME`,
        fix: {
          text: 'Make them agree: point JAVA_HOME at the JDK on PATH (or the other way round).',
          command: 'export JAVA_HOME=$(dirname $(dirname $(readlink -f $(which java))))',
        },
      };
    }
    return { ...verdict, details: [`JAVA_HOME: ${home}`] };
  },
};

/** Spark's version from a SPARK_HOME folder: its RELEASE file, or the spark-core jar's name. */
async function sparkHomeVersion(ctx: ProbeContext, home: string): Promise<string | undefined> {
  const release = parseSparkVersion((await ctx.readFile(join(home, 'RELEASE'))) ?? '');
  if (release) return release;
  try {
    const jar = readdirSync(join(home, 'jars')).find((name) => name.startsWith('spark-core_'));
    return jar ? parseSparkVersion(jar) : undefined;
  } catch {
    return undefined;
  }
}

export const spark: Probe = {
  id: 'spark',
  title: 'Spark',
  group: 'Languages',
  tools: ['spark'],
  checks: 'PySpark or a Spark install in the range the syllabus wants, and no stale SPARK_HOME',
  async run(ctx): Promise<ProbeResult> {
    const python = await pythonVersion(ctx);
    const fix = sparkFix(await platformFacts(ctx), ctx.needs, ctx.env, python);
    const sparkHome = ctx.env.SPARK_HOME;
    // From package metadata: importing pyspark itself takes several times longer.
    const py = await ctx.exec(pythonCommand(ctx.platform), [
      '-c',
      "import importlib.metadata as m; print(m.version('pyspark'))",
    ]);
    const pyspark = py.exitCode === 0 ? py.stdout.trim() : undefined;
    const homeVersion = sparkHome ? await sparkHomeVersion(ctx, sparkHome) : undefined;
    if (sparkHome && !existsSync(sparkHome)) {
      return {
        status: 'fail',
        detail: `SPARK_HOME=${sparkHome} does not exist`,
        fix: { text: 'Remove the stale SPARK_HOME (PySpark finds its own Spark).', command: 'unset SPARK_HOME' },
      };
    }
    if (sparkHome && pyspark && homeVersion && homeVersion.split('.')[0] !== pyspark.split('.')[0]) {
      return {
        status: 'fail',
        version: pyspark,
        detail: `SPARK_HOME is Spark ${homeVersion} but PySpark is ${pyspark}: PySpark would load the old jars`,
        fix: { text: 'Remove the stale SPARK_HOME, or install the matching PySpark.', command: 'unset SPARK_HOME' },
      };
    }
    const version = pyspark ?? homeVersion;
    if (!version) {
      const submit = await ctx.exec('spark-submit', ['--version']);
      const fromSubmit = parseSparkVersion(`${submit.stdout}\n${submit.stderr}`);
      if (!fromSubmit)
        return {
          status: 'fail',
          wanted: rangeOf(ctx, 'spark'),
          detail: 'no PySpark module, no SPARK_HOME and no `spark-submit`',
          fix,
        };
      return versionVerdict(ctx, 'spark', fromSubmit, '`spark-submit`', fix);
    }
    const verdict = versionVerdict(ctx, 'spark', version, pyspark ? 'PySpark' : `SPARK_HOME (${sparkHome})`, fix);
    // The right PySpark on a Python it does not support still fails at the first job.
    if (verdict.status === 'ok' && pythonTooNewForSpark(ctx.needs, python))
      return { ...verdict, status: 'warn', detail: `${verdict.detail}, but on Python ${python ?? '?'}`, fix };
    return verdict;
  },
};

/** What `dbt --version` shows, read from package metadata by dbt's own Python (from its script's
 * shebang): ~0.1 s instead of ~2 s, and no network call to look up the latest release. */
const DBT_METADATA = [
  'import importlib.metadata as m',
  "print('Core:'); print('  - installed:', m.version('dbt-core')); print('Plugins:')",
  "skip = {'dbt-core', 'dbt-extractor', 'dbt-semantic-interfaces', 'dbt-adapters', 'dbt-common'}",
  "names = sorted({(d.metadata['Name'] or '').lower(): d.version for d in m.distributions()}.items())",
  "[print('  - %s: %s' % (n[4:], v)) for n, v in names if n.startswith('dbt-') and n not in skip]",
].join('\n');

async function dbtFromMetadata(ctx: ProbeContext, binary: string): Promise<string | undefined> {
  const firstLine = ((await ctx.readFile(binary)) ?? '').split('\n', 1)[0] ?? '';
  if (!firstLine.startsWith('#!') || !firstLine.includes('python')) return undefined;
  const [interpreter, ...rest] = firstLine.slice(2).trim().split(/\s+/);
  if (!interpreter) return undefined;
  const command = interpreter.endsWith('/env') ? rest[0] : interpreter;
  if (!command) return undefined;
  const run = await ctx.exec(command, ['-c', DBT_METADATA]);
  return run.exitCode === 0 ? run.stdout : undefined;
}

async function dbtVersionOutput(ctx: ProbeContext): Promise<string> {
  const run = await ctx.exec('dbt', ['--version'], { timeoutMs: Math.max(ctx.timeoutMs - 200, 500) });
  return `${run.stdout}\n${run.stderr}`;
}

export const dbt: Probe = {
  id: 'dbt',
  title: 'dbt',
  group: 'Languages',
  tools: ['dbt'],
  checks: 'dbt Core in the range the syllabus wants, with at least one adapter (postgres, bigquery, duckdb)',
  async run(ctx): Promise<ProbeResult> {
    const fix = await installFor(ctx, 'dbt');
    const binary = which('dbt', ctx.env, ctx.platform);
    if (!binary) return { status: 'fail', wanted: rangeOf(ctx, 'dbt'), detail: '`dbt` is not on PATH', fix };
    const parsed = parseDbtVersion((await dbtFromMetadata(ctx, binary)) ?? (await dbtVersionOutput(ctx)));
    const verdict = versionVerdict(ctx, 'dbt', parsed.core, '`dbt`', fix);
    if (verdict.status === 'fail' || parsed.core === undefined) return verdict;
    const adapters = parsed.adapters.map((a) => `${a.name} ${a.version}`);
    if (adapters.length === 0) {
      return {
        ...verdict,
        status: 'warn',
        detail: `dbt ${parsed.core ?? ''} without an adapter`.replace('  ', ' '),
        fix: {
          text: 'Install the adapter for your warehouse.',
          command: `pip install ${dbtAdapters(ctx.needs).replace('dbt-core ', '')}`,
        },
      };
    }
    const wanted = verdict.wanted;
    const mismatched = parsed.adapters.filter(
      (a) => parsed.core && a.version.split('.').slice(0, 2).join('.') !== parsed.core.split('.').slice(0, 2).join('.'),
    );
    const detail = `dbt ${parsed.core} with ${adapters.join(', ')}`;
    if (mismatched.length > 0 && (!wanted || satisfiesRange(parsed.core ?? '', wanted))) {
      return {
        ...verdict,
        status: 'warn',
        detail: `${detail}: adapter minor versions differ from Core`,
        fix: {
          text: 'Install matching versions.',
          command: `pip install --upgrade dbt-core ${mismatched.map((a) => `dbt-${a.name}`).join(' ')}`,
        },
      };
    }
    return { ...verdict, detail };
  },
};
