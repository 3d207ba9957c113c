// The commands that need Docker, Postgres, templates or downloads, built into their own bundle
// (dist/commands.cjs) so that `dec --help` and `dec weeks list` load and cache less code.
// Each command group is imported only when one of its commands runs: esbuild keeps a dynamically
// imported module lazy inside the bundle, so `dec data load` does not build the syllabus schema,
// load YAML or set up the stack engine that `dec setup` needs (bench/load-overhead.mjs).
type Command = (...args: never[]) => Promise<unknown>;

/** A function that loads its command group on first call, then runs `name` from it. */
function lazy<M extends Record<K, Command>, K extends keyof M & string>(load: () => Promise<M>, name: K): M[K] {
  const run = async (...args: Parameters<M[K]>) => (await load())[name](...args);
  return run as unknown as M[K];
}

const doctorCommands = () => import('../commands/doctor.js');
const setupCommands = () => import('../commands/setup.js');
const homeworkCommands = () => import('../commands/homework.js');
const dataCommands = () => import('../commands/data.js');
const runCommands = () => import('../commands/run.js');

export const doctor = lazy(doctorCommands, 'doctor');
export const setup = lazy(setupCommands, 'setup');
export const setupStatus = lazy(setupCommands, 'setupStatus');
export const homeworkCheck = lazy(homeworkCommands, 'homeworkCheck');
export const homeworkInit = lazy(homeworkCommands, 'homeworkInit');
export const homeworkStatus = lazy(homeworkCommands, 'homeworkStatus');
export const dataClean = lazy(dataCommands, 'dataClean');
export const dataGet = lazy(dataCommands, 'dataGet');
export const dataList = lazy(dataCommands, 'dataList');
export const dataLoad = lazy(dataCommands, 'dataLoad');
export const dataSample = lazy(dataCommands, 'dataSample');
export const runInStack = lazy(runCommands, 'runInStack');
