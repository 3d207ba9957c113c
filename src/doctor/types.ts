// The doctor's vocabulary: a probe checks one thing and returns a verdict with a fix.
import type {
  ContainerSummary,
  DockerClient,
  DockerEndpoint,
  DockerUnavailable,
  EngineVersion,
} from '../docker/client.js';
import type { Login, LoginResult } from '../postgres/login.js';
import type { ToolId } from '../syllabus/schema.js';
import type { ExecOptions, ExecResult } from '../util/exec.js';
import type { HostListener } from './host-ports.js';

export type { ExecOptions, ExecResult } from '../util/exec.js';

export type ProbeStatus = 'ok' | 'warn' | 'fail' | 'skipped' | 'crashed';

export const GROUPS = ['System', 'Docker', 'Postgres', 'Ports', 'Cloud', 'Languages', 'Tools'] as const;
export type ProbeGroup = (typeof GROUPS)[number];

/** Fixes dec may apply itself with --fix; anything else is printed for the student to run. */
export type AutoFix =
  | { kind: 'chmod-600'; path: string }
  | { kind: 'mkdir-700'; path: string }
  | { kind: 'start-containers'; containers: Array<{ id: string; name: string }> }
  | { kind: 'stop-container'; containerId: string; name: string };

export interface Fix {
  /** One line: what to do. */
  text: string;
  /** The exact command for this platform, when there is one. */
  command?: string;
  /** Present when dec can apply the fix (`dec doctor --fix`). */
  auto?: AutoFix;
}

export interface ProbeResult {
  status: ProbeStatus;
  /** Version found, if the probe found one. */
  version?: string;
  /** Range the syllabus wants. */
  wanted?: string;
  /** One line. */
  detail: string;
  fix?: Fix;
  /** Extra lines for --verbose and --report. */
  details?: string[];
}

/** What the selected weeks need, taken from the syllabus. */
export interface Needs {
  tools: Map<
    ToolId,
    {
      range?: string;
      required: boolean;
      weeks: number[];
      /** Each week's own range, where weeks differ (week 1 takes Compose >=1.29, week 2 >=2.0). */
      byWeek?: Array<{ week: number; range?: string }>;
      /** The course's other weeks that name the tool, with their ranges (`dec doctor --week 1`: week 2's Compose v2). */
      otherWeeks?: Array<{ week: number; range?: string }>;
      /**
       * The chosen weeks' stacks that stand in for it (the stack's `tool.provides`: week 4's dbt
       * container): a local install is optional for those weeks.
       */
      stacks?: StackPath[];
    }
  >;
  /** The local stacks of the chosen weeks (`dec setup <stack>`). */
  stacks: string[];
  /** Host ports the weeks' local stacks publish. */
  /** `managed`: the stack is one `dec setup` runs, so its fixes can name dec commands. */
  ports: Array<{
    port: number;
    service: string;
    stack: string;
    week: number;
    managed?: boolean;
    /** The login the stack's Postgres is set up with, when the service is one. */
    login?: { user: string; password: string; database: string };
    /** The week's other setups (`setup.variants`): their containers hold the port as the stack's own would. */
    variantStacks?: string[];
  }>;
  /** The chosen weeks' numbers (one for `dec doctor --week N`). */
  weeks?: number[];
  /** Largest memory (GiB) a selected week's stack asks of the Docker engine. */
  dockerMemoryGb?: number;
  /** Each chosen week's memory need (GiB), with its lighter setups (`dec setup <week> --variant <name>`). */
  memory?: MemoryNeed[];
  /** The chosen weeks' stacks that build their image (week 2's Airflow): it needs room in Docker's data root. */
  builds?: Array<{ week: number; stack: string }>;
  /**
   * The chosen weeks' stacks (and their variants) with images built for some platforms only (the
   * syllabus's `platforms`: week 6's Confluent 5.4.0, week 2's Airflow image): emulated on another CPU.
   */
  platformBound?: Array<{
    week: number;
    stack: string;
    services: Record<string, { image: string; platforms: string[] }>;
  }>;
  /** Key files the chosen weeks' stacks read through a bind (week 2's Airflow: ~/.google/credentials/…). */
  mountedKeys?: MountedKey[];
}

/** A local tool a week's stack stands in for: `dec setup <stack>`, then `dec run <stack> <example>`. */
export interface StackPath {
  week: number;
  stack: string;
  /** The command `dec run` shows for the stack (its `tool.example`), e.g. "dbt debug". */
  example?: string;
}

