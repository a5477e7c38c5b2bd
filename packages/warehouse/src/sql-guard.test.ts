import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_READS, SQL_ESCAPES } from '../../../test/support/sql-escapes.ts';
import { type GuardedReader, openGuardedReader, QueryLimitExceeded, warehouseTextRunner } from './guarded-query.ts';
import { migrate } from './migrate.ts';
import {
  createSqlGuard,
  parseAstText,
  READ_POLICY,
  readAndInsertPolicy,
  type SqlGuard,
  SqlRefused,
  WRITE_POLICY,
} from './sql-guard.ts';
import { createWarehouse, type Warehouse } from './warehouse.ts';

const LIMITS = { maxExecutionSeconds: 2, maxMemoryBytes: 2 * 1024 ** 3, maxResultRows: 1000 };

describe('parseAstText', () => {
  it('reads the indented tree, without aliases and child counts', () => {
    const root = parseAstText(
      "SelectWithUnionQuery (children 1)\n ExpressionList (children 1)\n  Function file (alias t) (children 1)\n   Literal 'x'\n",
    );
    expect(root.kind).toBe('SelectWithUnionQuery');
    const fn = root.children[0]?.children[0];
    expect(fn).toMatchObject({ kind: 'Function', detail: 'file' });
    expect(fn?.children[0]).toMatchObject({ kind: 'Literal', detail: "'x'" });
  });

  it('refuses a tree it cannot read rather than guessing', () => {
    expect(() => parseAstText('A\n   B\n')).toThrow(SqlRefused);
    expect(() => parseAstText('A\nB\n')).toThrow(/more than one statement/);
  });
});

