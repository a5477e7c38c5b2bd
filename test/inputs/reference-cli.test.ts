import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProcedureCatalog } from '@commune-pulse/reference-data';
import { openWarehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/processes.ts';

let root: string;
let dataDir: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cp-reference-cli-'));
  dataDir = join(root, 'data');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function file(name: string, text: string | Buffer): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

async function cli(...args: string[]) {
  return runCli([...args, '--data-dir', dataDir], {});
}

async function count(table: string): Promise<number> {
  const warehouse = await openWarehouse({ dataDir });
  try {
    const [row] = await warehouse.query<{ n: number }>(`SELECT count() AS n FROM ${table}`);
    return Number(row?.n);
  } finally {
    await warehouse.close();
  }
}

const lastJson = (output: string) => JSON.parse(output.trim().split('\n').at(-1) as string);

describe('pnpm cli catalog', () => {
  it('rejects a bad file whole, with every error and its line, and exit code 2', async () => {
    const bad = file(
      'procedures-bad.csv',
      'procedure_code,name,domain,deadline_working_days,standard_minutes,counter_minutes\n' +
        '1.001193,Đăng ký khai sinh,ho_tich,0,25,12\n' +
        '1.0011,Sai mã,ho_tich,0,25,12\n' +
        '1.000894,Đăng ký kết hôn,ho_tich,0,0,x\n',
    );
    const run = await cli('catalog', 'import', bad);
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain('procedures-bad.csv:3: malformed procedure_code "1.0011"');
    expect(run.output).toContain('procedures-bad.csv:4: standard_minutes must be greater than 0, got 0');
    expect(run.output).toContain('procedures-bad.csv:4: counter_minutes: malformed number "x"');
    expect(run.output).toMatch(/3 errors .*nothing of the catalog was stored/);
    expect(await count('procedure_catalog_imports')).toBe(0);
    expect(await count('procedure_catalog_rows')).toBe(0);
  });

  it('refuses a file that is not UTF-8, naming the line', async () => {
    const latin = file(
      'procedures-cp1258.csv',
      Buffer.concat([
        Buffer.from('procedure_code,name,domain,deadline_working_days,standard_minutes,counter_minutes\n'),
        Buffer.from([0x31, 0x2e, 0x30, 0x30, 0x31, 0x31, 0x39, 0x33, 0x2c, 0xd0, 0xe3, 0x6e, 0x67]),
        Buffer.from(',ho_tich,0,25,12\n'),
      ]),
    );
    const run = await cli('catalog', 'import', latin);
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain('procedures-cp1258.csv:2: the file is not UTF-8 text');
  });

  it('imports a catalog, prints its version and overrides, and shows the effective catalog', async () => {
    const good = file(
      'procedures.csv',
      'procedure_code,name,domain,deadline_working_days,standard_minutes,counter_minutes,ghi_chu\n' +
        '1.001193,Đăng ký khai sinh,ho_tich,0,25,12,đo tại 10 xã\n' +
        '9.000001,Thủ tục mới,khac,2,30,10,\n',
    );
    const run = await cli('catalog', 'import', good, '--json');
    expect(run.code, run.output).toBe(0);
    const summary = lastJson(run.output);
    expect(summary).toMatchObject({ ok: true, rows: 2, overridden: 1, added: 1, default_row_replaced: false });
    expect(summary.catalog_version).not.toBe(defaultProcedureCatalog().version);

    const show = await cli('catalog', 'show', '--json');
    expect(show.code, show.output).toBe(0);
    const catalog = lastJson(show.output);
    expect(catalog.version).toBe(summary.catalog_version);
    expect(catalog.calibration).toBe(true);
    expect(catalog.rows.find((r: { procedure_code: string }) => r.procedure_code === '1.001193')).toMatchObject({
      standard_minutes: 25,
      calibration: false,
    });
    expect(catalog.rows).toHaveLength(defaultProcedureCatalog().standards.length + 2);

    const text = await cli('catalog', 'show');
    expect(text.output).toContain(`catalog version ${summary.catalog_version}`);
    expect(text.output).toMatch(/calibration: yes/);
  });
});

describe('pnpm cli staffing', () => {
  it('rejects a bad roster whole and stores nothing', async () => {
    const bad = file(
      'staffing-bad.csv',
      'valid_from,commune_code,civil_servants,contract_staff,support_fte,counters\n' +
        '2025-07-01,00004,6,2,0.5,3\n' +
        '2025-07-01,99999,6,2,0.5,3\n' +
        '2025-02-30,00008,six,2,0,2.5\n',
    );
    const run = await cli('staffing', 'import', bad);
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain('staffing-bad.csv:3: unknown commune code 99999');
    expect(run.output).toContain('staffing-bad.csv:4: valid_from: malformed date "2025-02-30"');
    expect(run.output).toContain('staffing-bad.csv:4: civil_servants: malformed number "six"');
    expect(run.output).toContain('staffing-bad.csv:4: counters must be a whole number, got 2.5');
    expect(await count('commune_staffing_rows')).toBe(0);
  });

  it('imports a roster, prints rows, communes and dates, and shows a commune', async () => {
    const good = file(
      'staffing.csv',
      'commune_code,valid_from,civil_servants,contract_staff,support_fte,counters\n' +
        '00004,2025-07-01,6,2,0.5,3\n' +
        '00004,2026-01-01,8,2,0,4\n' +
        '32248,2025-09-15,2.5,0,1,1\n',
    );
    const run = await cli('staffing', 'import', good, '--json');
    expect(run.code, run.output).toBe(0);
    expect(lastJson(run.output)).toEqual({
      ok: true,
      source: 'staffing.csv',
      rows: 3,
      communes: 2,
      first_valid_from: '2025-07-01',
      last_valid_from: '2026-01-01',
      replaced: 0,
    });
    const show = await cli('staffing', 'show', '--commune', '00004', '--at', '2025-12-31', '--json');
    expect(show.code, show.output).toBe(0);
    const shown = lastJson(show.output);
    expect(shown.in_force).toMatchObject({ valid_from: '2025-07-01', actual_fte: 8.5, counters: 3 });
    expect(shown.rows).toHaveLength(2);

    const unknown = await cli('staffing', 'show', '--commune', '12345');
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('not a commune-level unit');
  });
});
