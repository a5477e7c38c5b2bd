import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, stopStartedProcesses } from '../support/processes.ts';

describe('pnpm cli portal', () => {
  let root: string;
  let env: Record<string, string>;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cp-portal-cli-'));
    env = { COMMUNE_PULSE_DATA_DIR: join(root, 'data'), KAFKA_BROKERS: '', CLICKHOUSE_URL: '' };
  });
  afterAll(async () => {
    await stopStartedProcesses();
    rmSync(root, { recursive: true, force: true });
  });

  it('simulates an export, imports it with the summary of ingest --file, and a second import stores nothing', async () => {
    const portal = join(root, 'portal.ndjson');
    const units = join(root, 'units.csv');
    const simulated = await runCli(
      [
        'simulate',
        '--format',
        'portal',
        '--out',
        portal,
        '--units-out',
        units,
        '--communes',
        '00004,26278',
        '--start',
        '2026-03-02',
        '--days',
        '7',
      ],
      env,
    );
    expect(simulated.code, simulated.output).toBe(0);
    expect(simulated.output).toMatch(/portal records: [\d,]+ ThemMoi, [\d,]+ CapNhat, [\d,]+ DongBoTienTrinh/);
    const first = await runCli(['portal', 'import', '--file', portal, '--units', units], env);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/records\s+events\s+accepted\s+duplicates\s+imported before\s+rejected/);
    expect(first.output).toContain('weekly figures (commune_weekly)');
    const again = await runCli(['portal', 'import', '--file', portal, '--json'], env);
    expect(again.code, again.output).toBe(0);
    const summary = JSON.parse(again.output.trim().split('\n').at(-1) as string) as Record<string, number>;
    expect(summary).toMatchObject({ accepted: 0, duplicates: 0, rejected: 0 });
    expect(summary.imported_before).toBeGreaterThanOrEqual(summary.events as number);
    expect(summary.records).toBeGreaterThan(0);
  });

  it('reads a JSON array of bare records as NDJSON of the same records, and --commune places every dossier', async () => {
    const portal = join(root, 'portal.ndjson');
    const records = readFileSync(portal, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.stringify((JSON.parse(line) as { record: unknown }).record));
    // Personal free text holds commas, brackets and quotes: the array reader must split on the array's own commas.
    expect(records.some((record) => /, |\[\{/.test(record))).toBe(true);
    const arrayPath = join(root, 'export.json');
    writeFileSync(arrayPath, `[\n  ${records.join(',\n  ')}\n]\n`);
    const ndjsonPath = join(root, 'export.ndjson');
    writeFileSync(ndjsonPath, `${records.join('\n')}\n`);
    const summary = async (path: string, dir: string) => {
      const run = await runCli(['portal', 'import', '--file', path, '--commune', '00004', '--json'], {
        ...env,
        COMMUNE_PULSE_DATA_DIR: join(root, dir),
      });
      expect(run.code, run.output).toBe(0);
      return JSON.parse(run.output.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    };
    const fromArray = await summary(arrayPath, 'array');
    const fromLines = await summary(ndjsonPath, 'lines');
    expect(fromArray.records).toBe(records.length);
    const {
      import_seconds: _a,
      records_per_second: _b,
      lifecycle_seconds: _c,
      peak_rss_mb: _d,
      peak_heap_mb: _e,
      ...same
    } = fromArray;
    expect(fromLines).toMatchObject(same);
    expect(Number(fromArray.accepted)).toBeGreaterThan(0);
    const communes = await runCli(
      [
        'query',
        'SELECT DISTINCT commune_code FROM dossier_events',
        '--format',
        'json',
        '--data-dir',
        join(root, 'array'),
      ],
      env,
    );
    expect(
      communes.output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([{ commune_code: '00004' }]);
  });

  it('stops with a message saying what to fix (exit code 2)', async () => {
    const missing = await runCli(['portal', 'import', '--file', join(root, 'nope.json')], env);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain('no such file');
    const badUnits = join(root, 'bad-units.csv');
    writeFileSync(badUnits, 'unit_code,commune_code\nA,4\nB,00004\nB,00004\n');
    const units = await runCli(['portal', 'units', 'import', badUnits], env);
    expect(units.code).toBe(2);
    expect(units.output).toContain('bad-units.csv:2:');
    expect(units.output).toContain('bad-units.csv:4:');
    const commune = await runCli(['portal', 'import', '--file', badUnits, '--commune', '99999'], env);
    expect(commune.code).toBe(2);
    expect(commune.output).toContain('--commune');
    const serve = await runCli(['portal', 'serve'], env);
    expect(serve.code).toBe(2);
    expect(serve.output).toContain('PORTAL_PROVINCES_FILE');
    const flag = await runCli(['portal', 'units', 'show', '--file', 'x'], env);
    expect(flag.code).toBe(2);
  });
});
