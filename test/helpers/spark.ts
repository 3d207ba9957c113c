// A stand-in for dec's Spark image (templates/stacks/week5-spark) for real-engine tests: no registry is
// reachable, and the real image downloads Spark. Built from the busybox test image (docker create, cp,
// commit: nothing is pulled) with the real image's interface (test/fixtures/spark-standin/):
// - ENTRYPOINT dispatches on the first argument, as entrypoint.sh does:
//   master   busybox httpd on 8080 whose /json/ page counts the workers that registered in the last
//            20 s (`aliveworkers`, and a `workers` list with state ALIVE), as Spark's master UI does
//            (Spark's own spark.worker.timeout is 60 s; 3 s, as it was, lost workers on a loaded CI machine);
//   worker   waits STANDIN_REGISTER_AFTER seconds (default 2: a JVM is not registered the moment it
//            starts), then registers with http://spark-master:8080/cgi-bin/register every second;
//   jupyter  busybox httpd on 8888 answering /api;
//   anything else runs as given (`dec run week5 sh -c 'exit 7'`).
// - /bin/spark-submit: checks that its first argument is a file in the working folder, prints where it
//   runs and the MASTER it would use, and the master's /json/ page (reached over the stack network).
// Every process stops at once on SIGTERM.
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerCli, docker, ensureBusyboxImage } from './docker.js';

const SPARK_STANDIN_IMAGE = 'dec-test/spark-standin:1';
// The scripts, shared with bench/setup-week5.mjs (which builds its own image from the same file).
const SCRIPTS = fileURLToPath(new URL('../fixtures/spark-standin/', import.meta.url));
const ENTRYPOINT = readFileSync(join(SCRIPTS, 'dec-spark.sh'), 'utf8');
const SPARK_SUBMIT = readFileSync(join(SCRIPTS, 'spark-submit.sh'), 'utf8');
/** An image built from other scripts is built again. */
const RECIPE = `spark-standin-${createHash('sha256').update(ENTRYPOINT).update(SPARK_SUBMIT).digest('hex').slice(0, 12)}`;

let pending: Promise<string> | undefined;

/** The stand-in image, built when missing or made by another recipe. Returns its tag. */
export function ensureSparkStandInImage(): Promise<string> {
  pending ??= (async () => {
    const found = await dockerCli(
      ['image', 'inspect', '--format', '{{index .Config.Labels "dec.test.recipe"}}', SPARK_STANDIN_IMAGE],
      15_000,
    );
    if (found.code === 0 && found.stdout.trim() === RECIPE) return SPARK_STANDIN_IMAGE;
    const base = await ensureBusyboxImage();
    const work = mkdtempSync(join(tmpdir(), 'dec-spark-standin-'));
    const name = `dec-test-build-${process.pid}-spark-standin`;
    try {
      writeFileSync(join(work, 'dec-spark'), ENTRYPOINT);
      writeFileSync(join(work, 'spark-submit'), SPARK_SUBMIT);
      chmodSync(join(work, 'dec-spark'), 0o755);
      chmodSync(join(work, 'spark-submit'), 0o755);
      await dockerCli(['rm', '-f', name]);
      // No dec.test label on this container: commit would copy it onto every stack container.
      await docker(['create', '--name', name, base, '/bin/true']);
      await docker(['cp', join(work, 'dec-spark'), `${name}:/dec-spark`]);
      await docker(['cp', join(work, 'spark-submit'), `${name}:/bin/spark-submit`]);
      await docker([
        'commit',
        '--change',
        'ENTRYPOINT ["/bin/sh", "/dec-spark"]',
        '--change',
        'CMD ["master"]',
        '--change',
        `LABEL dec.test.recipe=${RECIPE}`,
        name,
        SPARK_STANDIN_IMAGE,
      ]);
      return SPARK_STANDIN_IMAGE;
    } finally {
      await dockerCli(['rm', '-f', name]);
      rmSync(work, { recursive: true, force: true });
    }
  })();
  pending.catch(() => (pending = undefined));
  return pending;
}
