// Reading versions out of what tools print. Pure functions, no I/O: the probes run the commands and pass the text.
import semver from 'semver';

/** A version's numeric core, x.y or x.y.z: "v2.24.5-desktop.1" → "2.24.5". */
const CORE = String.raw`(\d+\.\d+(?:\.\d+)?)`;

/** Splits text into lines, whatever the line endings. */
function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/**
 * The first version-looking token in `text` (x.y or x.y.z, with an optional leading "v"), without any
 * pre-release or build suffix: "Terraform v1.11.4\non linux_amd64" → "1.11.4", "psql (PostgreSQL) 15.18" → "15.18".
 * A token glued to a letter, digit or dot ("python3.11") does not count. Undefined when there is none.
 */
export function extractVersion(text: string): string | undefined {
  const match = new RegExp(String.raw`(?<![\w.])v?${CORE}`).exec(text);
  return match?.[1];
}

/**
 * The Java version from `java -version` (stderr) or `java --version` (stdout) output; pass both streams.
 * Handles the old "1.8.0_292" scheme (→ major 8, version "8.0.292"), "21", "22-ea", four-part "17.0.8.1"
 * (→ "17.0.8"), and ignores "Picked up JAVA_TOOL_OPTIONS" lines and vendor banners. `version` is always x.y.z.
 */
export function parseJavaVersion(text: string): { version: string; major: number } | undefined {
  // `java -version`: java version "1.8.0_292" / openjdk version "17.0.15" 2025-04-15 (the quotes are always there).
  const quoted = /\b(?:java|openjdk|jdk)\s+version\s+"([^"]+)"/i.exec(text);
  // `java --version`: "openjdk 17.0.1 2021-10-19" / "java 21.0.2 2024-01-16 LTS" at the start of a line. The token
  // must be followed by a date or the line's end, so "OpenJDK 64-Bit Server VM" never counts.
  const bare = /^\s*(?:java|openjdk)\s+(?:version\s+)?(\d[\w.+-]*)(?=\s+\d{4}-\d{2}-\d{2}|\s*$)/im.exec(text);
  const token = quoted?.[1] ?? bare?.[1];
  if (token === undefined) return undefined;
  const parts = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.\d+)*(?:_(\d+))?/.exec(token.trim());
  if (parts === null) return undefined;
  const [, first, second, third, update] = parts;
  const n = (value: string | undefined): number => (value === undefined ? 0 : Number.parseInt(value, 10));
  if (n(first) === 1 && second !== undefined) {
    // Java 8 and older: 1.<major>.<minor>_<update>.
    const major = n(second);
    return { version: `${major}.${n(third)}.${n(update)}`, major };
  }
  const major = n(first);
  return { version: `${major}.${n(second)}.${n(third)}`, major };
}

/**
 * Whether `version` satisfies the semver `range`, after coercing the version (loose): "1.11.4" and ">=1.0" → true,
 * "15.18" is read as 15.18.0. The range is read strictly, as the syllabus schema validates it: semver's loose range
 * mode misreads Terraform-style ">= 1.0, < 2.0" as "<2.0.0". An uncoercible version or an invalid or empty range
 * gives false.
 */
export function satisfiesRange(version: string, range: string): boolean {
  if (range.trim() === '' || semver.validRange(range) === null) return false;
  const coerced = semver.coerce(version, { loose: true });
  if (coerced === null) return false;
  try {
    return semver.satisfies(coerced, range);
  } catch {
    return false;
  }
}

/** No version the range allows reaches `version` (">=3.0.3 <3.3" ends below 3.3.0; ">=4.0.0 <5" does not). */
export function rangeEndsBelow(range: string, version: string): boolean {
  if (semver.validRange(range) === null) return false;
  return !semver.intersects(range, `>=${version}`);
}

/** The lowest version the range allows, as major.minor ("3.13"), when it has a lower bound above 0. */
export function lowestMinor(range: string): string | undefined {
  if (semver.validRange(range) === null) return undefined;
  const lowest = semver.minVersion(range);
  return lowest && lowest.major > 0 ? `${lowest.major}.${lowest.minor}` : undefined;
}

/**
 * A version range as a student reads it: ">=1.0 <2" is "1.0 or newer, below 2", "8.x || 11.x" is
 * "8 or 11". A range of another shape is given as it is.
 */
export function describeRange(range: string): string {
  const describeOne = (part: string): string | undefined => {
    const words = part.trim().split(/\s+/);
    if (words.length === 1 && /^\d+(\.\d+)*\.x$/.test(words[0]!)) return words[0]!.slice(0, -2);
    // Several bounds (two weeks' ranges joined: ">=3.13 >=3.12") read as the tightest of each.
    const lows = words.map((word) => /^>=(\d+(\.\d+)*)$/.exec(word)?.[1]);
    const highs = words.map((word) => /^<(\d+(\.\d+)*)$/.exec(word)?.[1]);
    if (words.some((_, i) => lows[i] === undefined && highs[i] === undefined)) return undefined;
    const order = (a: string, b: string) => semver.compare(semver.coerce(a)!, semver.coerce(b)!);
    const low = lows
      .filter((v): v is string => v !== undefined)
      .sort(order)
      .at(-1);
    const high = highs.filter((v): v is string => v !== undefined).sort(order)[0];
    if (!low) return undefined;
    return high ? `${low} or newer, below ${high}` : `${low} or newer`;
  };
  const parts = range.split('||').map(describeOne);
  return parts.every((part) => part !== undefined) ? parts.join(' or ') : range;
}

