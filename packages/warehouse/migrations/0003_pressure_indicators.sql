-- Staffing-pressure indicators, one row per commune and period (outputs.md). A period recomputed (late
-- events, a new catalog, new parameters) gets rows with a later computed_at; the public views read the latest.
-- period_kind 'week': period_start is the ISO week's Monday. 'rolling7d': the 7 days ending at window_end,
-- period_start is the window's first day; the hourly runs of one day supersede each other.
CREATE TABLE IF NOT EXISTS pressure_indicators_rows
(
    period_kind LowCardinality(String),
    period_start Date,
    window_end DateTime64(3, 'UTC'),
    commune_code LowCardinality(String),
    province_code LowCardinality(String),
    received UInt32,
    workload_minutes Float64,
    required_fte Float64,
    actual_fte Nullable(Float64),
    wisn_ratio Nullable(Float64),
    wisn_difference Nullable(Float64),
    pressure_index Nullable(Float64),
    level Nullable(String),
    no_staff UInt8,
    missing_staffing UInt8,
    counters_needed Nullable(UInt32),
    counters_open Nullable(UInt32),
    counter_arrivals_per_hour Float64,
    counter_handling_minutes Nullable(Float64),
    open_end UInt32,
    overdue_open UInt32,
    on_time_rate Nullable(Float64),
    online_share Nullable(Float64),
    backlog_weeks Nullable(Float64),
    forecast_received_next Nullable(Float64),
    forecast_method LowCardinality(String),
    forecast_mape Nullable(Float64),
    proposed_staff Nullable(UInt32),
    unknown_procedure_received UInt32,
    params_version String,
    run_id String,
    computed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY (period_kind, toYear(period_start))
ORDER BY (period_kind, period_start, commune_code);

CREATE VIEW IF NOT EXISTS pressure_indicators AS
SELECT * FROM pressure_indicators_rows FINAL;

CREATE TABLE IF NOT EXISTS province_pressure_rows
(
    period_kind LowCardinality(String),
    period_start Date,
    province_code LowCardinality(String),
    communes UInt32,
    communes_with_index UInt32,
    communes_without_staffing UInt32,
    received UInt64,
    required_fte Float64,
    actual_fte Float64,
    pressure_index Nullable(Float64),
    communes_low UInt32,
    communes_normal UInt32,
    communes_elevated UInt32,
    communes_high UInt32,
    communes_critical UInt32,
    proposed_staff UInt64,
    params_version String,
    run_id String,
    computed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY (period_kind, period_start, province_code);

CREATE VIEW IF NOT EXISTS province_pressure AS
SELECT * FROM province_pressure_rows FINAL;

-- One row per estimation run: what was computed, with which parameters, and what was missing.
CREATE TABLE IF NOT EXISTS estimation_runs
(
    run_id String,
    period_kind LowCardinality(String),
    period_start Date,
    window_end DateTime64(3, 'UTC'),
    trigger LowCardinality(String),
    communes UInt32,
    communes_with_index UInt32,
    communes_without_staffing UInt32,
    unknown_procedure_received UInt64,
    params_version String,
    params String,
    duration_ms UInt32,
    computed_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (computed_at, run_id);

-- Per ingest day (Vietnam time): what arrived and what became of it (a delivery is a duplicate when an earlier
-- delivery carried the same event_id), and the communes without staffing data in that day's latest estimation.
CREATE OR REPLACE VIEW data_quality AS
WITH deliveries AS
(
    SELECT
        toDate(ingested_at, 'Asia/Ho_Chi_Minh') AS day,
        count() AS deliveries,
        countIf(outcome = 'accepted' AND delivery_rank = 1) AS events_accepted,
        countIf(outcome = 'accepted' AND delivery_rank > 1) AS duplicates,
        countIf(outcome = 'rejected') AS rejected,
        sumMapIf(map(reason, toUInt64(1)), outcome = 'rejected') AS rejected_by_reason,
        countIf(outcome = 'accepted' AND delivery_rank = 1 AND unknown_procedure = 1) AS unknown_procedure_events,
        countIf(outcome = 'accepted' AND delivery_rank = 1 AND late = 1) AS late_events
    FROM
    (
        SELECT
            *,
            if(outcome = 'accepted',
               row_number() OVER (PARTITION BY outcome, event_id ORDER BY ingested_at, source, position),
               0) AS delivery_rank
        FROM ingest_deliveries FINAL
    )
    GROUP BY day
),
runs AS
(
    SELECT
        toDate(computed_at, 'Asia/Ho_Chi_Minh') AS day,
        argMax(communes_without_staffing, computed_at) AS communes_without_staffing
    FROM estimation_runs
    GROUP BY day
)
SELECT *
FROM deliveries
FULL OUTER JOIN runs USING (day)
ORDER BY day
SETTINGS join_use_nulls = 1;
