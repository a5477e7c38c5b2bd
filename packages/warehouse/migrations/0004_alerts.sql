-- Alerts on communes (indicators.md section 6). The history of state changes is the one source of truth:
-- `alerts` is derived from it, so a transition is stored in one insert and there is no second row to keep in
-- step. A transition's id is a hash of (rule, commune, episode number, new state): an evaluation that is
-- repeated (a retry, a restart, two evaluators racing) writes the same row again, which the insert
-- deduplication token drops and ReplacingMergeTree collapses.
CREATE TABLE IF NOT EXISTS alert_transitions
(
    transition_id String,
    alert_id String,
    rule LowCardinality(String),
    level LowCardinality(String),
    commune_code LowCardinality(String),
    province_code LowCardinality(String),
    episode UInt32,
    episode_start Date,
    from_state LowCardinality(String),
    to_state LowCardinality(String),
    period_kind LowCardinality(String),
    period_start Date,
    window_end DateTime64(3, 'UTC'),
    value Nullable(Float64),
    threshold Float64,
    figures String,
    run_id String,
    at DateTime64(3, 'UTC'),
    recorded_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY transition_id
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS alert_acks
(
    alert_id String,
    acked_at DateTime64(3, 'UTC'),
    acked_by String,
    note String
)
ENGINE = MergeTree
ORDER BY (alert_id, acked_at);

-- One row per alert (an episode of one rule on one commune): its latest state and when it fired and resolved.
-- `at` is the end of the indicator window that caused the change (the data's time, not the evaluation's).
CREATE VIEW IF NOT EXISTS alerts AS
WITH states AS
(
    SELECT
        alert_id,
        any(rule) AS rule,
        any(level) AS level,
        any(commune_code) AS commune_code,
        any(province_code) AS province_code,
        any(episode) AS episode,
        min(episode_start) AS episode_start,
        argMax(to_state, transform(to_state, ['pending', 'firing', 'resolved', 'cancelled'], [1, 2, 3, 3], 0)) AS state,
        minIfOrNull(at, to_state = 'pending') AS pending_at,
        minIfOrNull(at, to_state = 'firing') AS fired_at,
        minIfOrNull(at, to_state IN ('resolved', 'cancelled')) AS resolved_at,
        anyIf(value, to_state = 'firing') AS fired_value,
        anyIf(toNullable(threshold), to_state = 'firing') AS fired_threshold,
        anyIf(value, to_state = 'resolved') AS resolved_value,
        argMax(period_kind, period_start) AS last_period_kind,
        max(period_start) AS last_period_start,
        argMax(figures, at) AS figures,
        max(recorded_at) AS updated_at
    FROM alert_transitions FINAL
    GROUP BY alert_id
),
acks AS
(
    SELECT alert_id, max(acked_at) AS last_acked_at, argMax(acked_by, acked_at) AS last_acked_by,
           argMax(note, acked_at) AS last_note
    FROM alert_acks
    GROUP BY alert_id
)
SELECT
    alert_id, rule, level, commune_code, province_code, episode, episode_start, state, pending_at, fired_at,
    resolved_at, fired_value AS value, fired_threshold AS threshold, resolved_value, last_period_kind,
    last_period_start, figures, updated_at, last_acked_at AS acked_at, last_acked_by AS acked_by, last_note AS ack_note
FROM states
LEFT JOIN acks USING (alert_id)
SETTINGS join_use_nulls = 1;

-- Silences stop notifications (webhooks, e-mail) of a commune, for one rule or all, until a time; the alerts
-- still change state and are recorded, and commune-alerts.v1 still carries them (marked silenced).
CREATE TABLE IF NOT EXISTS alert_silences
(
    silence_id String,
    commune_code LowCardinality(String),
    rule LowCardinality(String),
    until DateTime64(3, 'UTC'),
    reason String,
    created_by String,
    created_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY silence_id;

-- The outbox: one row per (transition, recipient), written before a run counts as evaluated, read by the
-- dispatcher. delivery_id = hash(transition_id, recipient). A status change is a new row with a higher
-- status_rank, so re-writing a pending row (a repeated evaluation) never brings a sent delivery back.
CREATE TABLE IF NOT EXISTS alert_outbox
(
    delivery_id String,
    transition_id String,
    alert_id String,
    rule LowCardinality(String),
    commune_code LowCardinality(String),
    channel LowCardinality(String),
    recipient String,
    mode LowCardinality(String),
    due_at DateTime64(3, 'UTC'),
    transition_at DateTime64(3, 'UTC'),
    payload String,
    status LowCardinality(String),
    status_rank UInt8,
    detail String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(status_rank)
ORDER BY delivery_id
SETTINGS non_replicated_deduplication_window = 10000;

-- Every delivery attempt, successful or not: the backoff of the in-process retry loop is computed from it.
CREATE TABLE IF NOT EXISTS alert_delivery_attempts
(
    delivery_id String,
    attempted_at DateTime64(3, 'UTC'),
    ok UInt8,
    error String,
    duration_ms UInt32
)
ENGINE = MergeTree
ORDER BY (delivery_id, attempted_at);

-- The watermark: the estimation runs already evaluated. outcome 'evaluated', 'stale' (a recomputation of a
-- period older than one already evaluated: it moves no alert) or 'superseded' (a later run of the same
-- period was waiting too and was evaluated instead).
CREATE TABLE IF NOT EXISTS alert_evaluations
(
    run_id String,
    period_kind LowCardinality(String),
    period_start Date,
    outcome LowCardinality(String),
    transitions UInt32,
    evaluated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(evaluated_at)
ORDER BY run_id;
