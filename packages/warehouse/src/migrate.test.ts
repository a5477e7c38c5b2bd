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
      'SELECT 1',
      "SELECT ';'",
      'SELECT 2',
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
    expect(access?.statements.join('\n')).toMatch(/CREATE TABLE IF NOT EXISTS api_tokens/);
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

  it('is made of statements the engine parses, each alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-access-sql-'));
    const warehouse = createWarehouse({ dataDir: dir });
    try {
      expect(access.serverOnlyStatements.length).toBeGreaterThan(34 * 8);
      for (const statement of access.serverOnlyStatements) {
        const [row] = await warehouse.query<{ f: string }>('SELECT formatQuery({s:String}) AS f', { s: statement });
        expect(row?.f, statement).toMatch(/^(CREATE|GRANT|REVOKE) /);
      }
    } finally {
      await warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives every province a role and a row policy on every table that has a province_code', async () => {
    const text = access.serverOnlyStatements.join('\n');
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
