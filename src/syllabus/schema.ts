// The one source of truth for the syllabus format: the TypeScript types, the validator and
// syllabus/schema.json (for editors) are all derived from the zod schemas below.
import { z } from 'zod';
import semver from 'semver';
import { parseComposeDuration, parseDuration } from './duration.js';

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
  // The current course (dez-2026): uv for every Python project, DuckDB and Bruin in modules 4 and 5.
  'uv',
  'duckdb',
  'bruin',
  // The Kafka clients: the Python one (kafka-python; its -ng fork for the 2022 course on new Pythons) and
  // Redpanda's rpk CLI (optional: the Redpanda container has it).
  'kafka-python',
  'rpk',
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
    // Week 5 (issue 13): a Spark worker is ready once the master lists all of them alive.
    z.strictObject({
      sparkWorkers: z
        .strictObject({
          master: slug.describe("The Spark master's service in this stack."),
          port: z.number().int().describe("The master web UI's container port (published): its /json/ page is read."),
        })
        .describe(
          "Ready when the Spark master's web UI (its /json/ page, through the published port) counts as many alive workers as this service has replicas (`dec setup --workers`); for a replicated worker service, which publishes no port of its own.",
        ),
    }),
  ])
  .describe('How dec knows the service is really ready, checked from the host through its published port.');

const composeDuration = z.string().refine((value) => parseComposeDuration(value) !== undefined, {
  message: 'expected a duration as Compose files write it, e.g. "10s", "1m30s" or "500ms"',
});

const DEPENDENCY_CONDITIONS = ['started', 'healthy', 'completed'] as const;
const RESTART_POLICIES = ['no', 'always', 'on-failure', 'unless-stopped'] as const;

/** One side of `user`: a name, a number, or {host.uid}/{host.gid} with an optional default for Windows. */
const USER_PART = String.raw`(?:[a-z_][a-z0-9_-]*|\d+|\{host\.(?:uid|gid)(?::-\d+)?\})`;

const healthcheckSchema = z
  .strictObject({
    test: z
      .union([
        text.describe('A shell command line (run as CMD-SHELL).'),
        z
          .array(z.string())
          .min(2)
          .refine((test) => test[0] === 'CMD' || test[0] === 'CMD-SHELL', {
            message: 'expected ["CMD", program, args...] or ["CMD-SHELL", "command line"]',
          }),
      ])
      .describe('As in Compose: ["CMD", "pg_isready", "-U", "airflow"], ["CMD-SHELL", "..."] or a command line.'),
    interval: composeDuration.optional().describe('Between checks; default 30s.'),
    timeout: composeDuration.optional().describe('Longest a check may take; default 30s.'),
    retries: z.number().int().min(1).optional().describe('Failures in a row before it is unhealthy; default 3.'),
    startPeriod: composeDuration.optional().describe('Failures in this first time do not count; default 0s.'),
  })
  .describe(
    "Docker's own health check, run inside the container; dec waits until it passes (and fails at once, showing its last output, when it says unhealthy).",
  );

/** A path inside a folder, written relative to it: no absolute path, no `..` step, no backslash. */
const relativePath = z
  .string()
  .min(1)
  .refine((path) => !path.startsWith('/') && !path.includes('\\') && !path.split('/').includes('..'), {
    message: 'expected a path relative to its folder, without "..", e.g. "airflow" or "images/airflow"',
  });

const platformName = z
  .string()
  .regex(/^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/, 'expected a platform such as "linux/amd64"');

const buildSchema = z
  .strictObject({
    context: relativePath.describe(
      "The build context: a folder under dec's templates/ for a built-in syllabus; for a syllabus file of your own, a folder next to it (relative to the file's folder). It cannot point outside that folder.",
    ),
    dockerfile: relativePath.optional().describe('The Dockerfile, relative to the context; default Dockerfile.'),
    args: z.record(envName, z.string()).optional().describe('Build arguments (ARG), e.g. CLOUD_SDK_VERSION: 322.0.0.'),
    target: slug.optional().describe('The stage of a multi-stage Dockerfile to build.'),
    platform: platformName
      .optional()
      .describe('The platform to build for, e.g. linux/amd64 (the course image on an arm64 machine).'),
  })
  .describe(
    "Build the image from a Dockerfile instead of pulling it. `image` is then the name without a tag: dec tags it with a digest of the context's files and these settings (e.g. dec/airflow:3f2a9c0b1d4e), so it is rebuilt only when one of them changes.",
  );

