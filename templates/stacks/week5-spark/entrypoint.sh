#!/bin/sh
# dec's Spark image (templates/stacks/week5-spark): one image for the master, the workers and JupyterLab.
#   master   the standalone master: RPC on 7077, web UI on 8080 (its /json/ page lists the alive workers)
#   worker   a worker that registers with $SPARK_MASTER_URL (SPARK_WORKER_CORES, SPARK_WORKER_MEMORY)
#   jupyter  JupyterLab on 8888 in /opt/workspace; pyspark's driver runs here, inside the network
#   anything else runs as given: `dec run week5 spark-submit app.py` is spark-submit in this image.
# Every process logs to stdout (docker logs), not to files under $SPARK_HOME/logs as the course's
# image does.
set -e

# dec runs the containers as the student's uid (files in the homework folder stay theirs). Java and
# Hadoop need a name for that uid ("invalid null input: name" otherwise): add one, as Spark's own
# images do. /etc/passwd is writable by group 0 for this.
if ! id -un >/dev/null 2>&1 && [ -w /etc/passwd ]; then
  echo "spark:x:$(id -u):$(id -g):Spark:${HOME:-/tmp}:/usr/sbin/nologin" >> /etc/passwd
fi

SPARK_MASTER_URL="${SPARK_MASTER_URL:-spark://${SPARK_MASTER_HOST:-spark-master}:${SPARK_MASTER_PORT:-7077}}"

case "${1:-}" in
  master)
    shift
    exec "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
      --host "${SPARK_MASTER_HOST:-spark-master}" --port "${SPARK_MASTER_PORT:-7077}" \
      --webui-port "${SPARK_MASTER_WEBUI_PORT:-8080}" "$@"
    ;;
  worker)
    shift
    # Spark 3.0's Worker takes the cores and memory from SPARK_WORKER_CORES and SPARK_WORKER_MEMORY.
    exec "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker \
      --webui-port "${SPARK_WORKER_WEBUI_PORT:-8081}" "$@" "$SPARK_MASTER_URL"
    ;;
  jupyter)
    shift
    # The token comes from JUPYTER_TOKEN (dec keeps it in its 0600 settings file): Jupyter then logs
    # "?token=..." instead of the token itself, so `docker logs` never shows it.
    exec jupyter lab --ip=0.0.0.0 --port="${JUPYTER_PORT:-8888}" --no-browser \
      --ServerApp.root_dir="${SHARED_WORKSPACE:-/opt/workspace}" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
