// The commands that need Docker, Postgres, templates or downloads, built into their own bundle
// (dist/commands.cjs) so that `dec --help` and `dec weeks list` load and cache less code.
export { doctor } from '../commands/doctor.js';
export { setup, setupStatus } from '../commands/setup.js';
export { homeworkCheck, homeworkInit, homeworkStatus } from '../commands/homework.js';
export { dataClean, dataGet, dataList, dataLoad, dataSample } from '../commands/data.js';
export { runInStack } from '../commands/run.js';
