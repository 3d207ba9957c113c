// The Kafka clients of the streaming week: the Python client and Redpanda's rpk.
// - kafka-python: dez-2026's workshop wants >= 2.3 (its pyproject.toml). The 2022 course pinned 1.4.6,
//   which fails on Python 3.12+ ("No module named kafka.vendor.six.moves"); the course FAQ's fix is the
//   kafka-python-ng fork (the same `import kafka`), which is what a week without a range is told to install.
// - rpk: optional (the Redpanda container has it). Install steps from docs.redpanda.com, "Install or
//   Update rpk" (25.3): the release zip into ~/.local/bin on Linux, Homebrew's redpanda-data/tap on macOS.
import { platformFacts } from '../platform.js';
import type { Fix, Probe, ProbeContext, ProbeResult } from '../types.js';
import { describeRange, extractVersion, satisfiesRange } from '../versions.js';
import { rangeOf, versionVerdict } from './tool.js';

/** Both distributions' versions from package metadata (no import of kafka itself), one per line. */
const KAFKA_METADATA = [
  'import importlib.metadata as m',
  "for name in ('kafka-python', 'kafka-python-ng'):",
  '    try: print(name, m.version(name))',
  '    except m.PackageNotFoundError: pass',
].join('\n');

/** The python3 version (python on Windows), as the other probes read it. */
async function pythonVersion(ctx: ProbeContext, command: string): Promise<string | undefined> {
  return ctx.once('python-version', async () => {
    const run = await ctx.exec(command, ['--version']);
    return run.exitCode === 0 ? extractVersion(`${run.stdout}\n${run.stderr}`) : undefined;
  });
}

function kafkaFix(ctx: ProbeContext, python: string | undefined): Fix {
  const range = rangeOf(ctx, 'kafka-python');
  if (range) {
    const spec = `"kafka-python${range.replace(/\s+/g, ',')}"`;
    return {
      text: `Install kafka-python ${describeRange(range)} in the project (uv add, or pip in its virtualenv).`,
      command: `uv add ${spec}`,
    };
  }
  const newPython = python !== undefined && satisfiesRange(python, '>=3.12');
  return {
    text: `Install kafka-python-ng, the fork the course FAQ recommends (the same \`import kafka\`)${newPython ? `: the course's kafka-python==1.4.6 fails on Python ${python}` : ''}; in your virtualenv.`,
    command: 'pip install kafka-python-ng',
  };
}

export const kafkaPython: Probe = {
  id: 'kafka-python',
  title: 'kafka-python',
  group: 'Tools',
  tools: ['kafka-python'],
  checks:
    "the Python Kafka client for python3: kafka-python in the syllabus's range, or kafka-python-ng where the course's 1.4.6 pin fails (Python 3.12+)",
  async run(ctx): Promise<ProbeResult> {
    const command = ctx.platform === 'win32' ? 'python' : 'python3';
    const [run, python] = await Promise.all([ctx.exec(command, ['-c', KAFKA_METADATA]), pythonVersion(ctx, command)]);
    const fix = kafkaFix(ctx, python);
    if (run.notFound) return { status: 'fail', detail: `\`${command}\` is not on PATH`, fix };
    const found = new Map(
      run.stdout
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter((parts): parts is [string, string] => parts.length === 2),
    );
    const ng = found.get('kafka-python-ng');
    const classic = found.get('kafka-python');
    const range = rangeOf(ctx, 'kafka-python');
    if (classic === undefined && ng === undefined)
      return { status: 'fail', wanted: range, detail: `neither kafka-python nor kafka-python-ng for ${command}`, fix };
    // The fork answers a week without a range (the 2022 course's advice); a range is for kafka-python itself.
    if (classic === undefined || (ng !== undefined && !range))
      return range
        ? { status: 'fail', wanted: range, detail: `kafka-python-ng ${ng!}, but the course wants kafka-python`, fix }
        : { status: 'ok', version: ng, detail: `kafka-python-ng ${ng!}` };
    // kafka-python before 2.0.3 cannot be imported on Python 3.12+ (its vendored six).
    if (!range && python !== undefined && satisfiesRange(python, '>=3.12') && satisfiesRange(classic, '<2.0.3'))
      return {
        status: 'fail',
        version: classic,
        detail: `kafka-python ${classic} cannot be imported on Python ${python} (No module named kafka.vendor.six.moves)`,
        fix,
      };
    const verdict = versionVerdict(ctx, 'kafka-python', classic, 'kafka-python', fix);
    return { ...verdict, detail: `kafka-python ${verdict.detail}` };
  },
};

async function rpkFix(ctx: ProbeContext): Promise<Fix> {
  const facts = await platformFacts(ctx);
  const why =
    "Optional: install Redpanda's rpk to manage topics from your machine (or run it in the Redpanda container: docker exec <redpanda container> rpk topic list)";
  if (facts.os === 'macos')
    return facts.brew
      ? { text: why, command: 'brew install redpanda-data/tap/redpanda' }
      : { text: `${why}; the rpk-darwin zip from github.com/redpanda-data/redpanda/releases` };
  if (facts.os === 'linux') {
    const zip = `rpk-linux-${facts.arm64 ? 'arm64' : 'amd64'}.zip`;
    return {
      text: `${why}; then put ~/.local/bin on PATH`,
      command: `curl -LO https://github.com/redpanda-data/redpanda/releases/latest/download/${zip} && mkdir -p ~/.local/bin && unzip -o ${zip} -d ~/.local/bin/`,
    };
  }
  return { text: `${why} (in WSL on Windows)` };
}

export const rpk: Probe = {
  id: 'rpk',
  title: 'rpk',
  group: 'Tools',
  tools: ['rpk'],
  checks: "Redpanda's rpk CLI (optional: the Redpanda container has it)",
  async run(ctx): Promise<ProbeResult> {
    const run = await ctx.exec('rpk', ['--version']);
    if (run.notFound) return { status: 'fail', detail: '`rpk` is not on PATH', fix: await rpkFix(ctx) };
    const version = extractVersion(`${run.stdout}\n${run.stderr}`);
    if (version === undefined && run.exitCode !== 0)
      return {
        status: 'fail',
        detail: `\`rpk\` fails: ${run.stderr.trim().split('\n')[0] ?? ''}`,
        fix: await rpkFix(ctx),
      };
    return versionVerdict(ctx, 'rpk', version, '`rpk`', await rpkFix(ctx));
  },
};
