// Reads a syllabus file into a Course, or throws one DecError that lists every problem at once,
// each as file:line:column, the path (weeks[2].topics[4].duration), what was expected and, for an
// unknown key, the nearest known one. Loaded only when the compiled-syllabus cache misses.
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { DecError } from '../errors.js';
import { nearest } from '../util/nearest.js';
import { toCourse, topicId, type Course } from './course.js';
import { MAX_ALIAS_COUNT, MAX_SYLLABUS_BYTES } from './limits.js';
import { DEFAULT_VARIANT, dependencyConditions, syllabusSchema, type SyllabusInput } from './schema.js';

type PathSegment = string | number;

interface SyllabusProblem {
  line: number;
  column: number;
  path: string;
  message: string;
  /** For a misspelt key: the path of the key it stands for, whose "missing" report it explains. */
  standsFor?: string;
}

function formatPath(path: readonly PathSegment[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    return text === '' ? segment : `${text}.${segment}`;
  }, '');
}

function syllabusError(file: string, problems: SyllabusProblem[]): DecError {
  const sorted = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  return new DecError(`The syllabus ${file} has ${count}:`, {
    details: sorted.map((p) => `  ${file}:${p.line}:${p.column}  ${p.path ? `${p.path}: ` : ''}${p.message}`),
    hint: 'Fix the lines above; editors that read syllabus/schema.json (yaml-language-server) show them as you type.',
  });
}

/** Line and column (1-based) of a byte offset in the raw bytes, for encoding errors. */
function positionOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // The column counts characters (UTF-16 units, as editors and the YAML positions do), not bytes; the
  // bytes before `offset` are valid UTF-8.
  return { line, column: new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1 };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  // Narrow down with the fatal decoder: cheap, and only run when decoding already failed. A fresh
  // decoder per probe: a streaming decoder carries an unfinished character over to the next call.
  let low = 0;
  let high = bytes.length;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, middle), { stream: true });
      low = middle;
    } catch {
      high = middle;
    }
  }
  // The first `low` bytes decode, but may end inside a character the next byte breaks (a Latin-1 "é"
  // followed by a newline): then the bad byte is that character's first byte.
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, low));
  } catch {
    while (low > 0 && (bytes[low - 1]! & 0xc0) === 0x80) low--;
    low--;
  }
  return low;
}

