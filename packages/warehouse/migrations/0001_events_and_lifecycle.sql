-- Accepted dossier events. A retried chunk is dropped by its insert deduplication token; an event stored
-- twice anyway (a producer's redelivery at another offset, a retry cut differently after a crash) shares
-- its sort key with the first copy and is collapsed by the ReplacingMergeTree. The public view reads with
-- FINAL, so readers see each event once even before a merge.
CREATE TABLE IF NOT EXISTS dossier_events_rows
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
    ingested_at DateTime64(3, 'UTC'),
    -- how the event arrived: a Kafka partition or a file (by content hash), its offset or line, whether
    -- the catalog knew its procedure then, and whether it came more than a day behind its source
    source LowCardinality(String),
    position UInt64,
    unknown_procedure UInt8,
    late UInt8,
    INDEX ingested_at_minmax ingested_at TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at, 'Asia/Ho_Chi_Minh')
ORDER BY (commune_code, dossier_id, event_id)
SETTINGS non_replicated_deduplication_window = 100000;

CREATE VIEW IF NOT EXISTS dossier_events AS
SELECT * EXCEPT (source, position, unknown_procedure, late) FROM dossier_events_rows FINAL;

-- Every delivery the ingest saw (a Kafka position or a file line), accepted or rejected. Keyed by where it
-- came from, so a redelivered position is one row however often it is retried: the honest ledger behind
-- the accepted / duplicate / rejected counts. A chunk's deliveries are written after its events, so a
-- position found here is a position whose events are stored. Payloads are never stored, only a hash of
-- rejected ones.
CREATE TABLE IF NOT EXISTS ingest_deliveries
(
    source LowCardinality(String),
    position UInt64,
    ingested_at DateTime64(3, 'UTC'),
    outcome Enum8('accepted' = 1, 'rejected' = 2),
    event_id String,
    commune_code LowCardinality(String),
    occurred_at Nullable(DateTime64(3, 'UTC')),
    unknown_procedure UInt8,
    late UInt8,
    reason LowCardinality(String),
    detail String,
    payload_sha256 String,
    payload_bytes UInt32
)
ENGINE = ReplacingMergeTree
ORDER BY (source, position)
SETTINGS non_replicated_deduplication_window = 100000;

