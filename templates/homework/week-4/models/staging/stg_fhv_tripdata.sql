-- Staging model for the 2019 FHV trips: typed, renamed columns, one row per trip.
-- Build it alone with: dbt build --select stg_fhv_tripdata --vars 'is_test_run: false'

{{{{ config(materialized='view') }}}}

with tripdata as (

    select *
    from {{{{ source('staging', 'fhv_tripdata') }}}}
    -- TODO: keep only the trips picked up in 2019 (the homework counts those), and add no
    -- deduplication step: the counts of questions 3 and 4 include every such row.

)

select
    -- TODO: check these names against your raw table. BigQuery ignores case in column names;
    -- Postgres does not, so a column loaded as "PUlocationID" must be written with those quotes.
    dispatching_base_num,
    cast(pickup_datetime as timestamp) as pickup_datetime,
    cast(dropoff_datetime as timestamp) as dropoff_datetime,
    cast(pulocationid as integer) as pickup_locationid,
    cast(dolocationid as integer) as dropoff_locationid,
    sr_flag

from tripdata

-- dbt build --vars 'is_test_run: false' builds the whole table
{% if var('is_test_run', default=true) %}
limit 100
{% endif %}
