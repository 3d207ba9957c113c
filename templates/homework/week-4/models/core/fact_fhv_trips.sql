-- Fact table of the 2019 FHV trips with the pickup and drop-off zones.
-- dim_zones is the zones model of the lessons (models/core/dim_zones.sql on the taxi_zone_lookup seed).

{{{{ config(materialized='table') }}}}

with fhv_trips as (

    select * from {{{{ ref('stg_fhv_tripdata') }}}}

),

dim_zones as (

    select * from {{{{ ref('dim_zones') }}}}
    where borough != 'Unknown'

)

select
    fhv_trips.dispatching_base_num,
    fhv_trips.pickup_datetime,
    fhv_trips.dropoff_datetime,
    fhv_trips.pickup_locationid,
    pickup_zone.borough as pickup_borough,
    pickup_zone.zone as pickup_zone,
    fhv_trips.dropoff_locationid,
    dropoff_zone.borough as dropoff_borough,
    dropoff_zone.zone as dropoff_zone,
    fhv_trips.sr_flag

from fhv_trips
-- inner joins drop the trips whose zone is missing or unknown: question 4 keeps only trips whose pickup and
-- drop-off zones are both known, picked up in 2019 (TODO: filter here if stg_fhv_tripdata does not)
inner join dim_zones as pickup_zone
    on fhv_trips.pickup_locationid = pickup_zone.locationid
inner join dim_zones as dropoff_zone
    on fhv_trips.dropoff_locationid = dropoff_zone.locationid
