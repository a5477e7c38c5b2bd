import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, splitStatements } from './migrate.ts';
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
});