/** A service-account key a stack's containers read (GOOGLE_APPLICATION_CREDENTIALS inside a bind). */
export interface MountedKey {
  week: number;
  stack: string;
  /** The base of `path`: the student's home or the workspace. */
  from: 'home' | 'workspace';
  /** The key file, relative to `from` (posix). */
  path: string;
  /** What does not work without it (the bind's `withoutIt`). */
  withoutIt?: string;
}

export interface MemoryNeed {
  week: number;
  /** The stack `dec setup` runs for the week (undefined when the syllabus only states the need). */
  stack?: string;
  gb: number;
  /** Variants of the week's setup that need less, lightest first. */
  lighter: Array<{ name: string; stack: string; gb: number }>;
}

/** Host TCP ports. Real: host-ports.ts (sockets, /proc, ss/lsof/netstat through the one process runner). */
export interface HostPorts {
  /** Something accepts connections on 127.0.0.1:port (a stuck listener counts). Never throws. */
  inUse(port: number, timeoutMs: number): Promise<boolean>;
  /** dec could listen on 127.0.0.1:port right now. */
  canBind(port: number): Promise<boolean>;
  /** Who listens: undefined when nobody, {} when the OS will not say. Never throws. */
  listener(port: number): Promise<HostListener | undefined>;
}

/** This machine's size, and who runs dec. Real: node:os, statfs and process.getuid. */
export interface Machine {
  /** The user id dec runs as (0: root); undefined on Windows. */
  uid(): number | undefined;
  /** The OS kernel's release ("6.1.0-18-amd64"). */
  release(): string;
  cpus(): number;
  memoryBytes(): number;
  /** Free bytes for this user on the disk holding `path`; undefined when it cannot be read. */
  freeBytes(path: string): Promise<number | undefined>;
}

/** Postgres logins. Real: postgres/login.ts (pg), which no probe imports. */
export interface PostgresLogins {
  /** Loads the client library; probes call it in prepare, before their clock starts. */
  load(): Promise<void>;
  /** How a login on 127.0.0.1:port goes; never throws. */
  tryLogin(port: number, login: Login, timeoutMs: number): Promise<LoginResult>;
}

export type EngineFacts =
  | { reachable: true; endpoint: DockerEndpoint; client: DockerClient; version: EngineVersion }
  | { reachable: false; endpoint: DockerEndpoint; error: DockerUnavailable };

/** What the probes ask of the Docker engine, fetched once per context. Real: docker-facts.ts. */
export interface DockerFacts {
  /** Loads the Docker client; probes call it in prepare, before their clock starts. */
  load(): Promise<void>;
  /** The endpoint, and the engine's client and version or why it cannot be reached. */
  engine(): Promise<EngineFacts>;
  /** Every container, or undefined when the engine cannot be reached. */
  containers(): Promise<ContainerSummary[] | undefined>;
}

/** Everything a probe may touch. Real implementations in probe-context.ts; fakes in test/helpers/probe-context.ts. */
export interface ProbeContext {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch: string;
  home: string;
  cwd: string;
  /** The course workspace, if dec runs inside one. */
  workspaceRoot?: string;
  needs: Needs;
  timeoutMs: number;
  exec(file: string, args: string[], options?: ExecOptions): Promise<ExecResult>;
  readFile(path: string): Promise<string | undefined>;
  /** Computes a shared fact once for all probes (e.g. gcloud's active configuration). */
  once<T>(key: string, compute: () => Promise<T>): Promise<T>;
  machine: Machine;
  ports: HostPorts;
  postgres: PostgresLogins;
  docker: DockerFacts;
}

export interface Probe {
  id: string;
  title: string;
  group: ProbeGroup;
  /** What it checks, for `dec doctor --list`. */
  checks: string;
  /** The syllabus tools this probe serves; a probe runs when a selected week needs one of them. */
  tools?: ToolId[];
  /** Runs whatever the weeks need (system checks). */
  always?: boolean;
  /** Runs when the selected weeks publish ports. */
  whenPorts?: boolean;
  timeoutMs?: number;
  /**
   * dec's own work before the check (loading a module such as the Docker client): done before the
   * probe's clock starts, so a busy machine's slow start is never blamed on what the probe checks.
   */
  prepare?(ctx: ProbeContext): Promise<void>;
  run(ctx: ProbeContext): Promise<ProbeResult>;
}
