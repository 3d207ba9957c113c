"""Week {{week}} homework ({{cohort}} cohort): Spark on the high-volume FHV trips of February 2021.

Run with: python spark_homework.py (Spark on this machine, local[*]),
or on dec's Spark cluster: cd homework/week{{week}} && dec run week{{week}} spark-submit spark_homework.py
Fill in the TODO block of each question; the answers go in README.md.
"""
# Student: {{student}}

from pyspark.sql import SparkSession
from pyspark.sql import functions as F  # noqa: F401  (for your answers)
from pyspark.sql import types as T

# TODO: where you saved the downloads (Spark reads .csv.gz directly). Relative paths are relative to the
# folder you run from; on dec's cluster keep them inside homework/week{{week}}, the folder the workers see too.
TRIPS_CSV = "fhvhv_tripdata_2021-02.csv.gz"
ZONES_CSV = "taxi_zone_lookup.csv"
PARQUET_DIR = "data/pq/fhvhv/2021/02/"

# Spark would guess every CSV column as a string; an explicit schema gives timestamps and integers.
TRIPS_SCHEMA = T.StructType(
    [
        T.StructField("hvfhs_license_num", T.StringType(), True),
        T.StructField("dispatching_base_num", T.StringType(), True),
        T.StructField("pickup_datetime", T.TimestampType(), True),
        T.StructField("dropoff_datetime", T.TimestampType(), True),
        T.StructField("PULocationID", T.IntegerType(), True),
        T.StructField("DOLocationID", T.IntegerType(), True),
        T.StructField("SR_Flag", T.StringType(), True),
    ]
)


def main() -> None:
    # No .master(...): `python spark_homework.py` runs Spark on this machine (local[*]), and spark-submit
    # (or dec's cluster, whose MASTER is spark://spark-master:7077) picks the cluster.
    spark = SparkSession.builder.appName("week{{week}}-homework").getOrCreate()

    # q1: the Spark version
    print("Spark version:", spark.version)

    # q2: repartition to 24 and write parquet; then look at the size of the folder (du -sh, or your file manager).
    # Once the parquet folder exists, you can comment out these two lines to skip the slow CSV pass.
    trips_csv = spark.read.option("header", "true").schema(TRIPS_SCHEMA).csv(TRIPS_CSV)
    trips_csv.repartition(24).write.parquet(PARQUET_DIR, mode="overwrite")
    trips = spark.read.parquet(PARQUET_DIR)
    trips.printSchema()

    # q3: how many trips started on 2021-02-15
    # TODO: filter on the pickup date, then count.

    # q4: the day of the longest trip
    # TODO: compute each trip's duration from dropoff_datetime - pickup_datetime, then find the largest.

    # q5: the most frequent dispatching_base_num; count the stages of that job in the Spark UI
    # TODO: group by dispatching_base_num, count, order by the count.

    # q6: the most common pickup/drop-off zone pair, as "Zone A / Zone B" ("Unknown" when a zone is missing)
    zones = spark.read.option("header", "true").csv(ZONES_CSV)
    zones.printSchema()
    # TODO: join the trips with the zones twice (pickup and drop-off), build the pair, count, order.

    # Bonus (ungraded): which join type did Spark pick for the zones, and how many stages did that job have?
    # Look at the query plan and the stages in the UI.

    # Spark stops when the script ends; wait so you can read the jobs and stages in the UI first.
    try:
        input(f"Spark UI: {spark.sparkContext.uiWebUrl} - press Enter to stop Spark. ")
    except EOFError:
        pass  # no terminal (e.g. run from a script): stop right away
    spark.stop()


if __name__ == "__main__":
    main()
