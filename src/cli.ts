// Every command, flag and example, in one place. Handlers are imported only when their command runs,
// so `dec --help` never loads the YAML parser, the validator or the prompt library.
import { Command, Help, Option } from 'commander';
import { createCommandContext, type CommandContext, type GlobalOptions } from './command-context.js';
import { stdio } from './output/stdio.js';
import { DEC_VERSION } from './version.js';
import { guardTypos } from './util/typos.js';

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/** The context for a command, built from the global options commander collected. */
function contextOf(command: Command): CommandContext {
  return createCommandContext(command.optsWithGlobals<GlobalOptions>());
}

/**
 * Builds the program. With `argv`, only the command group being run is built in full; the others are
 * named stubs, which is all commander needs to dispatch, to suggest a misspelt group and to list the
 * groups in `dec --help` (defining every option of every command costs start-up time that `dec --help`
 * and `dec weeks list` should not pay). Without `argv`, every group is built (tests walk them all).
 */
export function buildProgram(argv?: readonly string[]): Command {
  const program = new Command('dec')
    .description(
      'Your companion for the Data Engineering Zoomcamp: the syllabus week by week, your progress, and more.',
    )
    .version(DEC_VERSION, '-v, --version', 'print the version of dec (-V works too)')
    .option('--syllabus <path>', 'use another syllabus: a YAML file or a built-in id (also DEC_SYLLABUS)')
    .option('--json', 'print one JSON document on stdout (read commands)')
    .option('--no-color', 'no colors (also NO_COLOR=1)')
    .option('--debug', 'show stack traces for errors')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => stdio.stdout.write(text),
      writeErr: (text) => stdio.stderr.write(text),
      getOutHelpWidth: () => stdio.columns(),
      getErrHelpWidth: () => stdio.columns(),
    })
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run dec --help to see every command)')
    .addHelpText(
      'after',
      `${examples('dec init my-zoomcamp', 'dec weeks list', 'dec weeks show 3', 'dec progress done 1 2', 'dec doctor', 'dec setup week1', 'dec data load yellow 2021-01', 'dec homework init 1')}
Exit codes: 0 ok, 1 problems found (or you answered no: nothing changed), 2 could not run (bad input), 130 interrupted.
State: progress lives in .dec/progress.json of your workspace (dec init), else in the user state folder (dec progress --where).`,
    );

  const wanted = argv === undefined ? undefined : commandName(argv);
  // `dec run week4 dbt --debug build`: everything after the week is the command's, dec's global options
  // included, which needs options by position (only for run: the others take --json anywhere).
  if (wanted === 'run') program.enablePositionalOptions();
  for (const group of GROUPS) {
    if (argv === undefined || wanted === group.name) group.register(program, wanted === group.name);
    else
      STUBS.set(
        program.command(group.name).description(group.summary).allowUnknownOption().allowExcessArguments(),
        group,
      );
  }
  // A stub has none of its group's options or arguments: `dec --help` shows the group's own term.
  program.configureHelp({
    subcommandTerm: (command) => STUBS.get(command)?.term ?? new Help().subcommandTerm(command),
  });
  guardTypos(program);
  return program;
}

const STUBS = new WeakMap<Command, CommandGroup>();

/**
 * The command group to build: the first word that is not an option (or the value of --syllabus), or
 * the word after `help` (`dec help setup`).
 */
function commandName(argv: readonly string[]): string | undefined {
  const words = argv.slice(2);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--syllabus') {
      i++;
      continue;
    }
    if (word.startsWith('-') || (word === 'help' && i + 1 < words.length)) continue;
    return GROUPS.some((group) => group.name === word) ? word : undefined;
  }
  return undefined;
}

function registerWeeks(program: Command): void {
  const weeks = program.command('weeks').description(summaryOf('weeks'));
  weeks
    .command('list', { isDefault: true })
    .description('one row per week: topics, time, progress, status and the week to work on next')
    .addHelpText(
      'after',
      examples('dec weeks list', 'dec weeks list --json', 'dec weeks list --syllabus ./my-syllabus.yaml'),
    )
    .action(async (_options, command: Command) => {
      const { listWeeks } = await import('./commands/weeks.js');
      await listWeeks(contextOf(command));
    });
  weeks
    .command('show')
    .description('one week: goal, instructor, topics with durations and done marks, tools, setup, homework')
    .argument('<week>', 'a week: 3, week3, week-3, w3, a module (m2, module-2) or its id (e.g. project, workshop-1)')
    .addHelpText(
      'after',
      examples(
        'dec weeks show 3',
        'dec weeks show week-1',
        'dec weeks show project --json',
        'dec weeks show m2 --syllabus dez-2026',
      ),
    )
    .action(async (week: string, _options, command: Command) => {
      const { showWeek } = await import('./commands/weeks.js');
      await showWeek(contextOf(command), week);
    });
}