/**
 * The Compose version from `docker compose version` (v2: "Docker Compose version v2.24.5"),
 * `docker-compose version` (v1: "docker-compose version 1.29.2, build 5becea4c") or `--short` ("2.24.5").
 * Pre-release suffixes such as "-desktop.1" are dropped.
 */
export function parseComposeVersion(text: string): { version: string; major: number } | undefined {
  const match =
    new RegExp(String.raw`\bcompose\s+version\s*:?\s*v?${CORE}`, 'i').exec(text) ??
    new RegExp(String.raw`^\s*v?${CORE}(?:[-+][\w.+-]*)?\s*$`).exec(text);
  const version = match?.[1];
  if (version === undefined) return undefined;
  return { version, major: Number.parseInt(version, 10) };
}

/**
 * dbt Core's version and its adapters from `dbt --version`, for dbt ≥ 1.5 ("Core:\n  - installed: 1.7.4") and
 * 1.0–1.4 ("installed version: 1.0.1"); adapters are the "  - bigquery: 1.7.2 - Up to date!" lines under "Plugins:".
 * Versions are numeric cores ("1.8.0b1" → "1.8.0"). `core` is absent and `adapters` empty when nothing matches.
 */
export function parseDbtVersion(text: string): { core?: string; adapters: Array<{ name: string; version: string }> } {
  const result: { core?: string; adapters: Array<{ name: string; version: string }> } = { adapters: [] };
  let inPlugins = false;
  for (const line of lines(text)) {
    if (/^\s*plugins\s*:\s*$/i.test(line)) {
      inPlugins = true;
      continue;
    }
    if (/^\s*core\s*:\s*$/i.test(line)) {
      inPlugins = false;
      continue;
    }
    if (!inPlugins) {
      const core = new RegExp(String.raw`^\s*(?:-\s*)?installed(?:\s+version)?\s*:\s*v?${CORE}`, 'i').exec(line);
      if (core?.[1] !== undefined && result.core === undefined) result.core = core[1];
      continue;
    }
    const adapter = new RegExp(String.raw`^\s*-\s*([A-Za-z0-9_.-]+)\s*:\s*v?${CORE}`).exec(line);
    if (adapter?.[1] !== undefined && adapter[2] !== undefined) {
      result.adapters.push({ name: adapter[1], version: adapter[2] });
    }
  }
  return result;
}

/**
 * The Spark version from the `spark-submit --version` banner ("…/_/\_\   version 3.3.2", never the
 * "Using Scala version 2.12.15" line), from a `$SPARK_HOME/RELEASE` file ("Spark 3.0.3 (git revision …) built for
 * Hadoop 3.2.0"), from a jar name ("spark-core_2.12-3.3.2.jar") or from a distribution folder name
 * ("spark-3.3.2-bin-hadoop3"). Undefined when none of these is found.
 */
export function parseSparkVersion(text: string): string | undefined {
  for (const line of lines(text)) {
    if (/\b(?:scala|java|jdk|python)\b/i.test(line)) continue;
    const banner = new RegExp(String.raw`(?:^|\s)version\s+v?${CORE}`, 'i').exec(line);
    if (banner?.[1] !== undefined) return banner[1];
  }
  const patterns = [
    // RELEASE file.
    String.raw`^\s*Spark\s+v?${CORE}`,
    // Jar: spark-core_2.12-3.3.2.jar, spark-sql_2.13-3.5.1.jar, spark-assembly-1.6.0-hadoop2.6.0.jar.
    String.raw`\bspark-[a-z]+(?:-[a-z]+)*(?:_\d+\.\d+)?-${CORE}(?:[-.][\w.-]*)?\.jar\b`,
    // Distribution folder: spark-3.3.2-bin-hadoop3.
    String.raw`\bspark-${CORE}-bin\b`,
  ];
  for (const pattern of patterns) {
    const match = new RegExp(pattern, 'im').exec(text);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

/**
 * A minimal INI reader for gcloud's config files ("[core]\naccount = me@example.com"): sections of `key = value`
 * (or `key: value`) pairs, both trimmed. Whole-line comments (# or ;), blank lines and lines without a separator are
 * skipped; keys before any section go under "". Values are kept verbatim (gcloud has no inline comments); a key seen
 * twice keeps its last value. The objects have no prototype, so a key such as "__proto__" is stored as data.
 */
export function parseKeyValueIni(text: string): Record<string, Record<string, string>> {
  const result: Record<string, Record<string, string>> = Object.create(null) as Record<string, Record<string, string>>;
  const sectionOf = (name: string): Record<string, string> =>
    (result[name] ??= Object.create(null) as Record<string, string>);
  let section: string | undefined;
  for (const raw of lines(text.replace(/^\uFEFF/, ''))) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      section = header[1].trim();
      sectionOf(section);
      continue;
    }
    const separator = line.search(/[=:]/);
    if (separator <= 0) continue;
    const key = line.slice(0, separator).trim();
    if (key === '') continue;
    sectionOf(section ?? '')[key] = line.slice(separator + 1).trim();
  }
  return result;
}
