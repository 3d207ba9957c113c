// The one source of truth for the syllabus format: the TypeScript types, the validator and
// syllabus/schema.json (for editors) are all derived from the zod schemas below.
import { z } from 'zod';
import semver from 'semver';
import { parseDuration } from './duration.js';

const SYLLABUS_SCHEMA_VERSION = 1;

/** Tool ids the doctor knows how to probe. A typo here gets "did you mean" from the validator. */
const TOOL_IDS = [
  'docker',
  'docker-compose',
  'psql',
  'pgcli',
  'terraform',
  'gcloud',
  'bq',
  'python',
  'pip',
  'java',
  'spark',
  'dbt',
  'git',
  'curl',
  'wget',
] as const;

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'expected a lowercase id of letters, digits and dashes, e.g. "week-1"');

const text = z.string().trim().min(1, 'expected a non-empty text');

const duration = z.string().refine((value) => parseDuration(value) !== undefined, {
  message: 'expected a duration such as "25 minutes", "5 min", "1:30-1:45 mins", "40 + ? minutes" or "2-3 weeks"',
});

const versionRange = z.string().refine((value) => semver.validRange(value) !== null, {
  message: 'expected a semver range such as ">=1.0", "^3.0.3" or "8.x || 11.x"',
});

const month = '\\d{4}-(?:0[1-9]|1[0-2])';
const monthSpan = z
  .string()
  .regex(new RegExp(`^${month}(?:\\.\\.${month})?$`), 'expected a month "2021-01" or a span "2019-01..2020-12"');

const isoDate = z.iso.date({ message: 'expected a date as YYYY-MM-DD' });
const isoDateTime = z.iso.datetime({
  offset: true,
  message: 'expected a date and time such as 2022-01-26T22:00:00+01:00',
});
const url = z.url({ message: 'expected a URL such as https://example.com/…' });

const topicSchema = z
  .strictObject({
    id: slug.optional().describe('Stable id for progress; derived from the title when left out.'),
    title: text,
    duration: duration.optional(),
    section: text.optional().describe("Title of one of the week's sections this topic belongs to."),
    extra: z.boolean().optional().describe('Extra knowledge: shown, but not needed to finish the week.'),
    taught: z
      .boolean()
      .optional()
      .describe(
        "false: planned in the course's outline but never taught to this cohort; shown, not needed to finish the week. Default true.",
      ),
    note: text.optional(),
  })
  .describe('One topic (usually one video or lesson) of a week.');

const sectionSchema = z.strictObject({
  title: text,
  duration: duration.optional(),
});

const toolNeedSchema = z.strictObject({
  id: z.enum(TOOL_IDS).describe('Tool id, as probed by `dec doctor`.'),
  version: versionRange.optional().describe('Semver range the week needs.'),
  required: z.boolean().optional().describe('false: nice to have (a warning, not a failure). Default true.'),
  why: text.optional(),
});

const datasetUseSchema = z.strictObject({
  dataset: slug.describe('Key in the top-level `datasets`.'),
  months: z.array(monthSpan).optional(),
  why: text.optional(),
});

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');
const containerPath = z.string().regex(/^\/[^\0]*$/, 'expected an absolute path inside the container');

const readinessSchema = z
  .union([
    z.strictObject({
      postgres: z
        .strictObject({ user: text, password: text, database: text })
        .describe('Ready when this login runs a query.'),
    }),
    z.strictObject({ http: z.strictObject({ path: z.string().startsWith('/'), port: z.number().int().optional() }) }),
    z.strictObject({ tcp: z.strictObject({ port: z.number().int() }) }),
  ])
  .describe('How dec knows the service is really ready, checked from the host through its published port.');

const serviceSchema = z.strictObject({
  image: text.describe('Image reference; pin a tag.'),
  aliases: z.array(slug).optional().describe('Extra names on the stack network (the service name is always one).'),
  env: z.record(envName, z.string()).optional(),
  secretEnv: z
    .array(envName)
    .optional()
    .describe('Env vars that hold secrets: never printed, stored only in a 0600 file.'),
  command: z.array(z.string()).optional(),
  ports: z
    .array(z.strictObject({ host: z.number().int().min(1).max(65535), container: z.number().int().min(1).max(65535) }))
    .optional()
    .describe('Published on 127.0.0.1 only (unless dec setup --expose).'),
  volumes: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'expected a volume name'),
        path: containerPath,
      }),
    )
    .optional()
    .describe('Named volumes (never bind mounts); dec prefixes them with dec-<stack>-.'),
  files: z
    .array(z.strictObject({ path: containerPath, content: z.string() }))
    .optional()
    .describe("Files put into the container before it starts, e.g. pgAdmin's servers.json."),
  ready: readinessSchema.optional(),
  dependsOn: z.array(slug).optional(),
});

const stackSchema = z.strictObject({
  title: text,
  network: z
    .strictObject({ name: slug })
    .describe('A bridge network every service joins, by service name and aliases.'),
  services: z.record(slug, serviceSchema),
  memoryGb: z.number().positive().optional().describe('Memory (GiB) the Docker engine needs for this stack.'),
  next: z
    .array(text)
    .optional()
    .describe(
      'What to print when the stack is ready; {service.host_port}, {service.ENV_NAME} and {network} are filled in.',
    ),
});

const portSchema = z.strictObject({
  port: z.number().int().min(1).max(65535),
  service: slug.describe('The service of the stack that publishes it.'),
});

