import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provinces } from '@commune-pulse/reference-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasAccessManagement, loadMigrations, migrate, splitStatements } from './migrate.ts';
import { createWarehouse, type Warehouse } from './warehouse.ts';

describe('splitStatements', () => {
  it('splits on a semicolon at the end of a line and drops comment lines', () => {
    expect(splitStatements("-- a comment; here\nSELECT 1;\nSELECT ';' ;\n\nSELECT 2")).toEqual([
      { sql: 'SELECT 1' },
      { sql: "SELECT ';'" },
      { sql: 'SELECT 2' },
    ]);
  });

  it('keeps a "when table exists" condition with the statement it precedes', () => {
    expect(
      splitStatements(
        '-- carry over\n-- when table exists: old_rows\nINSERT INTO a\nSELECT * FROM old_rows;\nDROP TABLE IF EXISTS old_rows;',
      ),
    ).toEqual([
      { sql: 'INSERT INTO a\nSELECT * FROM old_rows', whenTableExists: 'old_rows' },
      { sql: 'DROP TABLE IF EXISTS old_rows' },
    ]);
  });
});

describe('migrations on the embedded engine', () => {
  let dir: string;
  let warehouse: Warehouse;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cp-migrate-'));
    warehouse = createWarehouse({ dataDir: dir });
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies every migration once and records it', async () => {
    const first = await migrate(warehouse);
    expect(first.map((m) => m.version)).toEqual(loadMigrations().map((m) => m.version));
    expect(await migrate(warehouse)).toEqual([]);
    const tables = await warehouse.query<{ name: string }>(
      'SELECT name FROM system.tables WHERE database = currentDatabase()',
    );
    const names = tables.map((t) => t.name);
    for (const name of [
      'dossier_events',
      'dossiers',
      'commune_daily',
      'commune_weekly',
      'procedure_weekly',
      'data_quality',
      'rejected_events',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const [firstMigration] = loadMigrations();
    if (!firstMigration) throw new Error('no migrations');
    await expect(migrate(warehouse, [{ ...firstMigration, checksum: 'changed' }])).rejects.toThrow(/was changed/);
  });

  it('stores an insert once per deduplication token and keeps later inserts', async () => {
    await warehouse.command(
      'CREATE TABLE dedup_probe (k String) ENGINE = MergeTree ORDER BY k SETTINGS non_replicated_deduplication_window = 100',
    );
    await warehouse.insert('dedup_probe', [{ k: 'a' }], { dedupToken: 't1' });
    await warehouse.insert('dedup_probe', [{ k: 'a' }], { dedupToken: 't1' });
    await warehouse.insert('dedup_probe', [{ k: 'a' }], { dedupToken: 't2' });
    await warehouse.insert('dedup_probe', '{"k":"b"}\n');
    const rows = await warehouse.query<{ k: string; n: number }>(
      'SELECT k, count() AS n FROM dedup_probe GROUP BY k ORDER BY k',
    );
    expect(rows).toEqual([
      { k: 'a', n: 2 },
      { k: 'b', n: 1 },
    ]);
  });

  it('binds query parameters', async () => {
    const rows = await warehouse.query<{ x: string }>('SELECT {v:String} AS x', { v: "it's" });
    expect(rows).toEqual([{ x: "it's" }]);
  });

  it('skips the server-only section (roles, grants, row policies) on the embedded engine', async () => {
    expect(await hasAccessManagement(warehouse)).toBe(false);
    const access = loadMigrations().find((m) => m.name === '0007_access_and_roles');
    const everywhere = access?.statements.filter((statement) => !statement.serverOnly) ?? [];
    expect(everywhere.map((statement) => statement.sql).join('\n')).toMatch(/CREATE TABLE IF NOT EXISTS api_tokens/);
    const tables = await warehouse.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'api_%' ORDER BY name",
    );
    expect(tables.map((t) => t.name)).toEqual(['api_access_log', 'api_tokens']);
  });
});

