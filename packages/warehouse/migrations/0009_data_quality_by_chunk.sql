-- data_quality kept per ledger chunk instead of per day (docs/design/exactly-once.md, "data_quality").
-- The per-day table of 0006 was filled only by a materialized view on ingest_ledger: a process killed between
-- the ledger's insert and the view's left that chunk out of data_quality for good, since a restart finds the
-- range in the ledger and never inserts it again. Here each ledger chunk has its own row, keyed by the ledger's
-- identity: the view still fills it at once, and the lifecycle step completes what a crash left out (the ledger
-- rows without a row here), so a chunk is counted once whether the view, the completion or both wrote it.

CREATE TABLE IF NOT EXISTS data_quality_chunks
(
    day Date,
    source_key UInt64,
    partition UInt32,
    first_position UInt64,
    deliveries UInt64,
    events_accepted UInt64,
    duplicates UInt64,
    rejected UInt64,
    rejected_by_reason Map(String, UInt64),
    unknown_procedure_events UInt64,
    late_events UInt64
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, source_key, partition, first_position);

-- Carried over: the per-day totals as one row per day (source_key 0, which no source has), and every chunk
-- already in the ledger marked as counted with zeros, since those totals include it.
-- when table exists: data_quality_daily
INSERT INTO data_quality_chunks
SELECT day, toUInt64(0), toUInt32(0), toUInt64(0), sum(deliveries), sum(events_accepted), sum(duplicates),
       sum(rejected), sumMap(rejected_by_reason), sum(unknown_procedure_events), sum(late_events)
FROM data_quality_daily
WHERE (SELECT count() FROM data_quality_chunks) = 0
GROUP BY day
UNION ALL
SELECT toDate(recorded_at, 'Asia/Ho_Chi_Minh'), source_key, partition, first_position, toUInt64(0), toUInt64(0),
       toUInt64(0), toUInt64(0), CAST(map(), 'Map(String, UInt64)'), toUInt64(0), toUInt64(0)
FROM ingest_ledger
WHERE (SELECT count() FROM data_quality_chunks) = 0;

DROP VIEW IF EXISTS ingest_ledger_to_data_quality;

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_ledger_to_data_quality_chunks TO data_quality_chunks AS
SELECT toDate(recorded_at, 'Asia/Ho_Chi_Minh') AS day,
       source_key,
       partition,
       first_position,
       toUInt64(deliveries) AS deliveries,
       toUInt64(accepted) AS events_accepted,
       toUInt64(duplicates) AS duplicates,
       toUInt64(rejected) AS rejected,
       rejected_by_reason,
       toUInt64(unknown_procedure) AS unknown_procedure_events,
       toUInt64(late) AS late_events
FROM ingest_ledger;

DROP VIEW IF EXISTS data_quality;

-- FINAL collapses a chunk written by both the view and the completion; the day leads the key, so a week reads
-- that week's granules.
CREATE VIEW IF NOT EXISTS data_quality AS
WITH deliveries AS
(
    SELECT day, sum(deliveries) AS deliveries, sum(events_accepted) AS events_accepted,
           sum(duplicates) AS duplicates, sum(rejected) AS rejected, sumMap(rejected_by_reason) AS rejected_by_reason,
           sum(unknown_procedure_events) AS unknown_procedure_events, sum(late_events) AS late_events
    FROM data_quality_chunks FINAL
    GROUP BY day
),
runs AS
(
    SELECT toDate(computed_at, 'Asia/Ho_Chi_Minh') AS day,
           argMax(communes_without_staffing, computed_at) AS communes_without_staffing
    FROM estimation_runs
    GROUP BY day
)
SELECT *
FROM deliveries
FULL OUTER JOIN runs USING (day)
ORDER BY day
SETTINGS join_use_nulls = 1;

DROP TABLE IF EXISTS data_quality_daily;

-- @server-only
GRANT INSERT ON data_quality_chunks TO cp_ingest;