describe('the SQL guard over the embedded engine', () => {
  let dir: string;
  let warehouse: Warehouse;
  let reader: GuardedReader;
  let guard: SqlGuard;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cp-guard-'));
    warehouse = createWarehouse({ dataDir: dir });
    await migrate(warehouse);
    await warehouse.insert('commune_weekly_rows', [
      { week_start: '2026-11-16', commune_code: '00004', province_code: '01', received: 1, derived_version: 1 },
    ]);
    reader = openGuardedReader(warehouse, LIMITS);
    guard = createSqlGuard(warehouseTextRunner(warehouse));
  });
  afterAll(async () => {
    await reader.close();
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(SQL_ESCAPES.map((attempt) => [attempt.name, attempt] as const))('refuses %s', async (_name, attempt) => {
    await expect(reader.query(attempt.sql, 'JSONEachRow')).rejects.toThrow(attempt.refusal);
  });

  it('wrote nothing and dropped nothing while refusing', async () => {
    expect(existsSync('/tmp/cp-attempt-outfile.csv')).toBe(false);
    const [row] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM commune_weekly');
    expect(Number(row?.n)).toBe(1);
  });

  it.each(ALLOWED_READS.map((sql) => [sql]))('runs %s', async (sql) => {
    const { text } = await reader.query(sql, 'JSONEachRow');
    expect(text.length).toBeGreaterThan(0);
  });

  it('runs the canonical statement it checked', async () => {
    const { checked, text } = await reader.query(
      'select   count() AS n from commune_weekly -- trailing',
      'JSONEachRow',
    );
    expect(checked.sql).toBe('SELECT count() AS n\nFROM commune_weekly');
    expect(checked.tables).toEqual(['commune_weekly']);
    expect(JSON.parse(text)).toEqual({ n: 1 });
  });

  it('stops a query over its time limit with a message that says which limit', async () => {
    const error = await reader.query('SELECT count() FROM numbers(1e12)', 'JSONEachRow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryLimitExceeded);
    expect((error as Error).message).toMatch(/longer than its limit of 2 s \(SQL_MAX_EXECUTION_SECONDS\)/);
  });

  it('stops a query over its memory limit', async () => {
    const small = openGuardedReader(warehouse, { ...LIMITS, maxMemoryBytes: 64 * 1024 ** 2 });
    try {
      await expect(small.query('SELECT length(groupArray(number)) FROM numbers(1e8)', 'JSONEachRow')).rejects.toThrow(
        /memory limit of 64 MiB \(SQL_MAX_MEMORY_BYTES\)/,
      );
    } finally {
      await small.close();
    }
  });

  it('stops a result over its row limit', async () => {
    await expect(reader.query('SELECT number FROM numbers(5000)', 'JSONEachRow')).rejects.toThrow(
      /more than 1,000 rows \(SQL_MAX_RESULT_ROWS\)/,
    );
  });

  it('keeps the reader read-only at the engine level too', async () => {
    // Should a statement get past the guard, the connection itself is read-only and cannot be made otherwise.
    await expect(reader.query("SELECT getSetting('readonly') AS r", 'JSONEachRow')).resolves.toMatchObject({
      text: '{"r":1}\n',
    });
  });

  it('lets writers run DDL and inserts, but nothing that reaches outside', async () => {
    await expect(
      guard.check(
        'CREATE TABLE IF NOT EXISTS t (x UInt8) ENGINE = MergeTree ORDER BY x SETTINGS index_granularity = 8192',
        WRITE_POLICY,
      ),
    ).resolves.toMatchObject({ statement: 'CreateQuery' });
    await expect(
      guard.check('INSERT INTO t SETTINGS async_insert = 0 FORMAT JSONEachRow', WRITE_POLICY),
    ).resolves.toMatchObject({ statement: 'InsertQuery' });
    await expect(
      guard.check("CREATE TABLE u (x UInt8) ENGINE = URL('http://127.0.0.1:9/', CSV)", WRITE_POLICY),
    ).rejects.toThrow(/engine URL|url\(\) reaches outside/);
    await expect(guard.check('CREATE TABLE k (x UInt8) ENGINE = Kafka', WRITE_POLICY)).rejects.toThrow(/engine Kafka/);
    await expect(guard.check("INSERT INTO FUNCTION file('/tmp/x', 'CSV') SELECT 1", WRITE_POLICY)).rejects.toThrow(
      /file\(\) reaches outside/,
    );
    await expect(guard.check("INSERT INTO t FROM INFILE '/etc/passwd' FORMAT CSV", WRITE_POLICY)).rejects.toThrow(
      /FROM INFILE/,
    );
    await expect(
      guard.check(
        "CREATE TABLE d (x UInt8) ENGINE = MergeTree ORDER BY x SETTINGS disk = disk(type = local, path = '/tmp/cp-disk/')",
        WRITE_POLICY,
      ),
    ).rejects.toThrow(/disk\(\)/);
    await expect(guard.check("BACKUP TABLE t TO File('/tmp/cp-backup')", WRITE_POLICY)).rejects.toThrow(
      /BACKUP is not allowed/,
    );
    await expect(
      guard.check(
        "CREATE DICTIONARY dd (a UInt8) PRIMARY KEY a SOURCE(HTTP(URL 'http://127.0.0.1:9' FORMAT 'CSV')) LAYOUT(FLAT()) LIFETIME(0)",
        WRITE_POLICY,
      ),
    ).rejects.toThrow(/dictionaries/);
    await expect(guard.check("SELECT * FROM t INTO OUTFILE '/tmp/cp-x'", WRITE_POLICY)).rejects.toThrow(/INTO OUTFILE/);
    await expect(guard.check("CREATE DATABASE fs ENGINE = Filesystem('/etc')", WRITE_POLICY)).rejects.toThrow(
      /engine Filesystem/,
    );
  });

  it('lets the API insert into its access log only', async () => {
    const policy = readAndInsertPolicy('the API', ['api_access_log']);
    await expect(guard.check('INSERT INTO api_access_log FORMAT JSONEachRow', policy)).resolves.toBeDefined();
    await expect(guard.check('INSERT INTO commune_weekly_rows FORMAT JSONEachRow', policy)).rejects.toThrow(
      /may insert into api_access_log only/,
    );
    // It reads the token hashes (it checks tokens); the data team does not.
    await expect(guard.check('SELECT token_sha256 FROM api_tokens', policy)).resolves.toBeDefined();
    await expect(guard.check('SELECT token_sha256 FROM api_tokens', READ_POLICY)).rejects.toThrow(
      /api_tokens is not readable/,
    );
  });

  it('checks parameterised statements with their values bound, identifiers included', async () => {
    await expect(
      guard.check('SELECT * FROM {t:Identifier}', readAndInsertPolicy('the API', []), { t: 'system.processes' }),
    ).rejects.toThrow(/system\.processes/);
  });
});
