-- Week {{week}} homework ({{cohort}} cohort): BigQuery on the 2019 FHV trips.
-- Project {{gcp_project}}, dataset trips_data_all, bucket dtc_data_lake_{{gcp_project}} (from week 1).
-- Run one statement at a time in the BigQuery console and fill in every TODO.

-- 1. An external table: BigQuery reads the files in the bucket on every query and stores nothing.
CREATE OR REPLACE EXTERNAL TABLE `{{gcp_project}}.trips_data_all.external_fhv_tripdata`
OPTIONS (
    -- TODO: point at where your files are; the wildcard picks up every month of 2019.
    format = 'CSV',
    skip_leading_rows = 1,
    compression = 'GZIP',
    uris = ['gs://dtc_data_lake_{{gcp_project}}/raw/fhv/fhv_tripdata_2019-*.csv.gz']
    -- Parquet files instead: format = 'PARQUET' and uris ending in .parquet (drop the other options).
);

-- 2. A regular (materialised) table with the same rows, stored in BigQuery.
CREATE OR REPLACE TABLE `{{gcp_project}}.trips_data_all.fhv_tripdata` AS
SELECT * FROM `{{gcp_project}}.trips_data_all.external_fhv_tripdata`;

-- 3. A partitioned and clustered copy.
-- TODO: choose the columns from the questions: partition on the column you filter by (one partition per day),
-- cluster on the columns you filter or sort by within a partition.
CREATE OR REPLACE TABLE `{{gcp_project}}.trips_data_all.fhv_tripdata_partitioned_clustered`
PARTITION BY DATE(pickup_datetime)
CLUSTER BY dispatching_base_num AS
SELECT * FROM `{{gcp_project}}.trips_data_all.external_fhv_tripdata`;

-- q1: how many FHV trips in 2019
SELECT COUNT(*) AS trips
FROM `{{gcp_project}}.trips_data_all.fhv_tripdata`;
-- TODO: make sure the table holds exactly the 2019 months

-- q2: how many distinct dispatching_base_num values
SELECT
    COUNT(*) AS distinct_bases -- TODO: count distinct values, not rows
FROM `{{gcp_project}}.trips_data_all.fhv_tripdata`;

-- q4: a filtered count; compare the bytes estimated before the run with the bytes processed after it
SELECT COUNT(*) AS trips
FROM `{{gcp_project}}.trips_data_all.fhv_tripdata_partitioned_clustered`
WHERE
    DATE(dropoff_datetime) BETWEEN '2019-01-01' AND '2019-03-31' -- TODO: the date range of the question
    AND dispatching_base_num IN ('B00000'); -- TODO: the bases of the question

-- q3, q5, q6: questions about strategy. Try the candidate layouts on a copy of the table
-- (CREATE TABLE ... PARTITION BY ... CLUSTER BY ... AS SELECT ...) and compare the bytes processed
-- by the same query on each. Write the reasoning in your README.