// Bind mounts and extra networks (issue 12): folders of the student's workspace (or home), the Docker
// socket, another stack's network. Paths are relative and cannot climb out of their base folder.
const BIND_BASES = ['workspace', 'home'] as const;
const relativeFolder = z
  .string()
  .min(1)
  .refine((path) => !path.startsWith('/') && !/^[A-Za-z]:|\\/.test(path) && !path.split('/').includes('..'), {
    message: 'expected a folder relative to its base, without ".." or a leading "/", e.g. "homework/week-2/dags"',
  });

const bindSchema = z
  .strictObject({
    path: relativeFolder.describe('The folder on the host, relative to `from`.'),
    target: containerPath.describe('Where it appears in the container.'),
    from: z
      .enum(BIND_BASES)
      .optional()
      .describe(
        "The base folder: workspace (default: the dec workspace's root, or the current folder outside one) or home (the student's home folder).",
      ),
    readOnly: z.boolean().optional().describe('Mounted read-only (the container cannot change it).'),
    ifMissing: z
      .enum(['create', 'warn'])
      .optional()
      .describe(
        'create (default): made empty, owned by the student. warn: made empty too (so the mount works once filled), with a warning while it is missing or empty that says `withoutIt`.',
      ),
    withoutIt: text
      .optional()
      .describe('What does not work while the folder is missing or empty (for ifMissing: warn).'),
  })
  .describe(
    'A folder of the host mounted into the container; created if missing, owned by the student, never deleted by dec (not by --down, not by --destroy).',
  );

const extraNetworkSchema = z
  .strictObject({
    stack: slug.describe("The stack whose network to join (e.g. week1's pg-network), with the service's names."),
    optional: z
      .boolean()
      .optional()
      .describe('true: when that stack is not set up, start without it (a warning); default: refuse to start.'),
  })
  .describe("Another stack's network this service joins too; dec never creates or removes it.");

const serviceExtras = {
  binds: z.array(bindSchema).optional(),
  dockerSocket: z
    .boolean()
    .optional()
    .describe(
      "Mount the Docker engine's socket (the one dec uses; unix sockets only) at /var/run/docker.sock: the service controls Docker (Kestra runs tasks in containers).",
    ),
  networks: z.array(extraNetworkSchema).optional(),
};

/** Replicas of one service: enough for a course's Spark workers, few enough to stay a laptop's. */
const MAX_REPLICAS = 20;