function registerProgress(program: Command): void {
  const progress = program
    .command('progress')
    .description(summaryOf('progress'))
    .option('--where', 'print the path of the progress file in use')
    // progress has its own action, so commander would not add `dec progress help <command>` by itself.
    .helpCommand(true)
    .addHelpText(
      'after',
      examples(
        'dec progress',
        'dec progress --where',
        'dec progress done 1',
        'dec progress done 3 partitioning',
        'dec progress export --format markdown >> README.md',
      ),
    )
    .action(async (options: { where?: boolean }, command: Command) => {
      const handlers = await import('./commands/progress.js');
      const ctx = contextOf(command);
      await (options.where ? handlers.showWhere(ctx) : handlers.showProgress(ctx));
    });
  for (const [name, undo] of [
    ['done', false],
    ['undo', true],
  ] as const) {
    const mark = progress
      .command(name)
      .description(undo ? 'mark topics (or a whole week) not done' : 'mark topics (or a whole week) done')
      .argument('<week>', 'a week: 3, week3, week-3, w3 or its id')
      .argument('[topics...]', 'topic numbers within the week, or unique pieces of their titles; none = the whole week')
      .addHelpText(
        'after',
        examples(`dec progress ${name} 1`, `dec progress ${name} 3 2 4`, `dec progress ${name} week-4 "jinja"`),
      )
      .action(async (week: string, topics: string[], options: { yes?: boolean }, command: Command) => {
        const { markTopics } = await import('./commands/progress.js');
        await markTopics(contextOf(command), week, topics, { undo, yes: options.yes === true });
      });
    // Undoing a whole week asks first, like reset.
    if (undo) mark.option('-y, --yes', 'undo a whole week without asking (needed without a terminal)');
  }
  progress
    .command('reset')
    .description('forget the progress of one week or of the whole syllabus (asks first)')
    .argument('[week]', 'only this week')
    .option('-y, --yes', 'do not ask for confirmation (needed without a terminal)')
    .addHelpText('after', examples('dec progress reset 2', 'dec progress reset --yes'))
    .action(async (week: string | undefined, options: { yes?: boolean }, command: Command) => {
      const { resetProgress } = await import('./commands/progress.js');
      await resetProgress(contextOf(command), week, options.yes === true);
    });
  progress
    .command('export')
    .description('print your progress as a Markdown checklist for your course README')
    .addOption(new Option('--format <format>', 'output format').choices(['markdown']).default('markdown'))
    .addHelpText('after', examples('dec progress export --format markdown', 'dec progress export > PROGRESS.md'))
    .action(async (options: { format: string }, command: Command) => {
      const { exportProgress } = await import('./commands/progress.js');
      await exportProgress(contextOf(command), options.format);
    });
}

function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(summaryOf('doctor'))
    .option('--week <week>', 'only what this week needs')
    .option('--only <checks>', 'only these checks or groups, comma-separated (see --list)')
    .option('--list', 'list the checks')
    .option('--verbose', "show details and each check's time")
    .option('--fix', 'apply the safe fixes (asks first on a terminal)')
    .option('-y, --yes', 'with --fix: apply without asking')
    .option(
      '--report',
      'print a Markdown report for the course Slack or FAQ (secrets, user names and home paths redacted)',
    )
    .option('--timeout <time>', 'time limit per check, e.g. 3s or 500ms', '3s')
    .addHelpText(
      'after',
      `${examples('dec doctor', 'dec doctor --week 5', 'dec doctor --only docker,postgres', 'dec doctor --fix', 'dec doctor --report | pbcopy', 'dec doctor --json')}
Exit codes: 0 all required checks pass (warnings allowed), 1 a required check failed, 2 doctor could not run.`,
    )
    .action(async (options: import('./commands/doctor.js').DoctorOptions, command: Command) => {
      const { doctor } = await import('./commands/doctor.js');
      process.exitCode = await doctor(contextOf(command), options);
    });
}

