-- The API's access layer (every warehouse) and, on a ClickHouse server, the roles of the services and the data
-- team with a row policy per province (issue 11).

-- API tokens, stored as the SHA-256 of the token (the token itself is shown once, when it is created). A
-- revocation is a later row of the same token_id: the latest row (updated_at) is the token's state.
CREATE TABLE IF NOT EXISTS api_tokens
(
    token_id String,
    token_sha256 String,
    name String,
    role LowCardinality(String),
    province_code LowCardinality(String),
    created_at DateTime64(3, 'UTC'),
    revoked_at Nullable(DateTime64(3, 'UTC')),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY token_id;

-- One row per API request: who (token and role), what (method, path, status), when, and how many rows it returned.
CREATE TABLE IF NOT EXISTS api_access_log
(
    at DateTime64(3, 'UTC'),
    token_id String,
    token_name String,
    role LowCardinality(String),
    province_code LowCardinality(String),
    method LowCardinality(String),
    path String,
    status UInt16,
    rows UInt32,
    duration_ms UInt32
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY at;

-- Everything below needs a ClickHouse server with access management (the migrate step of docker compose runs it
-- as the administrator); the embedded engine has no users, and skips it. The users themselves, with their
-- passwords, are created by infra/clickhouse/init-users.sh; here their roles get their rights.
-- @server-only

-- The services read everything but the access layer's secrets, and write their own tables. Wildcards cover the
-- tables of a family (dossier_events_store, dossiers_rows, …).
CREATE ROLE IF NOT EXISTS cp_ingest;
CREATE ROLE IF NOT EXISTS cp_estimator;
CREATE ROLE IF NOT EXISTS cp_alerter;
CREATE ROLE IF NOT EXISTS cp_reporter;
CREATE ROLE IF NOT EXISTS cp_api;
CREATE ROLE IF NOT EXISTS cp_data_team;
GRANT SELECT ON * TO cp_ingest, cp_estimator, cp_alerter, cp_reporter, cp_api, cp_data_team;
REVOKE SELECT ON api_tokens FROM cp_ingest, cp_estimator, cp_alerter, cp_reporter, cp_data_team;
REVOKE SELECT ON api_access_log FROM cp_ingest, cp_estimator, cp_alerter, cp_reporter, cp_data_team;
GRANT INSERT ON ingest_* TO cp_ingest;
GRANT INSERT ON dossier* TO cp_ingest;
GRANT INSERT ON event_id_claims TO cp_ingest;
GRANT INSERT ON dead_letter_marks TO cp_ingest;
GRANT INSERT ON derived_chunks TO cp_ingest;
GRANT INSERT ON data_quality_daily TO cp_ingest;
GRANT INSERT ON commune_daily_rows TO cp_ingest;
GRANT INSERT ON commune_weekly_rows TO cp_ingest;
GRANT INSERT ON procedure_weekly_rows TO cp_ingest;
GRANT INSERT ON derive_state TO cp_ingest;
GRANT INSERT ON commune_staffing_rows TO cp_ingest, cp_estimator;
GRANT INSERT ON procedure_catalog_* TO cp_estimator;
GRANT INSERT ON estimation_* TO cp_estimator;
GRANT INSERT ON pressure_indicators_rows TO cp_estimator;
GRANT INSERT ON province_pressure_rows TO cp_estimator;
GRANT INSERT ON alert_* TO cp_alerter;
GRANT INSERT ON report* TO cp_reporter;
GRANT INSERT ON api_access_log TO cp_api;

-- The data team: read-only SQL within limits it cannot lift, and no table function that reaches outside (no
-- SOURCES grant: file, url, s3, remote, mysql, postgresql, executable, … are refused by the server itself).
CREATE SETTINGS PROFILE IF NOT EXISTS cp_data_team_limits SETTINGS readonly = 2, max_execution_time = 60 MAX 600, max_memory_usage = 2147483648 MAX 17179869184, max_result_rows = 100000 MAX 10000000, result_overflow_mode = 'throw' CONST, allow_introspection_functions = 0 CONST, allow_ddl = 0 CONST TO cp_data_team;

-- A role per province: the data team's rights, and only that province's rows, whatever the query. Every role sees
-- every row through a permissive policy; a province's role is also held to its province by a restrictive one (the
-- two are combined with AND), so that no one is left without rows by a policy that is not theirs.
CREATE ROLE IF NOT EXISTS cp_province_01;
GRANT cp_data_team TO cp_province_01;
CREATE ROLE IF NOT EXISTS cp_province_04;
GRANT cp_data_team TO cp_province_04;
CREATE ROLE IF NOT EXISTS cp_province_08;
GRANT cp_data_team TO cp_province_08;
CREATE ROLE IF NOT EXISTS cp_province_11;
GRANT cp_data_team TO cp_province_11;
CREATE ROLE IF NOT EXISTS cp_province_12;
GRANT cp_data_team TO cp_province_12;
CREATE ROLE IF NOT EXISTS cp_province_14;
GRANT cp_data_team TO cp_province_14;
CREATE ROLE IF NOT EXISTS cp_province_15;
GRANT cp_data_team TO cp_province_15;
CREATE ROLE IF NOT EXISTS cp_province_19;
GRANT cp_data_team TO cp_province_19;
CREATE ROLE IF NOT EXISTS cp_province_20;
GRANT cp_data_team TO cp_province_20;
CREATE ROLE IF NOT EXISTS cp_province_22;
GRANT cp_data_team TO cp_province_22;
CREATE ROLE IF NOT EXISTS cp_province_24;
GRANT cp_data_team TO cp_province_24;
CREATE ROLE IF NOT EXISTS cp_province_25;
GRANT cp_data_team TO cp_province_25;
CREATE ROLE IF NOT EXISTS cp_province_31;
GRANT cp_data_team TO cp_province_31;
CREATE ROLE IF NOT EXISTS cp_province_33;
GRANT cp_data_team TO cp_province_33;
CREATE ROLE IF NOT EXISTS cp_province_37;
GRANT cp_data_team TO cp_province_37;
CREATE ROLE IF NOT EXISTS cp_province_38;
GRANT cp_data_team TO cp_province_38;
CREATE ROLE IF NOT EXISTS cp_province_40;
GRANT cp_data_team TO cp_province_40;
CREATE ROLE IF NOT EXISTS cp_province_42;
GRANT cp_data_team TO cp_province_42;
CREATE ROLE IF NOT EXISTS cp_province_44;
GRANT cp_data_team TO cp_province_44;
CREATE ROLE IF NOT EXISTS cp_province_46;
GRANT cp_data_team TO cp_province_46;
CREATE ROLE IF NOT EXISTS cp_province_48;
GRANT cp_data_team TO cp_province_48;
CREATE ROLE IF NOT EXISTS cp_province_51;
GRANT cp_data_team TO cp_province_51;
CREATE ROLE IF NOT EXISTS cp_province_52;
GRANT cp_data_team TO cp_province_52;
CREATE ROLE IF NOT EXISTS cp_province_56;
GRANT cp_data_team TO cp_province_56;
CREATE ROLE IF NOT EXISTS cp_province_66;
GRANT cp_data_team TO cp_province_66;
CREATE ROLE IF NOT EXISTS cp_province_68;
GRANT cp_data_team TO cp_province_68;
CREATE ROLE IF NOT EXISTS cp_province_75;
GRANT cp_data_team TO cp_province_75;
CREATE ROLE IF NOT EXISTS cp_province_79;
GRANT cp_data_team TO cp_province_79;
CREATE ROLE IF NOT EXISTS cp_province_80;
GRANT cp_data_team TO cp_province_80;
CREATE ROLE IF NOT EXISTS cp_province_82;
GRANT cp_data_team TO cp_province_82;
CREATE ROLE IF NOT EXISTS cp_province_86;
GRANT cp_data_team TO cp_province_86;
CREATE ROLE IF NOT EXISTS cp_province_91;
GRANT cp_data_team TO cp_province_91;
CREATE ROLE IF NOT EXISTS cp_province_92;
GRANT cp_data_team TO cp_province_92;
CREATE ROLE IF NOT EXISTS cp_province_96;
GRANT cp_data_team TO cp_province_96;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON dossier_events_store AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON dossier_events_store AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON dossiers_rows AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON dossiers_rows AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON commune_daily_rows AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON commune_daily_rows AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON commune_weekly_rows AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON commune_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON procedure_weekly_rows AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON procedure_weekly_rows AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON pressure_indicators_rows AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON pressure_indicators_rows AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON province_pressure_rows AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON province_pressure_rows AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON alert_transitions AS PERMISSIVE FOR SELECT USING 1 TO ALL;
CREATE ROW POLICY IF NOT EXISTS cp_province_01 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '01' TO cp_province_01;
CREATE ROW POLICY IF NOT EXISTS cp_province_04 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '04' TO cp_province_04;
CREATE ROW POLICY IF NOT EXISTS cp_province_08 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '08' TO cp_province_08;
CREATE ROW POLICY IF NOT EXISTS cp_province_11 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '11' TO cp_province_11;
CREATE ROW POLICY IF NOT EXISTS cp_province_12 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '12' TO cp_province_12;
CREATE ROW POLICY IF NOT EXISTS cp_province_14 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '14' TO cp_province_14;
CREATE ROW POLICY IF NOT EXISTS cp_province_15 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '15' TO cp_province_15;
CREATE ROW POLICY IF NOT EXISTS cp_province_19 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '19' TO cp_province_19;
CREATE ROW POLICY IF NOT EXISTS cp_province_20 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '20' TO cp_province_20;
CREATE ROW POLICY IF NOT EXISTS cp_province_22 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '22' TO cp_province_22;
CREATE ROW POLICY IF NOT EXISTS cp_province_24 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '24' TO cp_province_24;
CREATE ROW POLICY IF NOT EXISTS cp_province_25 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '25' TO cp_province_25;
CREATE ROW POLICY IF NOT EXISTS cp_province_31 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '31' TO cp_province_31;
CREATE ROW POLICY IF NOT EXISTS cp_province_33 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '33' TO cp_province_33;
CREATE ROW POLICY IF NOT EXISTS cp_province_37 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '37' TO cp_province_37;
CREATE ROW POLICY IF NOT EXISTS cp_province_38 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '38' TO cp_province_38;
CREATE ROW POLICY IF NOT EXISTS cp_province_40 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '40' TO cp_province_40;
CREATE ROW POLICY IF NOT EXISTS cp_province_42 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '42' TO cp_province_42;
CREATE ROW POLICY IF NOT EXISTS cp_province_44 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '44' TO cp_province_44;
CREATE ROW POLICY IF NOT EXISTS cp_province_46 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '46' TO cp_province_46;
CREATE ROW POLICY IF NOT EXISTS cp_province_48 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '48' TO cp_province_48;
CREATE ROW POLICY IF NOT EXISTS cp_province_51 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '51' TO cp_province_51;
CREATE ROW POLICY IF NOT EXISTS cp_province_52 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '52' TO cp_province_52;
CREATE ROW POLICY IF NOT EXISTS cp_province_56 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '56' TO cp_province_56;
CREATE ROW POLICY IF NOT EXISTS cp_province_66 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '66' TO cp_province_66;
CREATE ROW POLICY IF NOT EXISTS cp_province_68 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '68' TO cp_province_68;
CREATE ROW POLICY IF NOT EXISTS cp_province_75 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '75' TO cp_province_75;
CREATE ROW POLICY IF NOT EXISTS cp_province_79 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '79' TO cp_province_79;
CREATE ROW POLICY IF NOT EXISTS cp_province_80 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '80' TO cp_province_80;
CREATE ROW POLICY IF NOT EXISTS cp_province_82 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '82' TO cp_province_82;
CREATE ROW POLICY IF NOT EXISTS cp_province_86 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '86' TO cp_province_86;
CREATE ROW POLICY IF NOT EXISTS cp_province_91 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '91' TO cp_province_91;
CREATE ROW POLICY IF NOT EXISTS cp_province_92 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '92' TO cp_province_92;
CREATE ROW POLICY IF NOT EXISTS cp_province_96 ON alert_transitions AS RESTRICTIVE FOR SELECT USING province_code = '96' TO cp_province_96;
