-- The exactly-once write path (docs/design/exactly-once.md). Replaces the row-per-delivery ledger
-- (ingest_deliveries), the ReplacingMergeTree of events read with FINAL and the clock watermark of the lifecycle
-- step. A warehouse made by the earlier migrations is carried over: its events, rejects and file positions are
-- copied (statements marked "when table exists"), then the old objects are dropped.

-- Source identities: a Kafka topic by cluster id and topic id (never by name), a file by the hash of its bytes.
-- source_key is the first 6 bytes of SHA-256(identity), read big-endian: exact as a JavaScript number.
CREATE TABLE IF NOT EXISTS ingest_sources
(
    source_key UInt64,
    identity String,
    kind LowCardinality(String),
    -- what people call it: the topic name, or the file's path at its first import
    label String,
    cluster_id String,
    topic_id String,
    first_seen_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY source_key;

-- The uniqueness index: one claim per event_id, written before the event itself. The fingerprint (6 bytes of
-- SHA-256 of the stored content) tells a duplicate from a conflicting reuse of the id; the position tells a
-- resumed write (the same position claimed it before a crash) from a duplicate.
CREATE TABLE IF NOT EXISTS event_id_claims
(
    event_id String,
    fingerprint UInt64,
    source_key UInt64,
    partition UInt32,
    position UInt64,
    claimed_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY event_id
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 10000,
         fsync_after_insert = 1, fsync_part_directory = 1;

-- Accepted events, one row per event_id by construction (the claims): read without FINAL.
CREATE TABLE IF NOT EXISTS dossier_events_store
(
    event_id String,
    event_type LowCardinality(String),
    occurred_at DateTime64(3, 'UTC'),
    dossier_id String,
    commune_code LowCardinality(String),
    province_code LowCardinality(String),
    procedure_code LowCardinality(String),
    channel LowCardinality(String),
    due_at Nullable(DateTime64(3, 'UTC')),
    officer_ref Nullable(String),
    source_system Nullable(String),
    status_code Nullable(UInt8),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
    source_key UInt64,
    partition UInt32,
    position UInt64,
    unknown_procedure UInt8,
    late UInt8
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at, 'Asia/Ho_Chi_Minh')
ORDER BY (commune_code, dossier_id, event_id)
SETTINGS non_replicated_deduplication_window = 10000, fsync_after_insert = 1, fsync_part_directory = 1;

-- One row per rejected position: the reason, a detail that never carries a value, a hash of the payload.
CREATE TABLE IF NOT EXISTS ingest_rejects
(
    source_key UInt64,
    partition UInt32,
    position UInt64,
    rejected_at DateTime64(3, 'UTC') DEFAULT now64(3),
    reason LowCardinality(String),
    detail String,
    payload_sha256 String,
    payload_bytes UInt32
)
ENGINE = MergeTree
ORDER BY (source_key, partition, position)
SETTINGS non_replicated_deduplication_window = 10000, fsync_after_insert = 1, fsync_part_directory = 1;

-- The ledger: one row per processed chunk (a range of positions of one partition) with its counts and the
-- communes it touched, each with the earliest instant among its new events. A range found here is never
-- stored or counted again. Kept for INGEST_LEDGER_RETENTION_DAYS (the ingest applies the setting at start).
CREATE TABLE IF NOT EXISTS ingest_ledger
(
    source_key UInt64,
    partition UInt32,
    first_position UInt64,
    last_position UInt64,
    recorded_at DateTime64(3, 'UTC') DEFAULT now64(3),
    deliveries UInt32,
    accepted UInt32,
    duplicates UInt32,
    rejected UInt32,
    rejected_by_reason Map(String, UInt64),
    unknown_procedure UInt32,
    late UInt32,
    dead_letters UInt32,
    touched_communes Array(String),
    touched_from_ms Array(Int64),
    latest_occurred_ms Int64
)
ENGINE = MergeTree
ORDER BY (source_key, partition, first_position)
TTL toDateTime(recorded_at) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000, fsync_after_insert = 1, fsync_part_directory = 1;

-- Proof that a chunk's rejects reached the DLQ; for the DLQ file, its length after them (a file's first mark,
-- source_key 0, records its length when the ingest first used it). Kept: a row per chunk with rejects.
CREATE TABLE IF NOT EXISTS dead_letter_marks
(
    source_key UInt64,
    partition UInt32,
    first_position UInt64,
    last_position UInt64,
    sink String,
    sink_bytes UInt64,
    marked_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (sink, source_key, partition, first_position)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

-- The lifecycle step's progress: the ledger ranges already folded into the lifecycle tables.
CREATE TABLE IF NOT EXISTS derived_chunks
(
    source_key UInt64,
    partition UInt32,
    first_position UInt64,
    derived_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
ORDER BY (source_key, partition, first_position)
TTL toDateTime(derived_at) + INTERVAL 31 DAY;

-- Carried over from a warehouse of the earlier migrations: the events (one per event_id), their claims, the
-- rejects (details withheld: the earlier details could quote values), the file positions as ranges (islands of
-- consecutive lines) so that a file imported before is recognised, already derived.
-- when table exists: ingest_deliveries
INSERT INTO ingest_sources (source_key, identity, kind, label, first_seen_at)
SELECT reinterpretAsUInt64(reverse(substring(SHA256(identity), 1, 6))), identity,
       'legacy', source, min(ingested_at)
FROM (SELECT source, ingested_at, if(startsWith(source, 'file:'), source, concat('legacy-', source)) AS identity
      FROM ingest_deliveries)
WHERE (SELECT count() FROM ingest_sources) = 0
GROUP BY source, identity;

-- when table exists: dossier_events_rows
INSERT INTO dossier_events_store
SELECT event_id, event_type, occurred_at, dossier_id, commune_code, province_code, procedure_code, channel, due_at,
       officer_ref, source_system, status_code, ingested_at,
       reinterpretAsUInt64(reverse(substring(SHA256(if(startsWith(source, 'file:'), source, concat('legacy-', source))), 1, 6))),
       0, position, unknown_procedure, late
FROM dossier_events_rows FINAL
WHERE (SELECT count() FROM dossier_events_store) = 0
ORDER BY ingested_at, source, position
LIMIT 1 BY event_id;

-- when table exists: dossier_events_rows
INSERT INTO event_id_claims (event_id, fingerprint, source_key, partition, position, claimed_at)
SELECT event_id,
       reinterpretAsUInt64(reverse(substring(SHA256(concat(event_type, '|', toString(toUnixTimestamp64Milli(occurred_at)), '|',
           dossier_id, '|', commune_code, '|', procedure_code, '|', channel, '|',
           ifNull(toString(toUnixTimestamp64Milli(due_at)), ''), '|', ifNull(officer_ref, ''), '|',
           ifNull(source_system, ''), '|', ifNull(toString(status_code), ''))), 1, 6))),
       source_key, partition, position, ingested_at
FROM dossier_events_store
WHERE (SELECT count() FROM event_id_claims) = 0;

-- when table exists: ingest_deliveries
INSERT INTO ingest_rejects
SELECT reinterpretAsUInt64(reverse(substring(SHA256(if(startsWith(source, 'file:'), source, concat('legacy-', source))), 1, 6))),
       0, position, ingested_at, reason, 'recorded before details were made value-free; see the reason', payload_sha256,
       payload_bytes
FROM ingest_deliveries FINAL
WHERE outcome = 'rejected' AND (SELECT count() FROM ingest_rejects) = 0;

-- when table exists: ingest_deliveries
INSERT INTO ingest_ledger (source_key, partition, first_position, last_position, recorded_at, deliveries)
SELECT reinterpretAsUInt64(reverse(substring(SHA256(source), 1, 6))), 0, min(position), max(position),
       max(ingested_at), count()
FROM
(
    SELECT source, position, ingested_at,
           toInt64(position) - row_number() OVER (PARTITION BY source ORDER BY position) AS island
    FROM ingest_deliveries FINAL
    WHERE startsWith(source, 'file:')
)
WHERE (SELECT count() FROM ingest_ledger) = 0
GROUP BY source, island;

INSERT INTO derived_chunks (source_key, partition, first_position)
SELECT source_key, partition, first_position FROM ingest_ledger
WHERE (SELECT count() FROM derived_chunks) = 0;

-- data_quality per day, kept by the ledger's inserts (never a scan of deliveries). The earlier days are
-- carried over from the earlier view before it is replaced.
CREATE TABLE IF NOT EXISTS data_quality_daily
(
    day Date,
    deliveries SimpleAggregateFunction(sum, UInt64),
    events_accepted SimpleAggregateFunction(sum, UInt64),
    duplicates SimpleAggregateFunction(sum, UInt64),
    rejected SimpleAggregateFunction(sum, UInt64),
    rejected_by_reason SimpleAggregateFunction(sumMap, Map(String, UInt64)),
    unknown_procedure_events SimpleAggregateFunction(sum, UInt64),
    late_events SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
ORDER BY day;

-- when table exists: ingest_deliveries
INSERT INTO data_quality_daily
SELECT assumeNotNull(day), ifNull(deliveries, 0), ifNull(events_accepted, 0), ifNull(duplicates, 0), ifNull(rejected, 0),
       ifNull(rejected_by_reason, map()), ifNull(unknown_procedure_events, 0), ifNull(late_events, 0)
FROM data_quality
WHERE day IS NOT NULL AND deliveries IS NOT NULL AND (SELECT count() FROM data_quality_daily) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_ledger_to_data_quality TO data_quality_daily AS
SELECT toDate(recorded_at, 'Asia/Ho_Chi_Minh') AS day,
       toUInt64(deliveries) AS deliveries,
       toUInt64(accepted) AS events_accepted,
       toUInt64(duplicates) AS duplicates,
       toUInt64(rejected) AS rejected,
       rejected_by_reason,
       toUInt64(unknown_procedure) AS unknown_procedure_events,
       toUInt64(late) AS late_events
FROM ingest_ledger;

DROP VIEW IF EXISTS ingest_input_to_events;
DROP VIEW IF EXISTS dossier_events_to_deliveries;
DROP VIEW IF EXISTS ingest_input_to_deliveries;
DROP TABLE IF EXISTS ingest_input;
DROP VIEW IF EXISTS dossier_events;
DROP VIEW IF EXISTS rejected_events;
DROP VIEW IF EXISTS data_quality;
DROP TABLE IF EXISTS dossier_events_rows;
DROP TABLE IF EXISTS ingest_deliveries;

CREATE VIEW IF NOT EXISTS dossier_events AS
SELECT event_id, event_type, occurred_at, dossier_id, commune_code, province_code, procedure_code, channel, due_at,
       officer_ref, source_system, status_code, ingested_at
FROM dossier_events_store;

CREATE VIEW IF NOT EXISTS rejected_events AS
SELECT r.rejected_at AS rejected_at, r.reason AS reason, r.detail AS detail,
       multiIf(s.kind = 'kafka', concat('kafka:', s.label, ':', toString(r.partition)),
               s.kind = 'file', concat('file:', s.label),
               s.label) AS source,
       r.position AS position, r.payload_sha256 AS payload_sha256, r.payload_bytes AS payload_bytes
FROM ingest_rejects AS r
LEFT JOIN
(
    -- one row per source, merged or not (several processes register the same source)
    SELECT source_key, any(kind) AS kind, any(label) AS label, any(identity) AS identity
    FROM ingest_sources
    GROUP BY source_key
) AS s ON s.source_key = r.source_key;

CREATE VIEW IF NOT EXISTS data_quality AS
WITH deliveries AS
(
    SELECT day, sum(deliveries) AS deliveries, sum(events_accepted) AS events_accepted,
           sum(duplicates) AS duplicates, sum(rejected) AS rejected, sumMap(rejected_by_reason) AS rejected_by_reason,
           sum(unknown_procedure_events) AS unknown_procedure_events, sum(late_events) AS late_events
    FROM data_quality_daily
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
