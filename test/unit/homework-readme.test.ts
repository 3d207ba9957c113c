// The README's answer slots: filled from answers.yaml, and nothing outside them ever changes.
import { describe, expect, it } from 'vitest';
import type { Answer } from '../../src/homework/check.js';
import { answerSlot, syncReadmeAnswers } from '../../src/homework/readme-answers.js';
import { questionsMarkdown } from '../../src/homework/render.js';
import type { Question } from '../../src/syllabus/schema.js';

const questions = [
  { id: 'q1', kind: 'text', question: 'Which version?' },
  { id: 'q3', kind: 'sql', question: 'How many trips on January 15?' },
  { id: 'q7', kind: 'command', question: 'What did terraform apply print?' },
] as Question[];

const answer = (text: string, sql = '', command = ''): Answer => ({ answer: text, sql, command });

/** A README as dec homework init writes it, with the student's own text around the questions. */
function studentReadme(): string {
  return [
    '# Week 1 homework',
    '',
    'My notes: I used **pgcli**. <!-- my own comment -->',
    '',
    '## Questions',
    '',
    questionsMarkdown(questions),
    '',
    '## Reflections',
    '',
    'Docker on WSL was slow; ```fences``` of my own stay.',
    '',
  ].join('\n');
}

/** The text outside the slots: what must never change. */
const outside = (text: string) => text.replace(/<!-- dec:answer (\S+)[^]*?<!-- \/dec:answer \1 -->/g, '<slot $1>');

describe('syncReadmeAnswers', () => {
  it('fills each slot from answers.yaml and leaves every other byte as the student wrote it', () => {
    const readme = studentReadme();
    const synced = syncReadmeAnswers(readme, questions, {
      q1: answer('Docker 24.0.7'),
      q3: answer(
        '53024',
        "select count(1)\nfrom yellow_taxi_trips\nwhere date(tpep_pickup_datetime) = '2021-01-15';\n",
      ),
      q7: answer('Plan: 2 to add', '', 'terraform apply -auto-approve'),
    });
    expect(synced.slots).toEqual(['q1', 'q3', 'q7']);
    expect(synced.changed).toEqual(['q1', 'q3', 'q7']);
    expect(outside(synced.text)).toBe(outside(readme));
    expect(synced.text).toContain('**Answer:** Docker 24.0.7');
    expect(synced.text).toContain(
      "**Answer:** 53024\n\nQuery used:\n\n```sql\nselect count(1)\nfrom yellow_taxi_trips\nwhere date(tpep_pickup_datetime) = '2021-01-15';\n```\n",
    );
    expect(synced.text).toContain('Command used:\n\n```shell\nterraform apply -auto-approve\n```');
    // In step: a second run changes nothing.
    const again = syncReadmeAnswers(synced.text, questions, {
      q1: answer('Docker 24.0.7'),
      q3: answer(
        '53024',
        "select count(1)\nfrom yellow_taxi_trips\nwhere date(tpep_pickup_datetime) = '2021-01-15';\n",
      ),
      q7: answer('Plan: 2 to add', '', 'terraform apply -auto-approve'),
    });
    expect(again.changed).toEqual([]);
    expect(again.text).toBe(synced.text);
  });

  it('a new README is already in step with empty answers', () => {
    const synced = syncReadmeAnswers(studentReadme(), questions, {});
    expect(synced.changed).toEqual([]);
  });

  it('an answer removed from answers.yaml empties its slot', () => {
    const filled = syncReadmeAnswers(studentReadme(), questions, { q1: answer('Docker 24.0.7') }).text;
    const emptied = syncReadmeAnswers(filled, questions, {});
    expect(emptied.changed).toEqual(['q1']);
    expect(emptied.text).toBe(studentReadme());
  });

  it('leaves a README without slots alone, and slots of unknown questions too', () => {
    const plain = '# Homework\n\n**Answer:** my own text\n';
    expect(syncReadmeAnswers(plain, questions, { q1: answer('x') })).toEqual({
      text: plain,
      slots: [],
      changed: [],
      edited: [],
    });
    const foreign = `${answerSlot({ id: 'q9', kind: 'text', question: '?' } as Question)}\n`;
    expect(syncReadmeAnswers(foreign, questions, { q9: answer('x') }).text).toBe(foreign);
  });

  it('never overwrites a slot the student edited by hand: it is reported instead', () => {
    const filled = syncReadmeAnswers(studentReadme(), questions, { q1: answer('Docker 24.0.7') }).text;
    const byHand = filled.replace('**Answer:** Docker 24.0.7', '**Answer:** Docker 25, typed in the README');
    const synced = syncReadmeAnswers(byHand, questions, { q1: answer('Docker 24.0.7'), q3: answer('7') });
    expect(synced.edited).toEqual(['q1']);
    expect(synced.changed).toEqual(['q3']);
    expect(synced.text).toContain('Docker 25, typed in the README');
    // A slot the student added by hand: filled when empty, left alone when it holds text.
    const added =
      '# Mine\n\n<!-- dec:answer q1 -->\n<!-- /dec:answer q1 -->\n\n<!-- dec:answer q3 -->\nmy text\n<!-- /dec:answer q3 -->\n';
    const own = syncReadmeAnswers(added, questions, { q1: answer('x'), q3: answer('7') });
    expect(own.changed).toEqual(['q1']);
    expect(own.edited).toEqual(['q3']);
    expect(own.text).toContain('**Answer:** x');
    expect(own.text).toContain('<!-- dec:answer q3 -->\nmy text\n');
    // Once filled, dec's slot is dec's: the next answer replaces it.
    expect(syncReadmeAnswers(own.text, questions, { q1: answer('y') }).changed).toEqual(['q1']);
  });

  it('keeps Windows line endings, and a query with backticks cannot close its fence', () => {
    const readme = studentReadme().replace(/\n/g, '\r\n');
    const synced = syncReadmeAnswers(readme, questions, { q3: answer('1', 'select 1 -- ```not a fence```') });
    expect(synced.text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(synced.text).toContain('````sql\r\nselect 1 -- ```not a fence```\r\n````');
    expect(outside(synced.text)).toBe(outside(readme));
  });

  it('puts a multi-line answer on one line, and a slot marker inside an answer cannot end the slot early', () => {
    const synced = syncReadmeAnswers(studentReadme(), questions, {
      q1: answer('first line\nsecond   line <!-- /dec:answer q1 -->'),
    });
    expect(synced.text).toContain('**Answer:** first line second line &lt;!-- /dec:answer q1 -->\n');
    expect(syncReadmeAnswers(synced.text, questions, { q1: answer('x') }).slots).toEqual(['q1', 'q3', 'q7']);
  });
});
