// Homework text: placeholders, dotfile names, the questions block, the answers file, due dates.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkForm, countAnswered } from '../../src/homework/check.js';
import {
  answersYaml,
  dueDate,
  questionsMarkdown,
  renderTemplate,
  targetName,
  type TemplateValues,
} from '../../src/homework/render.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';

const course = parseSyllabus(readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url)), 'dez-2022.yaml');
const week1 = findWeek(course, '1');
const values = Object.fromEntries(
  ['student', 'week', 'week_title', 'cohort', 'due', 'gcp_project', 'region', 'dataset_urls', 'questions'].map((k) => [
    k,
    `<${k}>`,
  ]),
) as TemplateValues;

describe('renderTemplate', () => {
  it('fills named placeholders and leaves unknown ones', () => {
    expect(renderTemplate('{{student}} / {{week}} / {{nope}}', values)).toBe('<student> / <week> / {{nope}}');
  });
  it('turns {{{{ and }}}} into literal Jinja braces', () => {
    expect(renderTemplate("select * from {{{{ ref('stg') }}}} -- {{week}}", values)).toBe(
      "select * from {{ ref('stg') }} -- <week>",
    );
  });
  it('restores dotfiles stored as _name', () => {
    expect(targetName('terraform/_gitignore')).toBe('terraform/.gitignore');
    expect(targetName('README.md')).toBe('README.md');
  });
});

describe('questions and answers', () => {
  const questions = week1.homework!.questions!;
  it('the README block has every question and a slot for the SQL or command used', () => {
    const block = questionsMarkdown(questions);
    for (const q of questions) expect(block).toContain(q.question);
    expect(block).toContain('```sql');
    expect(block).toContain('```shell');
  });
  it('the answers file parses back to empty answers, counted as unanswered', async () => {
    const text = answersYaml(week1, questions);
    const { parse } = await import('yaml');
    const data = parse(text) as Record<string, { answer: unknown }>;
    expect(Object.keys(data)).toEqual(questions.map((q) => q.id));
    expect(countAnswered(text, questions)).toBe(0);
    expect(countAnswered(text.replace('q1:\n  answer:', 'q1:\n  answer: "Google Cloud SDK 528.0.0"'), questions)).toBe(
      1,
    );
    // The practice question, answered, is not counted: `homework check` never counts it either.
    expect(countAnswered(text.replace('practice:\n  answer:', 'practice:\n  answer: 265'), questions)).toBe(0);
  });
  it('checks form by kind', () => {
    const choice = { id: 'q1', kind: 'choice' as const, question: 'Q', options: ['Daily', 'Weekly'] };
    expect(checkForm(choice, { answer: 'weekly', sql: '', command: '' }).status).toBe('pass');
    expect(checkForm(choice, { answer: 'Hourly', sql: '', command: '' }).detail).toContain('a) Daily | b) Weekly');
    expect(
      checkForm({ id: 'n', kind: 'number', question: 'Q' }, { answer: '1,234', sql: '', command: '' }).status,
    ).toBe('pass');
    expect(checkForm({ id: 'n', kind: 'number', question: 'Q' }, { answer: 'many', sql: '', command: '' }).status).toBe(
      'fail',
    );
    expect(checkForm({ id: 'u', kind: 'url', question: 'Q' }, { answer: 'ftp://x', sql: '', command: '' }).status).toBe(
      'fail',
    );
    expect(checkForm({ id: 's', kind: 'sql', question: 'Q' }, { answer: '42', sql: '', command: '' }).detail).toContain(
      'query you used',
    );
    expect(checkForm({ id: 'o', kind: 'text', question: 'Q', optional: true }, undefined).status).toBe('skipped');
    expect(checkForm({ id: 'r', kind: 'text', question: 'Q' }, undefined).status).toBe('unanswered');
  });
});

describe('dueDate', () => {
  it("is the cohort's date outside a workspace, and as far from the student's start inside one", () => {
    expect(dueDate(course, week1, undefined)).toBe('2022-01-26');
    expect(dueDate(course, week1, '2026-01-12')).toBe('2026-01-21');
  });
});
