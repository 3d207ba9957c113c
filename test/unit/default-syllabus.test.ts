// The default syllabus (syllabus/dez-2022.yaml) must validate against the schema and cover every
// line of the original course outline.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDuration } from '../../src/syllabus/duration.js';
import { editDistance } from '../../src/util/nearest.js';
import { syllabusSchema, type SyllabusInput } from '../../src/syllabus/schema.js';

const syllabusPath = fileURLToPath(new URL('../../syllabus/dez-2022.yaml', import.meta.url));
const outlinePath = fileURLToPath(new URL('../../../shared/course/outline.txt', import.meta.url));

const syllabusText = readFileSync(syllabusPath, 'utf8');

function loadSyllabus(): SyllabusInput {
  const result = syllabusSchema.safeParse(parse(syllabusText));
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`syllabus/dez-2022.yaml does not match the schema:\n${issues.join('\n')}`);
  }
  return result.data;
}

/** Lowercase, letters and digits only, single spaces. */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

interface OutlineLine {
  raw: string;
  /** The line without markup, prefix, trailing duration and trailing remark. */
  text: string;
  duration?: string;
  remark?: string;
}

/** Reads the outline's content lines (the two header lines and blank lines are skipped). */
function readOutline(text: string): OutlineLine[] {
  return text
    .split(/\r?\n/)
    .slice(2)
    .filter((line) => line.trim() !== '')
    .map((raw) => {
      let line = raw.trim().replace(/^\*\*/, '');
      line = line.replace(/^(?:week\s+\d+|goal|instructor|duration)\s*:\s*/i, '');
      let remark: string | undefined;
      const remarkMatch = /\s+--\s+(.*)$/.exec(line);
      if (remarkMatch) {
        remark = remarkMatch[1]!.trim();
        line = line.slice(0, remarkMatch.index);
      }
      let duration: string | undefined;
      const durationMatch = /\s*\(([^()]*)\)\s*$/.exec(line);
      if (durationMatch && parseDuration(durationMatch[1]!) !== undefined) {
        duration = durationMatch[1]!.trim();
        line = line.slice(0, durationMatch.index);
      }
      return { raw, text: line.trim(), duration, remark };
    });
}

/** Every text of the syllabus an outline line may be found in. */
function syllabusTexts(syllabus: SyllabusInput): string[] {
  const texts: string[] = [...(syllabus.instructors ?? [])];
  for (const week of syllabus.weeks) {
    const numbers = [];
    for (let number = week.number; number <= (week.through ?? week.number); number++) numbers.push(number);
    texts.push(week.title, `week ${numbers.join(' ')} ${week.title}`);
    if (week.goal) texts.push(week.goal);
    if (week.instructor) texts.push(week.instructor);
    if (week.duration) texts.push(week.duration);
    for (const section of week.sections ?? []) {
      texts.push(section.title);
      if (section.duration) texts.push(section.duration);
    }
    for (const topic of week.topics) {
      texts.push(topic.title);
      if (topic.duration) texts.push(topic.duration);
      // `extra: true` is how the syllabus writes the outline's "Extra knowledge:" heading.
      if (topic.extra) texts.push('Extra knowledge');
    }
  }
  if (syllabus.upcoming) texts.push(syllabus.upcoming.title, ...syllabus.upcoming.items);
  return texts.map(normalise).filter((text) => text !== '');
}

function isCovered(line: string, candidates: string[]): boolean {
  return candidates.some(
    (candidate) => candidate.includes(line) || line.includes(candidate) || editDistance(candidate, line) <= 3,
  );
}

describe('default syllabus (dez-2022)', () => {
  it('starts with the yaml-language-server schema comment', () => {
    expect(syllabusText.split(/\r?\n/, 1)[0]).toBe('# yaml-language-server: $schema=./schema.json');
  });

  it('matches the syllabus schema', () => {
    const result = syllabusSchema.safeParse(parse(syllabusText));
    const issues = result.success
      ? ''
      : result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('\n');
    expect(result.success, issues).toBe(true);
  });

  it('refers only to sections and datasets it defines', () => {
    const syllabus = loadSyllabus();
    const datasets = new Set(Object.keys(syllabus.datasets ?? {}));
    const problems: string[] = [];
    for (const week of syllabus.weeks) {
      const sections = new Set((week.sections ?? []).map((section) => section.title));
      for (const topic of week.topics) {
        if (topic.section !== undefined && !sections.has(topic.section)) {
          problems.push(`${week.id}: topic "${topic.title}" names unknown section "${topic.section}"`);
        }
      }
      for (const use of week.datasets ?? []) {
        if (!datasets.has(use.dataset)) problems.push(`${week.id}: unknown dataset "${use.dataset}"`);
      }
    }
    expect(problems).toEqual([]);
  });
});

// The outline lives beside the project in ../shared (course material, not part of the package);
// CI always has it, so this only skips on a machine with the project alone.
describe.skipIf(!existsSync(outlinePath))('default syllabus covers the course outline', () => {
  const outline = () => readOutline(readFileSync(outlinePath, 'utf8'));

  it('has every outline line as a week, goal, instructor, section, topic or upcoming item', () => {
    const candidates = syllabusTexts(loadSyllabus());
    const missing = outline()
      .filter((line) => !isCovered(normalise(line.text), candidates))
      .map((line) => line.raw);
    expect(missing).toEqual([]);
  });

  it('keeps the durations exactly as the outline writes them, and its remarks as notes', () => {
    const syllabus = loadSyllabus();
    // Sections and topics: the places a line with a duration or a remark becomes.
    const items: Array<{ title: string; duration?: string; note?: string }> = syllabus.weeks.flatMap((week) => [
      ...(week.sections ?? []),
      ...week.topics,
    ]);
    const lost: string[] = [];
    for (const line of outline()) {
      if (line.duration === undefined && line.remark === undefined) continue;
      const text = normalise(line.text);
      const matches = items.filter((item) => isCovered(text, [normalise(item.title)]));
      if (line.duration !== undefined && !matches.some((item) => item.duration === line.duration)) {
        lost.push(`${line.raw}  (duration "${line.duration}")`);
      }
      const remark = line.remark === undefined ? undefined : normalise(line.remark);
      if (remark !== undefined && !matches.some((item) => normalise(item.note ?? '').includes(remark))) {
        lost.push(`${line.raw}  (note "${line.remark}")`);
      }
    }
    expect(lost).toEqual([]);
  });
});
