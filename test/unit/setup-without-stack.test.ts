// dec setup for a week without a local stack: what it needs instead, read off the syllabus.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withoutStack } from '../../src/setup/without-stack.js';
import type { Course } from '../../src/syllabus/course.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';
import { findWeek } from '../../src/syllabus/query.js';

const course = (id: string): Course =>
  parseSyllabus(readFileSync(new URL(`../../syllabus/${id}.yaml`, import.meta.url)), `${id}.yaml`);

describe('withoutStack', () => {
  const dez2022 = course('dez-2022');

  it('week 3 (BigQuery): the doctor for its tools, week 1 Terraform for the cloud, its data and homework', () => {
    const advice = withoutStack(dez2022, findWeek(dez2022, '3'));
    expect(advice.message).toBe(
      'Week 3 has no local stack for dec to set up: Nothing local; BigQuery runs in the cloud (the week-2 Airflow stack can load GCS into it).',
    );
    const text = advice.details.join('\n');
    expect(text).toContain('tools:     gcloud, bq, docker-compose (optional)');
    expect(text).toContain('→ dec doctor --week 3');
    expect(text).toContain("from the Terraform of week 1's homework");
    expect(text).toContain('→ dec homework init 1, then terraform init && terraform apply in homework/week1/terraform');
    expect(text).toContain('→ dec data get fhv 2019-01  (one month to start)');
    expect(text).toContain('→ dec homework init 3');
    expect(text).toContain('Weeks with a local stack: week 1, week 2, week 4, week 5, week 6.');
    expect(advice.hint).toBe('Start with: dec doctor --week 3');
  });

  it('a week without cloud tools gets no Terraform line', () => {
    const advice = withoutStack(dez2022, findWeek(dez2022, '5'));
    expect(advice.details.join('\n')).not.toContain('Terraform');
    expect(advice.details.join('\n')).toContain('tools:     java, spark (optional), python');
  });

  it('follows the syllabus: the stacks it lists and the tools it names are those of the course given', () => {
    const edited: Course = structuredClone(dez2022);
    const week3 = edited.weeks.find((w) => w.number === 3)!;
    week3.tools = [{ id: 'psql' }];
    week3.datasets = [];
    delete edited.stacks.week6;
    const text = withoutStack(edited, week3).details.join('\n');
    expect(text).toContain('tools:     psql');
    expect(text).not.toContain('cloud:');
    expect(text).not.toContain('data:');
    expect(text).toContain('Weeks with a local stack: week 1, week 2, week 4, week 5.');
  });

  it('dez-2026 module 6 (local pyspark) names its one month without "one month to start"', () => {
    const dez2026 = course('dez-2026');
    const text = withoutStack(dez2026, findWeek(dez2026, 'module-6')).details.join('\n');
    expect(text).toContain('→ dec data get yellow 2025-11\n');
    expect(text).toContain('→ dec doctor --week 6');
  });
});