describe('the server-only access section (users, roles, row policies)', () => {
  // There is no ClickHouse server on this machine: what can be checked here is that every statement is one the
  // server's parser reads, and that no province and no table of theirs is left without a row policy.
  const access = loadMigrations().find((m) => m.name === '0007_access_and_roles');
  if (access === undefined) throw new Error('no access migration');
  // 0007's, and those of later migrations for the tables they add
  const serverOnly = loadMigrations().flatMap((migration) =>
    migration.statements.filter((statement) => statement.serverOnly).map((statement) => statement.sql),
  );

  it('is made of statements the engine parses, each alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-access-sql-'));
    const warehouse = createWarehouse({ dataDir: dir });
    try {
      expect(serverOnly.length).toBeGreaterThan(34 * 8);
      for (const statement of serverOnly) {
        const [row] = await warehouse.query<{ f: string }>('SELECT formatQuery({s:String}) AS f', { s: statement });
        expect(row?.f, statement).toMatch(/^(CREATE|GRANT|REVOKE) /);
      }
    } finally {
      await warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives every province a role and a row policy on every table that has a province_code', async () => {
    const text = serverOnly.join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'cp-access-tables-'));
    const warehouse = createWarehouse({ dataDir: dir });
    try {
      await migrate(warehouse);
      const tables = await warehouse.query<{ table: string }>(
        `SELECT table FROM system.columns WHERE database = currentDatabase() AND name = 'province_code'
           AND table IN (SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree')
           AND table NOT IN ('api_tokens', 'api_access_log', 'reports')`,
      );
      expect(tables.length).toBeGreaterThan(5);
      for (const { table } of tables) {
        expect(text).toContain(
          `CREATE ROW POLICY IF NOT EXISTS cp_all_rows ON ${table} AS PERMISSIVE FOR SELECT USING 1 TO ALL`,
        );
      }
      for (const province of provinces()) {
        expect(text).toContain(`GRANT cp_data_team TO cp_province_${province.code}`);
        for (const { table } of tables) {
          expect(text).toContain(
            `CREATE ROW POLICY IF NOT EXISTS cp_province_${province.code} ON ${table} AS RESTRICTIVE FOR SELECT USING province_code = '${province.code}' TO cp_province_${province.code}`,
          );
        }
      }
    } finally {
      await warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migration 0006 on a warehouse of the earlier schema', () => {
  let dir: string;
  let warehouse: Warehouse;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cp-migrate-legacy-'));
    warehouse = createWarehouse({ dataDir: dir });
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries events, rejects and file positions over, drops the old tables, and can be repeated', async () => {
    await migrate(
      warehouse,
      loadMigrations().filter((migration) => migration.version < 6),
    );
    const event = {
      event_id: 'legacy-000001',
      event_type: 'received',
      occurred_at: '2026-11-16 01:00:00.000',
      dossier_id: 'D1',
      commune_code: '00004',
      province_code: '01',
      procedure_code: '1.001193',
      channel: 'counter',
      due_at: '2026-11-20 10:00:00.000',
      officer_ref: null,
      source_system: null,
      status_code: null,
      ingested_at: '2026-11-17 00:00:00.000',
      unknown_procedure: 0,
      late: 0,
    };
    const file = `file:${'ab'.repeat(16)}`;
    // the same event stored twice (the old table collapsed it only under FINAL), and another one
    await warehouse.insert('dossier_events_rows', [
      { ...event, source: file, position: 1 },
      { ...event, source: 'kafka:dossier-events.v1:0', position: 7 },
      { ...event, event_id: 'legacy-000002', event_type: 'resolved', due_at: null, source: file, position: 3 },
    ]);
    const delivery = { ingested_at: '2026-11-17 00:00:00.000', unknown_procedure: 0, late: 0, payload_bytes: 0 };
    await warehouse.insert('ingest_deliveries', [
      { ...delivery, source: file, position: 1, outcome: 'accepted', event_id: 'legacy-000001', commune_code: '00004' },
      {
        ...delivery,
        source: file,
        position: 2,
        outcome: 'rejected',
        reason: 'invalid_channel',
        detail: 'channel: got "Nguyễn Văn A"',
        payload_sha256: '0'.repeat(64),
      },
      { ...delivery, source: file, position: 3, outcome: 'accepted', event_id: 'legacy-000002', commune_code: '00004' },
      {
        ...delivery,
        source: 'kafka:dossier-events.v1:0',
        position: 7,
        outcome: 'accepted',
        event_id: 'legacy-000001',
        commune_code: '00004',
      },
    ]);

    expect((await migrate(warehouse)).map((migration) => migration.version)).toContain(6);
    const counts = await warehouse.query<Record<string, number>>(
      `SELECT (SELECT count() FROM dossier_events_store) AS events, (SELECT count() FROM event_id_claims) AS claims,
              (SELECT count() FROM ingest_rejects) AS rejects, (SELECT count() FROM dossier_events) AS visible`,
    );
    expect(counts).toEqual([{ events: 2, claims: 2, rejects: 1, visible: 2 }]);
    const [reject] = await warehouse.query<{ detail: string; source: string }>(
      'SELECT detail, source FROM rejected_events',
    );
    expect(reject?.detail).not.toContain('Nguyễn');
    expect(reject?.source).toBe(file);
    // the file's lines 1-3 are one covered range under the key a new import of the same bytes computes
    const { sourceOf } = await import('@commune-pulse/contracts');
    const key = sourceOf({ kind: 'file', sha256: `${'ab'.repeat(16)}${'0'.repeat(32)}`, label: 'x' }).key;
    const ranges = await warehouse.query<{ first_position: number; last_position: number }>(
      'SELECT first_position, last_position FROM ingest_ledger WHERE source_key = {key:UInt64}',
      { key },
    );
    expect(ranges).toEqual([{ first_position: 1, last_position: 3 }]);
    const [quality] = await warehouse.query<{ deliveries: number; rejected: number }>(
      'SELECT deliveries, rejected FROM data_quality',
    );
    expect(quality).toEqual({ deliveries: 4, rejected: 1 });
    const old = await warehouse.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN ('dossier_events_rows', 'ingest_deliveries', 'ingest_input')",
    );
    expect(old).toEqual([]);
    // an interrupted run repeats every statement: the carried-over statements are skipped, nothing doubles
    const [sixth] = loadMigrations().filter((migration) => migration.version === 6);
    if (!sixth) throw new Error('no migration 0006');
    await migrate(warehouse, [{ ...sixth, version: 1006, name: 'a repeated run of 0006' }]);
    expect(
      await warehouse.query<Record<string, number>>(
        'SELECT (SELECT count() FROM dossier_events_store) AS events, (SELECT count() FROM event_id_claims) AS claims',
      ),
    ).toEqual([{ events: 2, claims: 2 }]);
  });
});

