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

-- On a ClickHouse server (as in 0007): the ingest service writes the portal tables (its door keeps the dossiers'
-- states and the unmapped units; `portal units import` runs with its credentials or the administrator's), and a
-- province's role sees its own province's rows of every portal table that has a province_code.
-- @server-only
GRANT INSERT ON portal_* TO cp_ingest;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON portal_unit_imports AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON portal_unit_imports AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON portal_unit_rows AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON portal_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON portal_dossiers_rows AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON portal_dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON portal_unmapped_unit_rows AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON portal_unmapped_unit_rows AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