function registerSetup(program: Command): void {
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const setup = program
    .command('setup')
    .description(summaryOf('setup'))
    .argument('[week]', 'a week with a stack: 1, week1, week-1')
    .option('--down', 'stop and remove its containers; volumes (your data) and network stay')
    .option('--destroy', 'like --down, and delete its volumes too (asks you to type the stack name; --yes skips)')
    .option('-y, --yes', 'confirm --destroy without asking')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--print-compose', 'print the equivalent docker-compose.yaml instead')
    .option(
      '--only <services>',
      'only these services and what they depend on (repeatable, or comma-separated: pgdatabase,pgadmin)',
      collect,
    )
    .option('--image <service=ref>', 'use another image for a service (remembered)', collect)
    .option(
      '--port <service=port>',
      'publish a service on another host port (remembered): its first port, or service.<container port>=port for another, e.g. redpanda.9092=19092',
      collect,
    )
    .option(
      '--env <service.VAR=value>',
      'set an env var, e.g. a password (remembered in a 0600 file, never printed)',
      collect,
    )
    .option('--expose', 'publish on every interface instead of 127.0.0.1 (remembered)')
    .option('--no-expose', 'back to 127.0.0.1 only')
    .option('--recreate', 'replace containers that differ from the syllabus (volumes are kept)')
    .option(
      '--reset',
      'forget the remembered --port, --image, --env and --expose, and apply the syllabus settings (volumes are kept)',
    )
    .option(
      '--timeout <time>',
      "how long each service may take to become ready, e.g. 120 or 3m (default 120 s, or the stack's own: week 2's Airflow 5 min)",
    )
    .option('--load <datasets>', 'then load data into its Postgres, e.g. yellow:2021-01,zones (see dec data)')
    .option(
      '--variant <name>',
      "another setup of the week, e.g. week 2's light one (remembered, so --down and status find it; default: the week's own)",
    )
    .option('--light', "same as --variant light: week 2's no-frills LocalExecutor Airflow for 4 GB of Docker memory")
    .option(
      '--with <services>',
      "also start an optional service, e.g. week 4's metabase (remembered: a plain re-run keeps it; repeatable or comma-separated)",
      collect,
    )
    .option(
      '--without <services>',
      'stop and forget an optional service started with --with (its data is kept)',
      collect,
    )
    .option(
      '--brokers <n>',
      "week 6: 3 for dec's three-broker Kafka (the replication lesson; the course has one), 1 for the course's (remembered)",
    )
    .option('--gcp-project <id>', "your GCP project for week 2's DAGs (default: your gcloud config's; remembered)")
    .option('--gcp-bucket <name>', 'your data lake bucket (default: dtc_data_lake_<project>, as the course names it)')
    .option(
      '--workers <n>',
      'week 5: how many Spark workers (default 2; remembered; scaling adds or removes workers only)',
    )
    .option('--worker-cores <n>', 'week 5: cores each Spark worker offers (default 1; at most the engine has)')
    .option(
      '--worker-memory <size>',
      "week 5: memory each Spark worker offers, e.g. 2g (default: from Docker's memory)",
    )
    .helpCommand(false)
    .addHelpText(
      'after',
      `${examples('dec setup week1', 'dec setup week1 --port pgdatabase=5433', 'dec setup week1 --reset', 'dec setup week1 --dry-run', 'dec setup status', 'dec setup week1 --down', 'dec setup week1 --destroy --yes', 'dec setup week1 --print-compose > docker-compose.yaml', 'dec setup week1 --load yellow:2021-01,zones', 'dec setup week2 --gcp-project my-project-123', 'dec setup week2 --light            # 4 GB of Docker memory: the no-frills LocalExecutor Airflow', 'dec setup week2 --down             # whichever variant was set up', 'dec setup week6 --brokers 3        # three Kafka brokers, for the replication lesson', 'dec setup week4 --with metabase     # and Metabase on localhost:3000, kept by later runs', 'dec setup week5 --workers 3        # the Spark cluster with three workers')}
Exit codes: 0 ready, 1 a service did not get ready or a port is taken, 2 could not run (no engine, bad flags), 130 interrupted.`,
    )
    .action(async (week: string | undefined, options: import('./commands/setup.js').SetupOptions, command: Command) => {
      if (week === undefined) {
        command.outputHelp();
        return;
      }
      const { setup: run } = await import('./commands/setup.js');
      const subcommands = command.commands.map((sub) => sub.name());
      process.exitCode = await run(contextOf(command), week, { ...options, subcommands });
    });
  setup
    .command('status')
    .description('per service: state, readiness, published ports, volume and its size')
    .argument('[week]', 'only this week')
    .addHelpText('after', examples('dec setup status', 'dec setup status 1 --json'))
    .action(async (week: string | undefined, _options, command: Command) => {
      const { setupStatus } = await import('./commands/setup.js');
      process.exitCode = await setupStatus(contextOf(command), week);
    });
}

