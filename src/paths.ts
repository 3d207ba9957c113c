// Where dec keeps things. Read from the environment at call time so tests can point it anywhere.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root: dist/*.cjs and src/*.ts both sit one folder below it. In the bundle (CommonJS)
 * from __dirname, which costs nothing; from the sources (tests), from the module's URL.
 */
export const PACKAGE_ROOT =
  typeof __dirname === 'string' ? join(__dirname, '..') : fileURLToPath(new URL('../', import.meta.url));

/** The user's home from the OS, asked only when HOME and USERPROFILE are unset (node:os costs a start). */
function homedir(): string {
  return (createRequire(import.meta.url)('node:os') as typeof import('node:os')).homedir();
}
export const BUILTIN_SYLLABUS_DIR = join(PACKAGE_ROOT, 'syllabus');
export const DEFAULT_SYLLABUS_ID = 'dez-2022';
export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');

type Env = NodeJS.ProcessEnv;

function home(env: Env): string {
  return env.HOME || env.USERPROFILE || homedir();
}

/** The user's state folder: DEC_HOME, else the platform's (XDG on Linux). */
export function stateDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (env.DEC_HOME) return env.DEC_HOME;
  if (platform === 'darwin') return join(home(env), 'Library', 'Application Support', 'dec');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home(env), 'AppData', 'Local'), 'dec', 'State');
  return join(env.XDG_STATE_HOME || join(home(env), '.local', 'state'), 'dec');
}

/** Disposable things (the compiled-syllabus cache): DEC_HOME/cache, else the platform's cache folder. */
export function cacheDir(env: Env, platform: NodeJS.Platform = process.platform): string {
  if (env.DEC_HOME) return join(env.DEC_HOME, 'cache');
  if (platform === 'darwin') return join(home(env), 'Library', 'Caches', 'dec');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home(env), 'AppData', 'Local'), 'dec', 'Cache');
  return join(env.XDG_CACHE_HOME || join(home(env), '.cache'), 'dec');
}