function decodeSyllabus(bytes: Uint8Array, file: string): string {
  if (bytes.length > MAX_SYLLABUS_BYTES) {
    throw new DecError(
      `The syllabus ${file} is ${(bytes.length / 1024 / 1024).toFixed(1)} MiB; a syllabus is at most 1 MiB.`,
      { hint: 'Is --syllabus (or DEC_SYLLABUS) pointing at the right file?' },
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const { line, column } = positionOfByte(bytes, firstInvalidUtf8(bytes));
    throw new DecError(`The syllabus ${file}:${line}:${column} is not UTF-8 text.`, {
      hint: 'Save the file as UTF-8 (in VS Code: "Save with Encoding" → UTF-8).',
    });
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** The zod schema that validates the value at `path`, to list the keys known there. */
function schemaAt(path: readonly PathSegment[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = syllabusSchema;
  for (const segment of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject && typeof segment === 'string') schema = schema.shape[segment] as z.ZodType;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return undefined;
  }
  return unwrap(schema);
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
  return current;
}

function knownKeys(path: readonly PathSegment[]): string[] {
  const schema = schemaAt(path);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  private at(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Position of the value at `path`, or of its nearest existing parent. */
  value(path: readonly PathSegment[]): { line: number; column: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return this.at(node.range[0]);
    }
    return { line: 1, column: 1 };
  }

  /** Position of a key inside the mapping at `path`. */
  key(path: readonly PathSegment[], key: string): { line: number; column: number } {
    const map = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (isMap(map)) {
      for (const pair of map.items) {
        if (isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) return this.at(pair.key.range[0]);
      }
    }
    return this.value(path);
  }
}

function issueProblems(issue: z.core.$ZodIssue, locate: Locator): SyllabusProblem[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const keys = knownKeys(path);
    return issue.keys.map((key) => {
      const suggestion = nearest(key, keys);
      const known = keys.length > 0 ? ` (known keys: ${keys.join(', ')})` : '';
      return {
        ...locate.key(path, key),
        path: formatPath([...path, key]),
        standsFor: suggestion === undefined ? undefined : formatPath([...path, suggestion]),
        message: suggestion ? `unknown key "${key}"; did you mean "${suggestion}"?` : `unknown key "${key}"${known}`,
      };
    });
  }
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    message =
      issue.input === undefined
        ? `missing; expected ${issue.expected}`
        : `expected ${issue.expected}, got ${describeValue(issue.input)}`;
  } else if (issue.code === 'invalid_value') {
    const options = issue.values.map((value) => String(value));
    const suggestion = typeof issue.input === 'string' ? nearest(issue.input, options) : undefined;
    message = `expected one of ${options.join(', ')}, got ${describeValue(issue.input)}`;
    if (suggestion) message += `; did you mean "${suggestion}"?`;
  } else if ('input' in issue && issue.input !== undefined && issue.code !== 'too_small' && issue.code !== 'too_big') {
    message = `${message}, got ${describeValue(issue.input)}`;
  }
  return [{ ...locate.value(path), path: formatPath(path), message }];
}

/** Checks a valid-shaped syllabus for what a schema cannot say: uniqueness and references. */
function crossCheck(syllabus: SyllabusInput, locate: Locator): SyllabusProblem[] {
  const problems: SyllabusProblem[] = [];
  const add = (path: PathSegment[], message: string) =>
    problems.push({ ...locate.value(path), path: formatPath(path), message });

  const weekOfNumber = new Map<number, number>();
  const weekOfId = new Map<string, number>();
  const datasets = Object.keys(syllabus.datasets ?? {});
  syllabus.weeks.forEach((week, w) => {
    const last = week.through ?? week.number;
    if (last < week.number) add(['weeks', w, 'through'], `must not be below number ${week.number}`);
    for (let n = week.number; n <= last; n++) {
      const other = weekOfNumber.get(n);
      if (other !== undefined)
        add(['weeks', w, 'number'], `week ${n} is already taken by weeks[${other}]; week numbers must be unique`);
      else weekOfNumber.set(n, w);
    }
    for (const name of [week.id, week.module].filter((x): x is string => x !== undefined)) {
      const other = weekOfId.get(name);
      if (other !== undefined && other !== w)
        add(
          ['weeks', w, name === week.id ? 'id' : 'module'],
          `"${name}" is already used by weeks[${other}]; ids must be unique`,
        );
      else weekOfId.set(name, w);
    }
    const sections = (week.sections ?? []).map((section) => section.title);
    const topicIds = new Map<string, number>();
    week.topics.forEach((topic, t) => {
      const id = topicId(topic);
      const other = topicIds.get(id);
      if (other !== undefined) {
        add(
          ['weeks', w, 'topics', t],
          `topic id "${id}" is already used by topics[${other}]; give one of them an explicit "id"`,
        );
      } else topicIds.set(id, t);
      if (topic.section !== undefined && !sections.includes(topic.section)) {
        const suggestion = nearest(topic.section, sections);
        add(
          ['weeks', w, 'topics', t, 'section'],
          `no section "${topic.section}" in this week${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        );
      }
    });
    const questionIds = new Set<string>();
    (week.homework?.questions ?? []).forEach((question, q) => {
      const at: PathSegment[] = ['weeks', w, 'homework', 'questions', q];
      if (questionIds.has(question.id))
        add([...at, 'id'], `question id "${question.id}" is used twice in this homework`);
      questionIds.add(question.id);
      if (question.kind === 'choice' && !question.options)
        add([...at, 'options'], 'a choice question needs its options');
      if (question.kind !== 'choice' && question.options)
        add([...at, 'options'], `options only make sense for kind choice, not ${question.kind}`);
      if (question.expected !== undefined && !question.optional && !question.practice)
        add([...at, 'expected'], 'only optional or practice questions may carry their answer');
      if (question.practice && (question.points ?? 0) > 0)
        add([...at, 'points'], "a practice question is dec's own and worth no points; leave points out");
      if (question.ownOptions && !question.options)
        add([...at, 'ownOptions'], 'ownOptions labels the options, so the question needs options');
    });
    const stack = week.setup?.stack;
    if (stack !== undefined && !Object.hasOwn(syllabus.stacks ?? {}, stack)) {
      const suggestion = nearest(stack, Object.keys(syllabus.stacks ?? {}));
      add(
        ['weeks', w, 'setup', 'stack'],
        `no stack "${stack}" under the top-level "stacks"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      );
    }
    for (const [name, variant] of Object.entries(week.setup?.variants ?? {})) {
      const where: PathSegment[] = ['weeks', w, 'setup', 'variants', name, 'stack'];
      if (name === DEFAULT_VARIANT)
        add(
          ['weeks', w, 'setup', 'variants', name],
          `"${DEFAULT_VARIANT}" names the week's own stack; give the variant another name`,
        );
      else if (stack === undefined)
        add(where, 'a variant is another way to set up the week: give the week its own `stack` too');
      else if (variant.stack === stack) add(where, `${stack} is the week's own stack; a variant names another one`);
      else if (!Object.hasOwn(syllabus.stacks ?? {}, variant.stack)) {
        const suggestion = nearest(variant.stack, Object.keys(syllabus.stacks ?? {}));
        add(
          where,
          `no stack "${variant.stack}" under the top-level "stacks"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        );
      }
    }
    (week.datasets ?? []).forEach((use, d) => {
      if (!datasets.includes(use.dataset)) {
        const suggestion = nearest(use.dataset, datasets);
        add(
          ['weeks', w, 'datasets', d, 'dataset'],
          `unknown dataset "${use.dataset}"${suggestion ? `; did you mean "${suggestion}"?` : ''} (define it under the top-level "datasets")`,
        );
      }
    });
  });
  for (const [name, stack] of Object.entries(syllabus.stacks ?? {})) {
    const services = Object.keys(stack.services);
    if (stack.tool && stack.services[stack.tool.service]?.optional)
      add(
        ['stacks', name, 'tool', 'service'],
        `${stack.tool.service} is optional (started only with --with); the tool's service must always be there`,
      );
    if (stack.tool && !services.includes(stack.tool.service))
      add(
        ['stacks', name, 'tool', 'service'],
        `no service "${stack.tool.service}" in stack ${name} (services: ${services.join(', ')})`,
      );
    if (
      stack.database &&
      (stack.database.stack === name || !Object.hasOwn(syllabus.stacks ?? {}, stack.database.stack))
    )
      add(
        ['stacks', name, 'database', 'stack'],
        `no other stack "${stack.database.stack}" under the top-level "stacks"`,
      );
    (stack.database?.sources ?? []).forEach((source, s) => {
      if (!datasets.includes(source.dataset))
        add(
          ['stacks', name, 'database', 'sources', s, 'dataset'],
          `unknown dataset "${source.dataset}" (define it under the top-level "datasets")`,
        );
    });
    for (const [service, spec] of Object.entries(stack.services)) {
      for (const [dependency, condition] of Object.entries(dependencyConditions(spec.dependsOn))) {
        const where = ['stacks', name, 'services', service, 'dependsOn'];
        const other = stack.services[dependency];
        if (!other || !services.includes(dependency)) {
          add(where, `no service "${dependency}" in stack ${name} (services: ${services.join(', ')})`);
        } else if (condition === 'healthy' && !other.healthcheck) {
          add([...where, dependency], `"healthy" needs a healthcheck on ${dependency}, and it has none`);
        } else if (condition === 'completed' && !other.job) {
          add([...where, dependency], `"completed" is for a job (job: true), and ${dependency} is a service`);
        }
        if (other?.optional && !spec.optional)
          add(
            [...where, dependency],
            `${dependency} is optional (started only with --with ${dependency}), so ${service}, which always starts, cannot depend on it`,
          );
      }
      (spec.networks ?? []).forEach((joined, n) => {
        if (joined.stack === name || !Object.hasOwn(syllabus.stacks ?? {}, joined.stack))
          add(
            ['stacks', name, 'services', service, 'networks', n, 'stack'],
            joined.stack === name
              ? "a service is always on its own stack's network; name another stack"
              : `no stack "${joined.stack}" under the top-level "stacks"`,
          );
      });
      if (spec.job && spec.restart !== undefined && spec.restart !== 'no') {
        add(['stacks', name, 'services', service, 'restart'], 'a job runs once: its restart policy can only be "no"');
      }
      const httpPort = spec.ready && 'http' in spec.ready ? spec.ready.http.port : undefined;
      if (httpPort !== undefined && !(spec.ports ?? []).some((p) => p.container === httpPort)) {
        add(
          ['stacks', name, 'services', service, 'ready', 'http', 'port'],
          `port ${httpPort} is not one of the service's published container ports`,
        );
      }
      const spark = spec.ready && 'sparkWorkers' in spec.ready ? spec.ready.sparkWorkers : undefined;
      if (spark && !(stack.services[spark.master]?.ports ?? []).some((p) => p.container === spark.port)) {
        add(
          ['stacks', name, 'services', service, 'ready', 'sparkWorkers'],
          `the master ${spark.master} must be a service of stack ${name} that publishes container port ${spark.port}`,
        );
      }
      if (spec.ready && !spark && !(spec.ports ?? []).length) {
        add(
          ['stacks', name, 'services', service, 'ready'],
          'readiness is checked from the host, so the service must publish a port',
        );
      }
    }
  }
  return problems;
}

export function parseSyllabus(bytes: Uint8Array, file: string): Course {
  const text = decodeSyllabus(bytes, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  if (doc.errors.length > 0) {
    throw syllabusError(
      file,
      doc.errors.map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        const message =
          error.code === 'DUPLICATE_KEY'
            ? 'duplicate key; each key may appear once in a mapping'
            : (error.message.split('\n')[0] ?? error.message);
        return { line, column: col, path: '', message };
      }),
    );
  }
  if (doc.contents === null) {
    throw new DecError(`The syllabus ${file} is empty.`, {
      hint: `Start from the default one: ${'syllabus/dez-2022.yaml'} in the dec package.`,
    });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new DecError(`The syllabus ${file} expands its YAML aliases too many times (limit ${MAX_ALIAS_COUNT}).`, {
      hint: 'Use fewer aliases (*name); a syllabus needs at most a handful.',
      cause: error,
    });
  }
  const locate = new Locator(doc, lines);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw syllabusError(file, [
      {
        line: 1,
        column: 1,
        path: '',
        message: `expected a mapping with schemaVersion, id, title and weeks, got ${describeValue(data)}`,
      },
    ]);
  }
  const result = syllabusSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => issueProblems(issue, locate));
    // "titel: unknown key, did you mean title?" already explains why "title" is missing: say it once.
    const explained = new Set(problems.map((problem) => problem.standsFor));
    throw syllabusError(
      file,
      problems.filter((problem) => !(explained.has(problem.path) && problem.message.startsWith('missing'))),
    );
  }
  const problems = crossCheck(result.data, locate);
  if (problems.length > 0) throw syllabusError(file, problems);
  return toCourse(result.data);
}