describe('migration 0009 on a warehouse with data_quality per day', () => {
  let dir: string;
  let warehouse: Warehouse;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cp-migrate-0009-'));
    warehouse = createWarehouse({ dataDir: dir });
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the totals and marks the chunks already counted, so that no completion counts them again', async () => {
    await migrate(
      warehouse,
      loadMigrations().filter((migration) => migration.version < 9),
    );
    const chunk = {
      source_key: 42,
      partition: 0,
      recorded_at: '2026-11-17 03:00:00.000',
      deliveries: 10,
      accepted: 7,
      duplicates: 1,
      rejected: 2,
      rejected_by_reason: { invalid_channel: 2 },
      unknown_procedure: 1,
      late: 0,
    };
    // the earlier materialized view fills data_quality_daily from these
    await warehouse.insert('ingest_ledger', [
      { ...chunk, first_position: 1, last_position: 10 },
      { ...chunk, first_position: 11, last_position: 20 },
    ]);
    const totals =
      'SELECT sum(deliveries) AS deliveries, sum(events_accepted) AS accepted, sum(rejected) AS rejected FROM data_quality';
    const before = await warehouse.query<Record<string, number>>(totals);
    expect(before).toEqual([{ deliveries: 20, accepted: 14, rejected: 4 }]);

    expect((await migrate(warehouse)).map((migration) => migration.version)).toEqual([9]);
    expect(await warehouse.query<Record<string, number>>(totals)).toEqual(before);
    const [marked] = await warehouse.query<{ unmarked: number }>(
      `SELECT count() AS unmarked FROM ingest_ledger
       WHERE (source_key, partition, first_position) NOT IN
             (SELECT source_key, partition, first_position FROM data_quality_chunks)`,
    );
    expect(marked).toEqual({ unmarked: 0 });
    const old = await warehouse.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN ('data_quality_daily', 'ingest_ledger_to_data_quality')",
    );
    expect(old).toEqual([]);
  });
});
