// `tool:` and `database:` of a stack (issue 13): what the built-in syllabus declares for dec run (week 4's
// dbt, week 6's Kafka CLIs from the broker's image), and the validator's word on a tool service or a
// database stack that does not exist.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DecError } from '../../src/errors.js';
import { parseSyllabus } from '../../src/syllabus/parse.js';

const BUILT_IN = readFileSync(new URL('../../syllabus/dez-2022.yaml', import.meta.url));
const RUN_FIXTURE = readFileSync(new URL('../fixtures/syllabi/run-stack.yaml', import.meta.url), 'utf8');

function problems(text: string): string {
  try {
    parseSyllabus(Buffer.from(text), 'run-stack.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(DecError);
    return [(error as DecError).message, ...((error as DecError).details ?? [])].join('\n');
  }
  throw new Error('expected the syllabus to be refused');
}

describe('the tools of dez-2022', () => {
  const course = parseSyllabus(BUILT_IN, 'dez-2022.yaml');
  it('week 4 runs dbt, week 6 the Kafka CLIs of the broker image on kafka-network', () => {
    expect(course.stacks.week4!.tool?.service).toBe('dbt');
    expect(course.stacks.week6!.tool).toEqual({
      service: 'broker',
      example: 'kafka-topics --bootstrap-server broker:29092 --list',
    });
    expect(course.stacks.week6!.next!.join('\n')).toContain('dec run week6 kafka-topics');
  });
});

describe('the validator', () => {
  it('refuses a tool service the stack does not have, with the ones it has', () => {
    const text = RUN_FIXTURE.replace('      service: tool\n', '      service: tools\n');
    expect(problems(text)).toContain('no service "tools" in stack week1 (services: tool)');
  });

  it('refuses a database in a stack that does not exist', () => {
    const text = RUN_FIXTURE.replace(
      '    services:\n      tool:',
      '    database: { stack: week9, name: production }\n    services:\n      tool:',
    );
    expect(problems(text)).toContain('no other stack "week9"');
  });
});