function registerTeardown(program: Command): void {
  program
    .command('teardown')
    .description(summaryOf('teardown'))
    .argument('<week>')
    .option('--destroy', 'delete its volumes too: your data (asks you to type the stack name; --yes skips)')
    .option('-y, --yes', 'confirm --destroy without asking')
    .option('--dry-run', 'print what would be removed and change nothing')
    .option(
      '--only <service>',
      'only these services (repeatable or comma-separated), not what they depend on',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addHelpText(
      'after',
      examples('dec teardown week1', 'dec teardown week1 --destroy --yes', 'dec teardown week1 --destroy --dry-run'),
    )
    .action(
      async (
        week: string,
        options: { destroy?: boolean; yes?: boolean; dryRun?: boolean; only?: string[] },
        command: Command,
      ) => {
        const { setup: run } = await import('./commands/setup.js');
        process.exitCode = await run(contextOf(command), week, { ...options, down: !options.destroy });
      },
    );
}

function registerHomework(program: Command): void {
  const homework = program.command('homework').description(summaryOf('homework'));
  homework
    .command('init')
    .description(
      'create homework/week<N>/ from the template; re-running adds what is missing and never overwrites your files',
    )
    .argument('<week>', 'a week with homework: 1, week1, week-1, project')
    .option('--dir <dir>', 'another folder, inside your workspace')
    .option('--force', 'overwrite files you changed (each is backed up first)')
    .option('--dry-run', 'list what would happen and write nothing')
    .option('--student <name>', 'your name or GitHub handle for the README')
    .option('--project <id>', 'your GCP project id, for the Terraform and BigQuery files')
    .option('--region <region>', 'your GCP region (default europe-west6)')
    .addHelpText(
      'after',
      examples('dec homework init 1', 'dec homework init 3 --project my-gcp-project', 'dec homework init 1 --dry-run'),
    )
    .action(async (week: string, options: import('./commands/homework.js').HomeworkInitOptions, command: Command) => {
      const { homeworkInit } = await import('./commands/homework.js');
      process.exitCode = await homeworkInit(contextOf(command), week, options);
    });
  for (const name of ['list', 'status']) {
    homework
      .command(name)
      .description('per week: scaffolded or not, questions answered, due date and days left (or late)')
      .addHelpText('after', examples(`dec homework ${name}`, `dec homework ${name} --json`))
      .action(async (_options, command: Command) => {
        const { homeworkStatus } = await import('./commands/homework.js');
        process.exitCode = await homeworkStatus(contextOf(command));
      });
  }
  homework
    .command('check')
    .description('check every answer is there and well-formed, and run each SQL answer read-only against Postgres')
    .argument('<week>', 'a week with homework')
    .option('--dir <dir>', 'the homework folder, if not the default')
    .option('--db <url>', 'Postgres to run the queries on (default: the one dec setup week1 runs)')
    .option('--timeout <seconds>', 'time limit per query', '10')
    .addHelpText(
      'after',
      `${examples('dec homework check 1', 'dec homework check 1 --db postgresql://root:root@localhost:5433/ny_taxi', 'dec homework check 1 --json')}
Exit codes: 0 ready to submit, 1 something to fix, 2 could not run (no answers file, no database).`,
    )
    .action(async (week: string, options: import('./commands/homework.js').CheckOptions, command: Command) => {
      const { homeworkCheck } = await import('./commands/homework.js');
      process.exitCode = await homeworkCheck(contextOf(command), week, options);
    });
}

function registerData(program: Command): void {
  const data = program.command('data').description(summaryOf('data'));
  data
    .command('list')
    .description('the datasets the syllabus knows, their URL patterns, and what is downloaded')
    .addHelpText('after', examples('dec data list', 'dec data list --json'))
    .action(async (_options, command: Command) => {
      const { dataList } = await import('./commands/data.js');
      process.exitCode = await dataList(contextOf(command));
    });
  data
    .command('get')
    .description('download months of a dataset (resumes an interrupted download)')
    .argument('<dataset>', 'yellow, green, fhv, fhvhv or zones')
    .argument('[months...]', 'YYYY-MM or YYYY-MM..YYYY-MM')
    .option('--source <source>', "mirror (the course's csv.gz, default) or tlc (parquet)")
    .option('--timeout <seconds>', 'give up on a connection that sends nothing for this long', '30')
    .addHelpText(
      'after',
      examples('dec data get yellow 2021-01', 'dec data get fhv 2019-01..2019-12', 'dec data get zones'),
    )
    .action(
      async (dataset: string, months: string[], options: import('./commands/data.js').GetOptions, command: Command) => {
        const { dataGet } = await import('./commands/data.js');
        process.exitCode = await dataGet(contextOf(command), dataset, months, options);
      },
    );
  data
    .command('load')
    .description(
      'load a dataset (downloading it first) or a file into Postgres with COPY; the old table stays if anything fails',
    )
    .argument('[dataset]', 'yellow, green, fhv, fhvhv or zones')
    .argument('[months...]', 'YYYY-MM or YYYY-MM..YYYY-MM')
    .option('--file <path>', 'load this .csv, .csv.gz or .parquet file instead')
    .option('--table <name>', "the table (default: the course's name, e.g. yellow_taxi_trips)")
    .option('--db <url>', 'Postgres to load into (default: the one dec setup week1 runs)')
    .option('--database <name>', 'another database of that Postgres, e.g. production (it must exist)')
    .option('--schema <name>', 'the schema of the table, e.g. trips_data_all (made when missing; default public)')
    .option('--for <week>', "the tables a week's stack reads, e.g. week4: yellow and green 2019-2020, FHV 2019")
    .option('--replace', 'replace the table (default)')
    .option('--append', 'add to the table')
    .option('--source <source>', 'mirror (default) or tlc')
    .option('--dry-run', 'say what would be downloaded and loaded (sizes, rough rows); change nothing')
    .option('-y, --yes', 'do not ask before a --for load (scripts and CI must pass it)')
    .addHelpText(
      'after',
      examples(
        'dec data load yellow 2021-01',
        'dec data load zones',
        'dec data load --file yellow_tripdata_2021-01.csv.gz --table yellow_taxi_trips',
        'dec data load yellow 2021-02 --append',
        'dec data load --for week4 --dry-run      # week 4: production.trips_data_all, 60 months, many GB',
        'dec data load --for week4 2019-01        # one month of each source',
        'dec data load --for week4 yellow 2019-01..2019-03 --yes',
        'dec data load yellow 2019-01 --database production --schema trips_data_all --table yellow_tripdata',
      ),
    )
    .action(
      async (
        dataset: string | undefined,
        months: string[],
        options: import('./commands/data.js').DataLoadOptions,
        command: Command,
      ) => {
        const { dataLoad } = await import('./commands/data.js');
        process.exitCode = await dataLoad(contextOf(command), dataset, months, options);
      },
    );
  data
    .command('sample')
    .description(
      "write a SYNTHETIC sample in the yellow-taxi layout, with the real zone lookup beside it, to try week 1's joins without a network",
    )
    .option('--rows <n>', 'how many trips', '10000')
    .option('--out <file>', 'where (.csv or .csv.gz)')
    .addHelpText('after', examples('dec data sample', 'dec data sample --rows 100000 --out trips.csv.gz'))
    .action(async (options: { rows?: string; out?: string }, command: Command) => {
      const { dataSample } = await import('./commands/data.js');
      process.exitCode = await dataSample(contextOf(command), options.rows, options.out);
    });
  data
    .command('clean')
    .description("delete downloaded files from dec's cache to free disk space (the tables in Postgres stay)")
    .argument('[dataset]', 'only this dataset (default: every download)')
    .argument('[months...]', 'only these months: YYYY-MM or YYYY-MM..YYYY-MM')
    .option('-y, --yes', 'delete without asking')
    .addHelpText(
      'after',
      examples('dec data clean', 'dec data clean fhvhv', 'dec data clean yellow 2019-01..2019-06 --yes'),
    )
    .action(async (dataset: string | undefined, months: string[], options: { yes?: boolean }, command: Command) => {
      const { dataClean } = await import('./commands/data.js');
      process.exitCode = await dataClean(contextOf(command), dataset, months, options);
    });
}

function registerRun(program: Command, alone: boolean): void {
  const run = program
    .command('run')
    .description(summaryOf('run'))
    .argument('<week>', 'a week whose stack has a tool: 4, week4, week-4')
    .argument('[command...]', 'the command and its arguments, passed as typed (options included)')
    .helpCommand(false)
    .addHelpText(
      'after',
      `${examples('dec run week4 dbt debug', "dec run week4 dbt build --vars 'is_test_run: false'", 'dec run week6 kafka-topics --bootstrap-server broker:29092 --list', 'dec run week4 -- dbt --version')}
Runs in a one-off container of the stack's tool service (set it up first: dec setup <week>), with your
project folder mounted; inside it (e.g. homework/week4/models) the command runs in the same folder.
Put dec's own options (--syllabus, --debug) before "run": everything after the week is the command's.
Exit codes: the command's own; 130 after Ctrl-C (the command gets SIGINT); 2 could not run.`,
    )
    .action(async (week: string, command: string[], _options, cmd: Command) => {
      const { runInStack } = await import('./commands/run.js');
      process.exitCode = await runInStack(contextOf(cmd), week, command);
    });
  // Options after the week belong to the command. Commander allows it only with positional options on
  // the program, which buildProgram turns on when run is the command (help lists run without it).
  if (alone) run.passThroughOptions();
  else run.allowUnknownOption();
}

function registerInit(program: Command): void {
  program
    .command('init')
    .description(summaryOf('init'))
    .argument('[dir]', 'the folder; created if missing', '.')
    .option('--start <date>', 'the day you started, YYYY-MM-DD (default: today)')
    .option('--force', 'rewrite the settings of an existing workspace (progress is kept)')
    .addHelpText(
      'after',
      `${examples('dec init', 'dec init my-zoomcamp --syllabus dez-2026', 'dec init my-zoomcamp --start 2026-01-12', 'dec init --syllabus ./cohort-2025.yaml')}
The course: --syllabus dez-2022 (the 2022 cohort, the default) or dez-2026 (the current course), or a YAML file.
On a terminal, dec init asks which course when --syllabus and DEC_SYLLABUS are not given.`,
    )
    .action(async (dir: string, options: { start?: string; force?: boolean }, command: Command) => {
      const { initWorkspace } = await import('./commands/init.js');
      await initWorkspace(contextOf(command), dir, options);
    });
}

interface CommandGroup {
  name: string;
  summary: string;
  /** How `dec --help` lists it: commander's term for the built group (a unit test keeps them equal). */
  term: string;
  /** `alone`: only this group is being run (so it may turn on what the others must not have). */
  register(program: Command, alone: boolean): void;
}

/** In the order `dec --help` lists them. */
const GROUPS: CommandGroup[] = [
  { name: 'weeks', term: 'weeks', summary: 'the course, week by week', register: registerWeeks },
  {
    name: 'progress',
    term: 'progress [options]',
    summary: 'your progress: overall, per week, and the next step',
    register: registerProgress,
  },
  {
    name: 'doctor',
    term: 'doctor [options]',
    summary:
      'check every prerequisite of the course (Docker, Postgres, ports, Terraform, gcloud, Java, ...) and say how to fix each problem',
    register: registerDoctor,
  },
  {
    name: 'setup',
    term: 'setup [options] [week]',
    summary: "start a week's local environment through the Docker API (week 1: Postgres and pgAdmin), ready to use",
    register: registerSetup,
  },
  {
    name: 'teardown',
    term: 'teardown [options] <week>',
    summary: 'same as dec setup <week> --down: remove the containers, keep the data',
    register: registerTeardown,
  },
  {
    name: 'homework',
    term: 'homework',
    summary: "scaffold each week's homework folder, see where you stand, and check it before you submit",
    register: registerHomework,
  },
  {
    name: 'data',
    term: 'data',
    summary: "the course's NYC taxi data: download it, and load it into the week-1 Postgres at COPY speed",
    register: registerData,
  },
  {
    name: 'run',
    term: 'run <week> [command...]',
    summary:
      "run a course CLI in a week's stack without installing it: dec run week4 dbt build, dec run week6 kafka-topics ...",
    register: registerRun,
  },
  {
    name: 'init',
    term: 'init [options] [dir]',
    summary: 'make a folder (your course repo) a dec workspace: syllabus choice, start date, .gitignore',
    register: registerInit,
  },
];

function summaryOf(name: string): string {
  return GROUPS.find((group) => group.name === name)?.summary ?? '';
}
