-- Reference inputs (spec/reference-inputs.md): what the workload estimate is computed from, kept so that every
-- published figure can be traced back to the catalog, roster and parameters in force.

-- One row per import of a procedure catalog, never updated: the history of what was in force when. The latest
-- import is the current one. catalog_version is the content hash of the imported rows (the same file imported
-- twice gives the same version); effective_version is the version of the defaults merged with it at import
-- time, the one indicator rows record.
CREATE TABLE IF NOT EXISTS procedure_catalog_imports
(
    catalog_version String,
    effective_version String,
    source String,
    row_count UInt32,
    imported_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY imported_at;

-- The rows of each imported catalog, keyed by its content hash: equal versions have equal rows, so a re-import
-- collapses onto the rows already there. The code * is the default for codes that no row names.
CREATE TABLE IF NOT EXISTS procedure_catalog_rows
(
    catalog_version String,
    procedure_code String,
    name String,
    domain LowCardinality(String),
    deadline_working_days Float64,
    standard_minutes Float64,
    counter_minutes Float64
)
ENGINE = ReplacingMergeTree
ORDER BY (catalog_version, procedure_code);

-- The rows of the latest import only; the shipped defaults they are merged over live in the code
-- (packages/reference-data/data/procedures.default.csv), so `pnpm cli catalog show` prints the effective catalog.
CREATE VIEW IF NOT EXISTS procedure_catalog_current AS
SELECT r.*, latest.effective_version AS effective_version, latest.source AS source, latest.imported_at AS imported_at
FROM procedure_catalog_rows AS r FINAL
INNER JOIN
(
    SELECT catalog_version, effective_version, source, imported_at
    FROM procedure_catalog_imports
    ORDER BY imported_at DESC
    LIMIT 1
) AS latest ON r.catalog_version = latest.catalog_version;

-- Staffing roster: a row applies from valid_from until the commune's next row. A later import of the same
-- (commune_code, valid_from) supersedes the earlier one: imported_at is the replacing version. For rows from
-- commune-staffing.v1 it is the message's timestamp rather than the clock, so that a redelivered message
-- writes an identical row, which collapses onto the stored one instead of superseding a later import.
CREATE TABLE IF NOT EXISTS commune_staffing_rows
(
    commune_code LowCardinality(String),
    valid_from Date,
    civil_servants Float64,
    contract_staff Float64,
    support_fte Float64,
    counters UInt32,
    source String,
    imported_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(imported_at)
ORDER BY (commune_code, valid_from)
SETTINGS non_replicated_deduplication_window = 100000;

CREATE VIEW IF NOT EXISTS commune_staffing AS
SELECT * FROM commune_staffing_rows FINAL;

-- Estimation parameter sets (params.json with the defaults filled in), by version: what an indicator row's
-- params_version points to. A set is written once, the first time it is used.
CREATE TABLE IF NOT EXISTS estimation_params
(
    params_version String,
    params String,
    source String,
    imported_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY params_version;