const serviceSchema = z.strictObject({
  image: text.describe('Image reference; pin a tag. With `build`: the name only, which dec tags by digest.'),
  aliases: z.array(slug).optional().describe('Extra names on the stack network (the service name is always one).'),
  env: z
    .record(envName, z.string())
    .optional()
    .describe(
      "{service.<container port>} is that port's host port; {host.uid} and {host.gid} are the student's ids (as `user` has them).",
    ),
  secretEnv: z
    .array(envName)
    .optional()
    .describe('Env vars that hold secrets: never printed, stored only in a 0600 file.'),
  command: z
    .array(z.string())
    .optional()
    .describe("{service.<container port>} is that port's host port (Redpanda's advertised addresses)."),
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
  healthcheck: healthcheckSchema.optional(),
  job: z
    .boolean()
    .optional()
    .describe(
      'A one-shot job (e.g. airflow-init): runs to completion (exit code 0) before what depends on it starts; never restarted; skipped on a re-run once it succeeded with the same settings.',
    ),
  user: z
    .string()
    .regex(
      new RegExp(`^${USER_PART}(?::${USER_PART})?$`),
      'expected "uid", "uid:gid" or a user name, e.g. "50000:0" or "{host.uid}:0"',
    )
    .optional()
    .describe(
      "The user the container runs as, as `docker run --user` takes it. {host.uid} and {host.gid} are the ids of the student running dec (as the course's AIRFLOW_UID=$(id -u)), so files written to bind mounts stay theirs. On macOS they are the Mac user's ids (e.g. 501:20; Docker Desktop's file sharing shows bind-mounted files as the student's whichever uid writes them); Windows has no such ids, so there {host.uid:-50000} gives the value to use (default 1000).",
    ),
  entrypoint: z
    .array(z.string())
    .min(1)
    .optional()
    .describe("Replaces the image's entrypoint (exec form: the program, then its arguments)."),
  restart: z
    .enum(RESTART_POLICIES)
    .optional()
    .describe('Restart policy: default unless-stopped for a service and no for a job (a job is never restarted).'),
  hostname: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'expected a host name of lowercase letters, digits and dashes')
    .optional()
    .describe("The container's own host name (e.g. what Spark advertises); the network names stay the service's."),
  dependsOn: z
    .union(
      [
        z.array(slug).describe('Started after these, each once ready (as its ready check, health check or job says).'),
        z
          .record(slug, z.enum(DEPENDENCY_CONDITIONS))
          .describe(
            'Started once each condition holds: started (its container runs), healthy (its Docker health check passes), completed (the job exited with code 0).',
          ),
      ],
      {
        error:
          'expected a list of services, e.g. [postgres], or each with a condition: { postgres: healthy, airflow-init: completed } (started, healthy or completed)',
      },
    )
    .optional(),
  build: buildSchema.optional(),
  platforms: z
    .array(platformName)
    .min(1)
    .optional()
    .describe(
      'The only platforms the image exists for, e.g. [linux/amd64] (Confluent 5.4.0, an image that installs an x86_64 tarball). On a machine of another architecture (Apple Silicon) it runs under emulation: `dec setup` and `dec doctor` say so. Leave it out for multi-arch images.',
    ),
  replicas: z
    .number()
    .int()
    .min(1)
    .max(MAX_REPLICAS)
    .optional()
    .describe(
      'Run this many containers of the service (e.g. Spark workers): dec-<stack>-<service>-1..N, each labelled with its number, all reached by the service name on the stack network. Changing it adds or removes containers and touches nothing else (volumes stay). A service with more than one replica publishes no ports (they could not be unique) and is not a job.',
    ),
  ...serviceExtras,
  optional: z
    .boolean()
    .optional()
    .describe(
      "Started only when the student asks (`dec setup <week> --with <service>`, remembered; `--without` stops and forgets it), never pulled otherwise, e.g. week 4's Metabase. A service that always starts cannot depend on it. --print-compose puts it in a Compose profile of its name.",
    ),
});

/**
 * The services a service depends on, each with what it waits for: "ready" for the short form (a list
 * of names: the dependency's whole readiness, as before conditions existed), else the named condition.
 */
export function dependencyConditions(dependsOn: Service['dependsOn']): Record<string, DependencyWait> {
  if (dependsOn === undefined) return {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, 'ready' as const]));
  return { ...dependsOn };
}

/**
 * Replicas share everything but their name: a published host port cannot be shared, so a replicated
 * service publishes none (its replicas are reached by the service name on the stack network).
 */
function replicaLimits(service: z.infer<typeof serviceSchema>, context: z.RefinementCtx): void {
  const replicas = service.replicas ?? 1;
  if (replicas < 2) return;
  if (service.ports !== undefined && service.ports.length > 0)
    context.addIssue({
      code: 'custom',
      path: ['ports'],
      // No "got …" after it: the message says what was found.
      input: undefined,
      message: `a service with replicas: ${replicas} cannot publish ports: every replica would need the same host port. Drop \`ports\` (other services reach the replicas by the service name), or set replicas: 1`,
    });
  if (service.job)
    context.addIssue({
      code: 'custom',
      path: ['replicas'],
      input: undefined,
      message: 'a job runs once: it cannot have replicas (drop `replicas`, or make it a service without `job: true`)',
    });
}

