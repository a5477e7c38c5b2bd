-- The weekly pressure reports (outputs.md): one row per edition generated (a week, the nation or one province,
-- a language), with where its files were written and their SHA-256, so that a file received by e-mail or found
-- on disk can be checked against what was generated. A week regenerated gets new rows; the latest is current.
CREATE TABLE IF NOT EXISTS reports
(
    report_id String,
    week LowCardinality(String),
    week_start Date,
    scope LowCardinality(String),
    province_code LowCardinality(String),
    lang LowCardinality(String),
    trigger LowCardinality(String),
    html_path String,
    html_sha256 String,
    pdf_path String,
    pdf_sha256 String,
    pdf_bytes UInt64,
    csv_paths Array(String),
    csv_sha256 Array(String),
    generated_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (week_start, scope, province_code, lang, generated_at);

-- Each announcement of a report to a recipient of the routing file, sent or failed after its retries.
CREATE TABLE IF NOT EXISTS report_deliveries
(
    report_id String,
    week LowCardinality(String),
    channel LowCardinality(String),
    recipient String,
    outcome Enum8('sent' = 1, 'failed' = 2),
    detail String,
    delivered_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (delivered_at, report_id);
