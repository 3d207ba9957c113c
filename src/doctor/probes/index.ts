// Every probe, in the order the report shows them.
import type { Probe } from '../types.js';
import { bq, gcloud, gcpCredentials, terraform } from './cloud.js';
import { bruin, duckdb, uv } from './current-course.js';
import { compose, decContainers, dockerCli, dockerEngine, dockerMemory } from './docker.js';
import { dbt, java, pip, python, spark } from './languages.js';
import { ports } from './ports.js';
import { kafkaPython, rpk } from './streaming.js';
import { pgcli, postgresPort, psql } from './postgres.js';
import { osProbe, resources, wsl } from './system.js';
import { downloader, git } from './tools.js';

export const PROBES: readonly Probe[] = [
  osProbe,
  wsl,
  resources,
  dockerCli,
  dockerEngine,
  compose,
  dockerMemory,
  decContainers,
  psql,
  pgcli,
  postgresPort,
  ports,
  terraform,
  gcloud,
  bq,
  gcpCredentials,
  python,
  pip,
  java,
  spark,
  dbt,
  uv,
  duckdb,
  bruin,
  kafkaPython,
  rpk,
  git,
  downloader,
];
