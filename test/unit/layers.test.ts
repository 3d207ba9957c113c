// The layering rules of src/README.md, checked on the sources: a rule that is only written down drifts.
// Type-only imports are allowed everywhere (they vanish at build time); runtime imports are what count.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

interface Edge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Runtime imports (static, dynamic and re-exports) of one file, as src-relative paths or package names. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  const statements = /^\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm;
  for (const match of text.matchAll(statements)) if (!match[1]) specifiers.push(match[2]!);
  for (const match of text.matchAll(/^\s*import\s+'([^']+)'/gm)) specifiers.push(match[1]!);
  for (const match of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) {
    // import('./x.js').Type in a type position is not a runtime import.
    const after = text.slice(match.index! + match[0].length, match.index! + match[0].length + 1);
    if (after !== '.') specifiers.push(match[1]!);
  }
  return specifiers.map((spec) =>
    spec.startsWith('.') ? relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts') : spec,
  );
}

const EDGES: Edge[] = sourceFiles(SRC).flatMap((file) =>
  runtimeImports(file).map((to) => ({ from: relative(SRC, file), to })),
);

function violations(rule: (edge: Edge) => boolean): string[] {
  return EDGES.filter(rule).map((edge) => `${edge.from} imports ${edge.to}`);
}

const top = (path: string) => path.split('/')[0]!;
const CORE = new Set([
  'syllabus',
  'progress',
  'workspace',
  'homework',
  'setup',
  'data',
  'doctor',
  'docker',
  'postgres',
]);
const FOUNDATION_FILES = new Set(['errors.ts', 'system-errors.ts', 'paths.ts', 'version.ts']);
const isFoundation = (path: string) => FOUNDATION_FILES.has(path) || top(path) === 'util';
/** Modules that do no I/O: anything may import them, output/ included. */
const PURE = [
  'progress/model.ts',
  'setup/plan.ts',
  'doctor/versions.ts',
  'syllabus/query.ts',
  'syllabus/duration.ts',
  'syllabus/course.ts',
];
const isLocal = (path: string) => path.endsWith('.ts');

describe('layers (src/README.md)', () => {
  it('the scan sees the sources', () => {
    expect(EDGES.length).toBeGreaterThan(100);
    expect(EDGES).toContainEqual({ from: 'main.ts', to: 'cli.ts' });
  });

  it('only main.ts imports cli.ts, and only cli.ts and the bundle entry import commands/', () => {
    expect(violations((e) => e.to === 'cli.ts' && e.from !== 'main.ts')).toEqual([]);
    expect(violations((e) => e.to === 'main.ts')).toEqual([]);
    expect(
      violations(
        (e) => top(e.to) === 'commands' && !['cli.ts', 'bundles'].includes(top(e.from)) && top(e.from) !== 'commands',
      ),
    ).toEqual([]);
  });

  it('the core never reaches up to the commands, the command context, the session or the prompts', () => {
    const above = (to: string) =>
      ['cli.ts', 'main.ts', 'command-context.ts', 'session.ts', 'output/prompt.ts'].includes(to) ||
      ['commands', 'bundles'].includes(top(to));
    expect(violations((e) => CORE.has(top(e.from)) && isLocal(e.to) && above(e.to))).toEqual([]);
  });

  it('the foundation imports nothing above it', () => {
    expect(violations((e) => isFoundation(e.from) && isLocal(e.to) && !isFoundation(e.to))).toEqual([]);
  });

  it('output/ formats: it imports the foundation and pure modules, nothing with effects', () => {
    expect(
      violations(
        (e) =>
          top(e.from) === 'output' &&
          isLocal(e.to) &&
          !isFoundation(e.to) &&
          top(e.to) !== 'output' &&
          !PURE.includes(e.to),
      ),
    ).toEqual([]);
  });

  it('pure modules do no I/O', () => {
    const io = /^(node:)?(fs|fs\/promises|net|tls|http|https|child_process|dgram)$|^(pg|dockerode|execa|undici)$/;
    expect(violations((e) => PURE.includes(e.from) && io.test(e.to))).toEqual([]);
  });
});
