import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/processes.ts';
import { ALLOWED_READS, SQL_ESCAPES } from '../support/sql-escapes.ts';

describe('pnpm cli query', () => {
  let root: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cp-cli-query-'));
    env = { COMMUNE_PULSE_DATA_DIR: join(root, 'warehouse'), SQL_MAX_EXECUTION_SECONDS: '2' };
    const warehouse = await openWarehouse({ dataDir: env.COMMUNE_PULSE_DATA_DIR as string });
    await warehouse.insert('commune_weekly_rows', [
      { week_start: '2026-11-16', commune_code: '00004', province_code: '01', received: 1, derived_version: 1 },
    ]);
    await warehouse.close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // One process per case is slow (each loads the engine): the CLI runs one escape of each kind, the same reader
  // that packages/warehouse/src/sql-guard.test.ts runs against every escape in process.
  const kinds = [
    'INTO OUTFILE APPEND',
    'INSERT',
    'table function url',
    'the file() function',
    'a SETTINGS clause',
    'two statements after a comment',
    'a heredoc',
  ];
  const escapes = kinds.map((kind) => {
    const attempt = SQL_ESCAPES.find((candidate) => candidate.name === kind);
    if (attempt === undefined) throw new Error(`no attempt named ${kind}`);
    return attempt;
  });
  escapes.push(...SQL_ESCAPES.filter((attempt) => attempt.sql.startsWith('DESCRIBE file')));

  it.each(escapes.map((attempt) => [attempt.name, attempt] as const))(
    'refuses %s with exit code 2 and the reason',
    async (_name, attempt) => {
      const { code, output } = await runCli(['query', attempt.sql], env);
      expect(code, output).toBe(2);
      expect(output).toMatch(attempt.refusal);
      expect(output).not.toMatch(/root:x:0:0/);
    },
  );

  it('wrote no file and changed no table while refusing', async () => {
    expect(existsSync('/tmp/cp-attempt-outfile.csv')).toBe(false);
    const { code, output } = await runCli(
      ['query', 'SELECT count() AS n FROM commune_weekly', '--format', 'json'],
      env,
    );
    expect(code).toBe(0);
    expect(output.trim()).toBe('{"n":1}');
  });

  it('runs reads: WITH, DESCRIBE, comments holding semicolons', async () => {
    const { code, output } = await runCli(['query', ALLOWED_READS[1] as string, '--format', 'csv'], env);
    expect(code, output).toBe(0);
    expect(output).toContain('"n"\n1');
    const described = await runCli(['query', 'DESCRIBE TABLE pressure_indicators', '--format', 'json'], env);
    expect(described.output).toContain('"name":"pressure_index"');
  });

  it('stops a query over its time limit with a message saying which limit', async () => {
    const started = Date.now();
    const { code, output } = await runCli(['query', 'SELECT count() FROM numbers(1e12)'], env);
    expect(code).toBe(1);
    expect(output).toMatch(/ran longer than its limit of 2 s \(SQL_MAX_EXECUTION_SECONDS\) and was stopped/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('stops a query over its memory limit', async () => {
    const { code, output } = await runCli(['query', 'SELECT length(groupArray(number)) FROM numbers(1e8)'], {
      ...env,
      SQL_MAX_MEMORY_BYTES: String(64 * 1024 ** 2),
    });
    expect(code).toBe(1);
    expect(output).toMatch(/memory limit of 64 MiB \(SQL_MAX_MEMORY_BYTES\)/);
  });
});
