"""Week {{week}} homework ({{cohort}} cohort): a monthly ingestion DAG for Airflow 2.2.

Each run downloads one month of trip data, uploads it to the data lake bucket, then removes the local copy.
Fill in every TODO. Until start_date is set, Airflow lists this file as a broken DAG.

Airflow renders the {{{{ ... }}}} expressions in templated fields (bash_command, op_kwargs) for each run:
execution_date is the start of the interval the run covers, here a month.
"""
# Student: {{student}}

import os
from datetime import datetime  # noqa: F401  (for start_date, once you set it)

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator

AIRFLOW_HOME = os.environ.get("AIRFLOW_HOME", "/opt/airflow")
PROJECT_ID = os.environ.get("GCP_PROJECT_ID", "{{gcp_project}}")
BUCKET = os.environ.get("GCP_GCS_BUCKET", "dtc_data_lake_{{gcp_project}}")

# TODO: the dataset this DAG ingests (yellow, fhv, ...). The files are named <dataset>_tripdata_<YYYY-MM>.csv.gz.
DATASET = "yellow"
MONTH = "{{{{ execution_date.strftime('%Y-%m') }}}}"
FILE_NAME = DATASET + "_tripdata_" + MONTH + ".csv.gz"
URL = "https://github.com/DataTalksClub/nyc-tlc-data/releases/download/" + DATASET + "/" + FILE_NAME
LOCAL_FILE = AIRFLOW_HOME + "/" + FILE_NAME


def upload_to_gcs(bucket: str, object_name: str, local_file: str) -> None:
    """Upload one local file to gs://<bucket>/<object_name>."""
    # TODO: upload with the google-cloud-storage client (installed in the course's Airflow image):
    #   from google.cloud import storage
    #   storage.Client().bucket(bucket).blob(object_name).upload_from_filename(local_file)
    # Optionally convert the CSV to parquet first (pyarrow) if you want parquet in the lake.
    raise NotImplementedError("upload_to_gcs: fill in the upload")


default_args = {
    "owner": "airflow",
    "depends_on_past": False,
    "retries": 1,
}

with DAG(
    dag_id="data_ingestion_" + DATASET,
    # TODO (question 1): the first month this DAG should ingest, e.g. start_date=datetime(YYYY, M, D),
    # TODO (question 2): how often a new file appears, e.g. schedule_interval="0 6 2 * *" or "@monthly",
    default_args=default_args,
    catchup=True,
    max_active_runs=3,
    tags=["dezoomcamp", "homework"],
) as dag:
    # -f fails on an HTTP error (a month that does not exist), -L follows GitHub's redirect.
    download = BashOperator(
        task_id="download",
        bash_command="curl -sSLf " + URL + " > " + LOCAL_FILE,
    )

    upload = PythonOperator(
        task_id="upload_to_gcs",
        python_callable=upload_to_gcs,
        op_kwargs={
            "bucket": BUCKET,
            "object_name": "raw/" + DATASET + "/" + FILE_NAME,
            "local_file": LOCAL_FILE,
        },
    )

    # TODO (optional): a task that loads the file from GCS into BigQuery or into the week-1 Postgres.

    cleanup = BashOperator(
        task_id="cleanup",
        bash_command="rm -f " + LOCAL_FILE,
    )

    download >> upload >> cleanup
