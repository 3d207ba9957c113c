// A course workspace is the student's course repo, marked by .dec/workspace.json. Commands find it by
// walking up from the current folder, like git finds .git.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DecError } from '../errors.js';
import { readTextIfExists } from '../util/fs.js';
import { UPDATE_COMMAND } from '../version.js';

export const WORKSPACE_DIR = '.dec';
const MARKER_FILE = 'workspace.json';
export const WORKSPACE_FORMAT = 1;

export interface WorkspaceMarker {
  version: number;
  /** A built-in syllabus id, or a path relative to the workspace root. */
  syllabus: string;
  /** The day the student started, YYYY-MM-DD; self-paced due dates count from it. */
  startDate: string;
  createdWith?: string;
}

export interface Workspace {
  root: string;
  markerPath: string;
  marker: WorkspaceMarker;
}

export function markerPathFor(root: string): string {
  return join(root, WORKSPACE_DIR, MARKER_FILE);
}

/** The nearest folder at or above `cwd` that holds a marker, without reading it. */
function findWorkspaceRoot(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(markerPathFor(dir))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function parseMarker(text: string, path: string): WorkspaceMarker {
  const problem = (what: string) =>
    new DecError(`The workspace file ${path} ${what}.`, {
      hint: 'Fix it by hand, or delete it and run `dec init` again (your progress file is kept).',
    });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw problem('is not valid JSON');
  }
  if (typeof data !== 'object' || data === null) throw problem('is not a JSON object');
  const marker = data as Partial<WorkspaceMarker>;
  if (typeof marker.version !== 'number') throw problem('has no "version"');
  if (marker.version > WORKSPACE_FORMAT) {
    throw new DecError(`The workspace file ${path} was written by a newer dec (format ${marker.version}).`, {
      hint: `Update dec: ${UPDATE_COMMAND}`,
    });
  }
  if (typeof marker.syllabus !== 'string' || marker.syllabus === '') throw problem('has no "syllabus"');
  if (typeof marker.startDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(marker.startDate)) {
    throw problem('has no "startDate" as YYYY-MM-DD');
  }
  if (!isRealDay(marker.startDate)) {
    // Date.parse rolls 2025-02-30 over to 2 March: every due date would be silently wrong.
    throw new DecError(`In the workspace file ${path}, "startDate" "${marker.startDate}" is not a real day.`, {
      hint: `Set it to the day you started, e.g. "${nearestRealDay(marker.startDate)}"; your progress is kept.`,
    });
  }
  return marker as WorkspaceMarker;
}

/** A YYYY-MM-DD that names a day of the calendar (not 2025-02-30, not 2025-13-01). */
export function isRealDay(day: string): boolean {
  const time = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === day;
}

/** The last day of the month for a day past its end; an example date when the month is no month. */
function nearestRealDay(day: string): string {
  const [year, month] = day.split('-').map(Number) as [number, number];
  if (month < 1 || month > 12) return '2026-01-12';
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

export async function findWorkspace(cwd: string): Promise<Workspace | undefined> {
  const root = findWorkspaceRoot(cwd);
  if (root === undefined) return undefined;
  const markerPath = markerPathFor(root);
  const text = await readTextIfExists(markerPath, 'workspace file');
  if (text === undefined) return undefined;
  return { root, markerPath, marker: parseMarker(text, markerPath) };
}