/** A built image is named without a tag: dec tags it by the digest of its context. */
function builtImageName(service: z.infer<typeof serviceSchema>, context: z.RefinementCtx): void {
  if (service.build && (service.image.includes('@') || /:[^/]*$/.test(service.image)))
    context.addIssue({
      code: 'custom',
      path: ['image'],
      message: `expected an image name without a tag for a built image (dec tags it by the digest of its context), e.g. "${service.image.replace(/[:@][^/]*$/, '')}"`,
    });
}

// `dec run <week> <command...>` (issue 13): which service's image the course's CLIs come from.
const toolSchema = z
  .strictObject({
    service: slug.describe(
      "The service whose image, env, bound folders, user and networks the command gets (e.g. dbt, or Kafka's broker for kafka-topics).",
    ),
    workdir: containerPath
      .optional()
      .describe(
        "The command's working folder when dec runs outside the service's bound folders; run inside one (e.g. in homework/week4/models), the matching folder in the container is used.",
      ),
    example: text.optional().describe('A command to show in messages, e.g. "dbt debug".'),
    provides: z
      .array(z.enum(TOOL_IDS))
      .optional()
      .describe(
        "Tools of the week's `tools` this service stands in for (e.g. [dbt] for week 4's dbt container): with the stack set up, a local install is optional, and `dec doctor --week` says so instead of failing.",
      ),
  })
  .describe(
    '`dec run <week> <command...>` runs the command in a one-off container of this service (like `docker compose run --rm`): nothing to install, the output streamed, the exit code passed through, Ctrl-C delivered as SIGINT.',
  );

/** A Postgres identifier dec creates: lowercase, so it needs no quotes in the course's SQL. */
const pgIdentifier = z
  .string()
  .regex(
    /^[a-z_][a-z0-9_]{0,62}$/,
    'expected a lowercase Postgres name of letters, digits and _, e.g. "trips_data_all"',
  );

const databaseSchema = z
  .strictObject({
    stack: slug.describe('The stack whose Postgres holds it (its service with a `postgres` ready check), e.g. week1.'),
    name: pgIdentifier.describe('The database, created when missing (e.g. production); never dropped or changed.'),
    schemas: z.array(pgIdentifier).optional().describe('Schemas created in it when missing (e.g. trips_data_all).'),
    dbtProfile: z
      .strictObject({
        name: z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/, 'expected a dbt profile name, e.g. "pg-dbt-workshop"')
          .describe('The profile name dbt_project.yml refers to.'),
        folder: relativeFolder.describe(
          "Where profiles.yml goes, relative to the workspace (the tool's DBT_PROFILES_DIR), e.g. homework/week4.",
        ),
        schema: pgIdentifier.describe("The target schema dbt builds the student's models in."),
        host: slug.describe("The Postgres host as the tool's container reaches it, e.g. pgdatabase."),
        threads: z.number().int().min(1).max(64).optional().describe('Default 4.'),
      })
      .optional()
      .describe(
        "A profiles.yml for the student's dbt project (0600: it holds the password); a file that already has the profile is never changed.",
      ),
    sources: z
      .array(
        z.strictObject({
          dataset: slug.describe('Key in the top-level `datasets`.'),
          schema: pgIdentifier.describe('The schema of the table in this database, e.g. trips_data_all.'),
          table: pgIdentifier.describe("The table the tools read (dbt's source table), e.g. yellow_tripdata."),
          months: z.array(monthSpan).min(1).describe('The months it holds, e.g. ["2019-01..2020-12"].'),
        }),
      )
      .optional()
      .describe(
        'The tables the tools read from this database, loaded by `dec data load --for <week>` (all of them, or the datasets and months named).',
      ),
  })
  .describe(
    "A database this stack's tools use in another stack's Postgres (week 4's dbt in week 1's): made when missing at setup.",
  );