-- One insert per chunk lands everything: the ingest writes its validated rows into this Null table, and
-- materialized views route them. Accepted events go to dossier_events_rows, and only a block written there
-- produces the deliveries of those events, so a position recorded in ingest_deliveries is a position whose
-- events are stored. Rejects and duplicates within the chunk go to ingest_deliveries directly.
CREATE TABLE IF NOT EXISTS ingest_input
(
    event_id String,
    event_type LowCardinality(String),
    occurred_at Nullable(DateTime64(3, 'UTC')),
    dossier_id String,
    commune_code LowCardinality(String),
    province_code LowCardinality(String),
    procedure_code LowCardinality(String),
    channel LowCardinality(String),
    due_at Nullable(DateTime64(3, 'UTC')),
    officer_ref Nullable(String),
    source_system Nullable(String),
    status_code Nullable(UInt8),
    ingested_at DateTime64(3, 'UTC'),
    source LowCardinality(String),
    position UInt64,
    outcome Enum8('accepted' = 1, 'rejected' = 2),
    store_event UInt8,
    unknown_procedure UInt8,
    late UInt8,
    reason LowCardinality(String),
    detail String,
    payload_sha256 String,
    payload_bytes UInt32
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_input_to_events TO dossier_events_rows AS
SELECT event_id, event_type, assumeNotNull(occurred_at) AS occurred_at, dossier_id, commune_code, province_code,
       procedure_code, channel, due_at, officer_ref, source_system, status_code, ingested_at, source, position,
       unknown_procedure, late
FROM ingest_input
WHERE store_event = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS dossier_events_to_deliveries TO ingest_deliveries AS
SELECT source, position, ingested_at, 'accepted' AS outcome, event_id, commune_code, occurred_at,
       unknown_procedure, late, '' AS reason, '' AS detail, '' AS payload_sha256, toUInt32(0) AS payload_bytes
FROM dossier_events_rows;

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_input_to_deliveries TO ingest_deliveries AS
SELECT source, position, ingested_at, outcome, event_id, commune_code, occurred_at, unknown_procedure, late,
       reason, detail, payload_sha256, payload_bytes
FROM ingest_input
WHERE store_event = 0;

CREATE VIEW IF NOT EXISTS rejected_events AS
SELECT ingested_at AS rejected_at, reason, detail, source, position, payload_sha256, payload_bytes
FROM ingest_deliveries FINAL
WHERE outcome = 'rejected';

-- Derived tables: recomputed from the events (never incremented), so redelivery, disorder and late events
-- give the same rows as a clean ordered stream. Each recompute writes a higher derived_version; the public
-- views read the latest.
CREATE TABLE IF NOT EXISTS dossiers_rows
(
    dossier_id String,
    commune_code LowCardinality(String),
    province_code LowCardinality(String),
    procedure_code LowCardinality(String),
    channel LowCardinality(String),
    received_at Nullable(DateTime64(3, 'UTC')),
    due_at Nullable(DateTime64(3, 'UTC')),
    resolved_at Nullable(DateTime64(3, 'UTC')),
    returned_at Nullable(DateTime64(3, 'UTC')),
    closed_at Nullable(DateTime64(3, 'UTC')),
    last_event_type LowCardinality(String),
    last_event_at DateTime64(3, 'UTC'),
    is_open UInt8,
    on_time Nullable(UInt8),
    processing_hours Nullable(Float64),
    event_count UInt32,
    derived_version UInt64
)
ENGINE = ReplacingMergeTree(derived_version)
ORDER BY (commune_code, dossier_id);

CREATE VIEW IF NOT EXISTS dossiers AS
SELECT * EXCEPT (derived_version) FROM dossiers_rows FINAL;

CREATE TABLE IF NOT EXISTS commune_daily_rows
(
    day Date,
    commune_code LowCardinality(String),
    province_code LowCardinality(String),
    received UInt32,
    received_online UInt32,
    received_counter UInt32,
    received_postal UInt32,
    resolved UInt32,
    resolved_on_time UInt32,
    returned UInt32,
    open_end UInt32,
    overdue_open UInt32,
    derived_version UInt64
)
ENGINE = ReplacingMergeTree(derived_version)
PARTITION BY toYear(day)
ORDER BY (commune_code, day);

-- A recompute covers whole ranges and writes zeros where nothing happened and nothing was open; readers see
-- the days that carry a figure, the same set however the events arrived.
CREATE VIEW IF NOT EXISTS commune_daily AS
SELECT * EXCEPT (derived_version) FROM commune_daily_rows FINAL
WHERE received + resolved + returned + open_end > 0;

CREATE TABLE IF NOT EXISTS commune_weekly_rows
(
    week_start Date,
    commune_code LowCardinality(String),
    province_code LowCardinality(String),
    received UInt32,
    received_online UInt32,
    received_counter UInt32,
    received_postal UInt32,
    resolved UInt32,
    resolved_on_time UInt32,
    returned UInt32,
    open_end UInt32,
    overdue_open UInt32,
    on_time_rate Nullable(Float64),
    online_share Nullable(Float64),
    median_processing_hours Nullable(Float64),
    p90_processing_hours Nullable(Float64),
    derived_version UInt64
)
ENGINE = ReplacingMergeTree(derived_version)
ORDER BY (commune_code, week_start);

CREATE VIEW IF NOT EXISTS commune_weekly AS
SELECT * EXCEPT (derived_version) FROM commune_weekly_rows FINAL
WHERE received + resolved + returned + open_end > 0;

CREATE TABLE IF NOT EXISTS procedure_weekly_rows
(
    week_start Date,
    commune_code LowCardinality(String),
    province_code LowCardinality(String),
    procedure_code LowCardinality(String),
    received UInt32,
    resolved UInt32,
    resolved_on_time UInt32,
    derived_version UInt64
)
ENGINE = ReplacingMergeTree(derived_version)
ORDER BY (commune_code, week_start, procedure_code);

-- A recompute writes zeros for a procedure that no longer has dossiers in a week; readers see only real rows.
CREATE VIEW IF NOT EXISTS procedure_weekly AS
SELECT * EXCEPT (derived_version) FROM procedure_weekly_rows FINAL
WHERE received + resolved > 0;

-- Progress of the derivation (watermark of ingested events, data horizon).
CREATE TABLE IF NOT EXISTS derive_state
(
    key String,
    value String,
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY key;
