-- Week {{week}} homework ({{cohort}} cohort): SQL on the yellow taxi trips of January 2021.
--
-- Tables, in the ny_taxi database of `dec setup week1`:
--   yellow_taxi_trips  one row per trip (tpep_pickup_datetime, tpep_dropoff_datetime, tip_amount,
--                      total_amount, "PULocationID", "DOLocationID", ...)
--   zones              the zone lookup ("LocationID", "Borough", "Zone", service_zone)
-- Postgres folds unquoted names to lower case, so mixed-case columns need double quotes.
--
-- Each block below is a starting point that runs but does not answer the question yet: finish it
-- where it says TODO, then copy the final query next to your answer in answers.yaml and README.md.

-- practice (not graded): is the zone lookup loaded?
SELECT COUNT(*) AS zones
FROM zones;

-- q3: trips started on 2021-01-15
SELECT COUNT(*) AS trips
FROM yellow_taxi_trips AS t
WHERE t.tpep_pickup_datetime IS NOT NULL; -- TODO: keep only the trips picked up on that day

-- q4: the day in January with the largest tip
SELECT
    CAST(t.tpep_pickup_datetime AS DATE) AS day,
    MAX(t.tip_amount) AS largest_tip
FROM yellow_taxi_trips AS t
GROUP BY 1
ORDER BY 1; -- TODO: order so that the answer comes first, and keep one row

-- q5: most popular drop-off zone for trips picked up in Central Park on 2021-01-14
SELECT
    COALESCE(dropoff."Zone", 'Unknown') AS dropoff_zone,
    COUNT(*) AS trips
FROM yellow_taxi_trips AS t
LEFT JOIN zones AS pickup ON t."PULocationID" = pickup."LocationID"
LEFT JOIN zones AS dropoff ON t."DOLocationID" = dropoff."LocationID"
WHERE pickup."Zone" IS NOT NULL -- TODO: the pickup zone is Central Park and the pickup day is 2021-01-14
GROUP BY 1
ORDER BY trips DESC;

-- q6: pickup/drop-off zone pair with the highest average total_amount (answer as "pickup / drop-off")
SELECT
    COALESCE(pickup."Zone", 'Unknown') || ' / ' || COALESCE(dropoff."Zone", 'Unknown') AS zone_pair,
    AVG(t.total_amount) AS avg_total_amount
FROM yellow_taxi_trips AS t
LEFT JOIN zones AS pickup ON t."PULocationID" = pickup."LocationID"
LEFT JOIN zones AS dropoff ON t."DOLocationID" = dropoff."LocationID"
GROUP BY 1; -- TODO: order so that the highest average comes first, and keep one row
