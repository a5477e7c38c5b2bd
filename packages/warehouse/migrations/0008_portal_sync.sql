-- The national portal's sync records (issue 12): the unit → commune mapping of each province, what the mapping
-- remembers of each dossier between its records, and the figures of what could not be mapped or was mapped
-- with a loss. No personal field of the records reaches any of these tables.

-- One row per province per import of a units.csv, never updated: the latest import of a province is its mapping.
-- mapping_version is the content hash of the imported file's rows.
CREATE TABLE IF NOT EXISTS portal_unit_imports
(
    province_code LowCardinality(String),
    mapping_version String,
    source String,
    row_count UInt32,
    imported_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (province_code, imported_at);

-- The rows of each imported file, keyed by its content hash: the same file imported twice collapses.
CREATE TABLE IF NOT EXISTS portal_unit_rows
(
    mapping_version String,
    province_code LowCardinality(String),
    unit_code String,
    commune_code LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (mapping_version, province_code, unit_code);

CREATE VIEW IF NOT EXISTS portal_units_current AS
SELECT r.province_code AS province_code, r.unit_code AS unit_code, r.commune_code AS commune_code,
       latest.mapping_version AS mapping_version, latest.source AS source, latest.latest_at AS imported_at
FROM portal_unit_rows AS r FINAL
INNER JOIN
(
    SELECT province_code, argMax(mapping_version, imported_at) AS mapping_version,
           argMax(source, imported_at) AS source, max(imported_at) AS latest_at
    FROM portal_unit_imports
    GROUP BY province_code
) AS latest ON r.province_code = latest.province_code AND r.mapping_version = latest.mapping_version;

-- Per dossier, its last record as the mapping applied it: identity (for its history records, which carry none),
-- status (to refuse backward moves), and the return dates events were already derived for (to tell a moved
-- date from a known one). seen_at is the version: the arrival of the record's call, or its latest date when it
-- came bare; an older record never replaces a newer one.
CREATE TABLE IF NOT EXISTS portal_dossiers_rows
(
    dossier_id String,
    commune_code LowCardinality(String),
    province_code LowCardinality(String),
    procedure_code LowCardinality(String),
    channel LowCardinality(String),
    status_code UInt8,
    ended UInt8,
    received_due_at Nullable(DateTime64(3, 'UTC')),
    known_due_at Array(DateTime64(3, 'UTC')),
    -- the lossy cases met on this dossier's records (portal_mapping_notes)
    notes Array(LowCardinality(String)),
    seen_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(seen_at)
ORDER BY dossier_id;

CREATE VIEW IF NOT EXISTS portal_dossiers AS
SELECT * FROM portal_dossiers_rows FINAL;

-- Records whose unit has no commune: one row per unit and dossier, written once (the ingest looks before it
-- writes), however often the dossier is sent.
CREATE TABLE IF NOT EXISTS portal_unmapped_unit_rows
(
    province_code LowCardinality(String),
    unit_code String,
    dossier_id String,
    first_seen_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (province_code, unit_code, dossier_id);

-- The data-quality figure of unmapped units (province_code is empty for a file imported without a sender).
-- With data_quality by day: LEFT JOIN (SELECT toDate(first_seen, 'Asia/Ho_Chi_Minh') AS day,
-- count() AS unmapped_units, sum(dossiers) AS unmapped_dossiers FROM portal_unmapped_units GROUP BY day) USING (day).
CREATE VIEW IF NOT EXISTS portal_unmapped_units AS
SELECT province_code, unit_code, count() AS dossiers, min(first_seen_at) AS first_seen,
       max(first_seen_at) AS last_seen
FROM portal_unmapped_unit_rows FINAL
GROUP BY province_code, unit_code;

-- Dossiers mapped with a documented loss, one row per kind and commune (notes of portal_dossiers):
-- collapsed_status, a sender's 5, 6 or 8 sent as 9 without an end date (a fee request or a suspension cannot be
-- told apart and is not derived; a supplement request still is, from DanhSachHoSoBoSung); undated_due_change, a
-- moved return date seen on a bare record, which carries no date for it.
CREATE VIEW IF NOT EXISTS portal_mapping_notes AS
SELECT note, province_code, commune_code, count() AS dossiers
FROM portal_dossiers_rows FINAL
ARRAY JOIN notes AS note
GROUP BY note, province_code, commune_code;