const setupSchema = z.strictObject({
  summary: text.describe('One line: what the week runs locally.'),
  stack: slug.optional().describe('Name of the local stack `dec setup` starts, if any.'),
  ports: z.array(portSchema).optional().describe('Host ports the stack publishes; `dec doctor` checks they are free.'),
  dockerMemoryGb: z
    .number()
    .positive()
    .optional()
    .describe("Memory (GiB) the Docker engine needs for this stack; `dec doctor` compares it with the engine's."),
});

const QUESTION_KINDS = ['text', 'number', 'choice', 'sql', 'command', 'url'] as const;

const questionSchema = z
  .strictObject({
    id: slug.describe('Stable id, e.g. q1; the key in the answers file.'),
    kind: z
      .enum(QUESTION_KINDS)
      .describe('sql: the answer plus the query used; command: the answer plus the command used.'),
    question: text.describe('The question, in our own words.'),
    options: z.array(text).min(2).optional().describe('The choices, for kind choice.'),
    points: z.number().min(0).optional().describe('Default 1.'),
    engine: z
      .enum(['postgres', 'bigquery', 'spark'])
      .optional()
      .describe('Where an sql answer runs; only postgres queries are run by `dec homework check`. Default postgres.'),
    optional: z.boolean().optional().describe('Bonus or ungraded.'),
    practice: z
      .boolean()
      .optional()
      .describe(
        "dec's own question, not the course's: for practice, worth no points, never counted as the homework's.",
      ),
    ownOptions: z
      .boolean()
      .optional()
      .describe("The options are dec's: the course's homework file lists none (they were only in its form)."),
    expected: z
      .string()
      .optional()
      .describe('The answer, only for a practice question; graded answers are never in the syllabus.'),
  })
  .describe('One homework question.');

const deadlineSchema = z.strictObject({
  title: text.describe('What is due, e.g. "Peer review" or "Second attempt".'),
  due: isoDateTime.describe("The cohort's deadline, with the course's own time zone offset."),
  submit: url.optional().describe('Where the cohort submitted it.'),
});

const homeworkSchema = z.strictObject({
  title: text.optional(),
  summary: text,
  due: isoDateTime
    .optional()
    .describe("The cohort's deadline; a self-paced student gets the same distance from their start date."),
  questions: z.array(questionSchema).optional(),
  submit: url.optional().describe('Where the cohort submitted.'),
  deadlines: z
    .array(deadlineSchema)
    .optional()
    .describe('Further deadlines of the same homework (peer review, a second attempt), each with its form.'),
  template: slug
    .optional()
    .describe('The folder under templates/homework/ that `dec homework init` copies; default the week id.'),
});

const weekSchema = z
  .strictObject({
    number: z.number().int().min(1).max(99),
    through: z.number().int().min(1).max(99).optional().describe('Last week number, for an entry that spans weeks.'),
    id: slug,
    module: slug.optional().describe('The id this content has in the current course layout, e.g. module-6.'),
    title: text,
    goal: text.optional(),
    instructor: text.optional(),
    duration: duration.optional(),
    sections: z.array(sectionSchema).optional(),
    topics: z.array(topicSchema).min(1, 'expected at least one topic'),
    tools: z.array(toolNeedSchema).optional(),
    datasets: z.array(datasetUseSchema).optional(),
    setup: setupSchema.optional(),
    homework: homeworkSchema.optional(),
  })
  .describe('One week (or a span of weeks) of the course.');

const datasetSchema = z.strictObject({
  title: text,
  mirror: text.optional().describe('URL pattern of the course mirror; {month} is YYYY-MM.'),
  tlc: text.optional().describe('URL pattern of the TLC source; {month} is YYYY-MM.'),
  columns: z.array(text).optional(),
});

export const syllabusSchema = z
  .strictObject({
    schemaVersion: z.literal(SYLLABUS_SCHEMA_VERSION),
    id: slug.describe('Progress is kept per syllabus id, so two syllabi never mix.'),
    title: text,
    cohort: text.optional(),
    start: isoDate.optional().describe('Start date of the cohort.'),
    source: url.optional(),
    instructors: z.array(text).optional(),
    prerequisites: z.array(text).optional(),
    datasets: z.record(slug, datasetSchema).optional(),
    stacks: z.record(slug, stackSchema).optional().describe('Local environments `dec setup` starts, by name.'),
    weeks: z.array(weekSchema).min(1, 'expected at least one week'),
    upcoming: z
      .strictObject({ title: text, items: z.array(text).min(1) })
      .optional()
      .describe('Topics beyond the course (not a week).'),
  })
  .describe('A Data Engineering Zoomcamp syllabus for `dec`.');

export type SyllabusInput = z.infer<typeof syllabusSchema>;
export type WeekInput = z.infer<typeof weekSchema>;
export type TopicInput = z.infer<typeof topicSchema>;
export type ToolNeed = z.infer<typeof toolNeedSchema>;
export type DatasetUse = z.infer<typeof datasetUseSchema>;
export type Homework = z.infer<typeof homeworkSchema>;
export type Question = z.infer<typeof questionSchema>;
export type Setup = z.infer<typeof setupSchema>;
export type Section = z.infer<typeof sectionSchema>;
export type Dataset = z.infer<typeof datasetSchema>;
export type Stack = z.infer<typeof stackSchema>;
export type Readiness = z.infer<typeof readinessSchema>;
export type ToolId = (typeof TOOL_IDS)[number];

/** The JSON Schema for editors (yaml-language-server), generated from the zod schema. */
export function syllabusJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(syllabusSchema, { target: 'draft-7', unrepresentable: 'any' });
  return { ...schema, $id: 'https://github.com/DataTalksClub/dec/syllabus/schema.json', title: 'dec syllabus' };
}
