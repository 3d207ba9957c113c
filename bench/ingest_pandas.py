#!/usr/bin/env python3
"""The 2022 course's way of loading the taxi CSV into Postgres, for bench/ingest.mjs to compare with.

Our own code, following the logic of week 1's ingest_data.py: pandas reads the CSV in chunks of
100,000 rows, the two tpep_* columns go through pd.to_datetime, head(0).to_sql(if_exists="replace")
creates the table, then every chunk is appended with to_sql (SQLAlchemy + psycopg2).

    /usr/bin/python3 bench/ingest_pandas.py --db postgresql://postgres@127.0.0.1:5432/postgres \
        --table yellow_taxi_trips_pandas --file yellow.csv [--rows 300000]

Needs pandas, SQLAlchemy and psycopg2 (Debian: python3-pandas python3-sqlalchemy python3-psycopg2).
Prints one line per chunk, then a last line: `rows=<n> seconds=<s>`.
"""
import argparse
import sys
from time import perf_counter

import pandas as pd
from sqlalchemy import create_engine

CHUNK_ROWS = 100_000


def main() -> int:
    parser = argparse.ArgumentParser(description="Load a yellow-taxi CSV the course's pandas way.")
    parser.add_argument("--db", required=True, help="SQLAlchemy URL, postgresql://user@host:port/db")
    parser.add_argument("--table", required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--rows", type=int, default=None, help="only the first N data rows")
    args = parser.parse_args()

    started = perf_counter()
    engine = create_engine(args.db)
    chunks = pd.read_csv(args.file, iterator=True, chunksize=CHUNK_ROWS, nrows=args.rows)

    rows = 0
    first = True
    for df in chunks:
        chunk_started = perf_counter()
        df.tpep_pickup_datetime = pd.to_datetime(df.tpep_pickup_datetime)
        df.tpep_dropoff_datetime = pd.to_datetime(df.tpep_dropoff_datetime)
        if first:
            # The course creates the table from the first chunk's columns, then appends.
            df.head(n=0).to_sql(name=args.table, con=engine, if_exists="replace")
            first = False
        df.to_sql(name=args.table, con=engine, if_exists="append")
        rows += len(df)
        print(f"inserted another chunk, took {perf_counter() - chunk_started:.3f} seconds ({rows} rows)", flush=True)

    engine.dispose()
    print(f"rows={rows} seconds={perf_counter() - started:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