const stackSchema = z.strictObject({
  title: text,
  network: z
    .strictObject({ name: slug })
    .describe('A bridge network every service joins, by service name and aliases.'),
  services: z.record(
    slug,
    serviceSchema.superRefine((service, context) => {
      builtImageName(service, context);
      replicaLimits(service, context);
    }),
  ),
  memoryGb: z.number().positive().optional().describe('Memory (GiB) the Docker engine needs for this stack.'),
  readyTimeout: composeDuration
    .optional()
    .describe(
      'How long each service (or job) may take to become ready when `dec setup --timeout` is not given, e.g. "5m" for Airflow\'s first start; default 120s.',
    ),
  next: z
    .array(text)
    .optional()
    .describe(
      'What to print when the stack is ready; {service.host_port}, {service.ENV_NAME}, {service.container} (its container name) and {network} are filled in.',
    ),
  tool: toolSchema.optional(),
  database: databaseSchema.optional(),
});

const portSchema = z.strictObject({
  port: z.number().int().min(1).max(65535),
  service: slug.describe('The service of the stack that publishes it.'),
});

const dockerMemoryGb = z
  .number()
  .positive()
  .optional()
  .describe("Memory (GiB) the Docker engine needs for this stack; `dec doctor` compares it with the engine's.");

/** The name `dec setup --variant` gives the week's own `stack` (a variant may not take it). */
export const DEFAULT_VARIANT = 'default';

const variantSchema = z
  .strictObject({
    summary: text.describe('One line: what this variant runs, and for whom.'),
    stack: slug.describe("The stack `dec setup <week> --variant <name>` starts instead of the week's own."),
    ports: z.array(portSchema).optional().describe('Host ports this variant publishes.'),
    dockerMemoryGb,
  })
  .describe('Another way to set the week up, e.g. a lighter stack for machines with less memory.');

const setupSchema = z.strictObject({
  summary: text.describe('One line: what the week runs locally.'),
  stack: slug.optional().describe('Name of the local stack `dec setup` starts, if any.'),
  ports: z.array(portSchema).optional().describe('Host ports the stack publishes; `dec doctor` checks they are free.'),
  dockerMemoryGb,
  variants: z
    .record(slug, variantSchema)
    .optional()
    .describe(
      `Other stacks for the same week, chosen by \`dec setup <week> --variant <name>\` (\`--light\` for one named light) and remembered; \`--variant ${DEFAULT_VARIANT}\` goes back to \`stack\`.`,
    ),
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
    label: z
      .string()
      .regex(/^[A-Z][A-Z0-9]{0,3}$/, 'expected a short label of capitals and digits, e.g. "W1"')
      .optional()
      .describe(
        'Shown instead of the number, for an entry that is not a numbered week (a workshop: W1). Name it by its id; its number only has to be unique.',
      ),
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
export type Service = z.infer<typeof serviceSchema>;
export type Stack = z.infer<typeof stackSchema>;
export type Readiness = z.infer<typeof readinessSchema>;
export type Healthcheck = z.infer<typeof healthcheckSchema>;
export type Build = z.infer<typeof buildSchema>;
export type Bind = z.infer<typeof bindSchema>;
export type StackTool = z.infer<typeof toolSchema>;
export type StackDatabase = z.infer<typeof databaseSchema>;
type DependencyCondition = (typeof DEPENDENCY_CONDITIONS)[number];
/** What a dependent waits for: a condition, or "ready" (the short form). */
export type DependencyWait = DependencyCondition | 'ready';
export type RestartPolicy = (typeof RESTART_POLICIES)[number];
export type ToolId = (typeof TOOL_IDS)[number];

/** The JSON Schema for editors (yaml-language-server), generated from the zod schema. */
export function syllabusJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(syllabusSchema, { target: 'draft-7', unrepresentable: 'any' });
  return { ...schema, $id: 'https://github.com/DataTalksClub/dec/syllabus/schema.json', title: 'dec syllabus' };
}
