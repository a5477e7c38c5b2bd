import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { communeStaffingRow } from '@commune-pulse/contracts';
import { defaultProcedureCatalog, parseProcedureCatalogCsv } from '@commune-pulse/reference-data';
import { DEFAULT_PARAMS, paramsVersion, resolveParams } from '@commune-pulse/workload';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from './open.ts';
import {
  latestCatalogImport,
  loadEffectiveCatalog,
  loadParams,
  loadStaffingAt,
  loadStaffingHistory,
  parseStaffingCsv,
  saveParams,
  saveProcedureCatalog,
  saveStaffingRecords,
  saveStaffingRows,
} from './reference-inputs.ts';
import type { Warehouse } from './warehouse.ts';

const HEADER = 'commune_code,valid_from,civil_servants,contract_staff,support_fte,counters';

function errorsOf(text: string) {
  const result = parseStaffingCsv(text);
  if (result.ok) throw new Error('expected the file to be rejected');
  return result.errors;
}

describe('parseStaffingCsv', () => {
  it('reads a good file: columns in any order, extra columns ignored, BOM and CRLF tolerated', () => {
    const text =
      '\uFEFFcounters,note,valid_from,commune_code,support_fte,contract_staff,civil_servants\r\n' +
      '3,"Hà Nội, trung tâm",2025-07-01,00004,1.5,2,6\r\n' +
      '2,,2025-07-01,32248,0,1,3.5\r\n' +
      '4,,2026-01-01,00004,0,2,7,\r\n';
    const result = parseStaffingCsv(text);
    expect(result).toEqual({
      ok: true,
      rows: [
        {
          communeCode: '00004',
          validFrom: '2025-07-01',
          civilServants: 6,
          contractStaff: 2,
          supportFte: 1.5,
          counters: 3,
        },
        {
          communeCode: '32248',
          validFrom: '2025-07-01',
          civilServants: 3.5,
          contractStaff: 1,
          supportFte: 0,
          counters: 2,
        },
        {
          communeCode: '00004',
          validFrom: '2026-01-01',
          civilServants: 7,
          contractStaff: 2,
          supportFte: 0,
          counters: 4,
        },
      ],
    });
  });

  it('reports every bad line with its line number and reason, and returns no rows', () => {
    const text = [
      HEADER, // 1
      '00004,2025-07-01,6,2,1,3', // 2 good
      '99999,2025-07-01,6,2,1,3', // 3 unknown commune
      '4,2025-07-01,6,2,1,3', // 4 malformed code (leading zeros lost)
      '00008,2025-02-30,6,2,1,3', // 5 not a calendar date
      '00008,01/07/2025,6,2,1,3', // 6 wrong date form
      '00025,2025-07-01,six,2,1,3', // 7 malformed number
      '00025,2025-08-01,6,"2,5",1,3', // 8 decimal comma
      '00070,2025-07-01,6,-2,1,3', // 9 negative
      '00070,2025-08-01,6,2,1,2.5', // 10 non-integer counters
      '00070,2025-09-01,6,2,,3', // 11 empty number
      '00004,2025-07-01,5,2,1,3', // 12 same commune and day as line 2
      '00070,2025-10-01,6,2', // 13 too few fields
      '', // blank line: skipped, but still counted for line numbers
      '00070,2025-11-01,6,2,1,-1', // 15 negative counters
    ].join('\n');
    const errors = errorsOf(text);
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15]);
    const byLine = new Map(errors.map((e) => [e.line, e.message]));
    expect(byLine.get(3)).toMatch(/unknown commune code 99999/);
    expect(byLine.get(4)).toMatch(/malformed commune_code "4".*leading zeros/);
    expect(byLine.get(5)).toMatch(/valid_from: malformed date "2025-02-30"/);
    expect(byLine.get(6)).toMatch(/valid_from: malformed date/);
    expect(byLine.get(7)).toMatch(/civil_servants: malformed number "six"/);
    expect(byLine.get(8)).toMatch(/contract_staff: malformed number "2,5" \(use a dot/);
    expect(byLine.get(9)).toMatch(/contract_staff must be 0 or more, got -2/);
    expect(byLine.get(10)).toMatch(/counters must be a whole number, got 2.5/);
    expect(byLine.get(11)).toMatch(/support_fte is empty/);
    expect(byLine.get(12)).toMatch(/second row for commune 00004 from 2025-07-01 \(first on line 2\)/);
    expect(byLine.get(13)).toMatch(/expected 6 fields as in the header, found 4/);
    expect(byLine.get(15)).toMatch(/counters must be 0 or more/);
  });

  it('reports several problems of one line, each with the line', () => {
    const errors = errorsOf(`${HEADER}\n00004,2025-07-01,-1,x,1,1.5\n`);
    expect(errors).toEqual([
      { line: 2, message: 'civil_servants must be 0 or more, got -1' },
      { line: 2, message: 'contract_staff: malformed number "x"' },
      { line: 2, message: 'counters must be a whole number, got 1.5' },
    ]);
  });

  it('rejects a header without a required column, a repeated column, an empty file and a file without rows', () => {
    expect(
      errorsOf('commune_code,valid_from,civil_servants,contract_staff,counters\n00004,2025-07-01,1,1,1\n'),
    ).toEqual([{ line: 1, message: 'missing required column(s): support_fte' }]);
    expect(errorsOf(`${HEADER},counters\n`)).toEqual([{ line: 1, message: 'column counters appears more than once' }]);
    expect(errorsOf('')).toEqual([{ line: 1, message: 'the file is empty: no header row' }]);
    expect(errorsOf(`${HEADER}\n\n`)).toEqual([{ line: 1, message: 'the file has no roster rows' }]);
  });

  it('refuses FTE and counters past their plausible bounds, and numbers too long to be finite', () => {
    const errors = errorsOf(`${HEADER}\n00004,2025-07-01,${'9'.repeat(400)},500,500.5,201\n`);
    expect(errors).toEqual([
      { line: 2, message: `civil_servants must be at most 500, got ${'9'.repeat(20)}… (400 digits)` },
      { line: 2, message: 'support_fte must be at most 500, got 500.5' },
      { line: 2, message: 'counters must be at most 200, got 201' },
    ]);
  });

  it('rejects a day outside the warehouse date range rather than letting it be clamped', () => {
    expect(errorsOf(`${HEADER}\n00004,1969-12-31,1,1,1,1\n`)[0]?.message).toMatch(/outside 1970-01-01 to 2149-06-06/);
  });

  it('accepts exactly the rows the commune-staffing contract accepts', () => {
    const cases = [
      ['00004', '2025-07-01', '0', '0', '0', '0'],
      ['00004', '1970-01-01', '500', '500', '500', '200'],
      ['00004', '2149-06-06', '0.0000001', '499.99', '1', '200.0'],
      ['00004', '2024-02-29', '500.0000001', '1', '1', '1'],
      ['00004', '1969-12-31', '1', '1', '1', '1'],
      ['00004', '2149-06-07', '1', '1', '1', '1'],
      ['00004', '2025-02-29', '1', '1', '1', '1'],
      ['00004', '2025-07-01', '1', '1', '1', '201'],
      ['00004', '2025-07-01', '1', '1', '1', '0.5'],
      ['0004', '2025-07-01', '1', '1', '1', '1'],
    ] as const;
    for (const [commune, day, civil, contract, support, counters] of cases) {
      const parsed = parseStaffingCsv(`${HEADER}\n${commune},${day},${civil},${contract},${support},${counters}\n`);
      const contractRow = communeStaffingRow.safeParse({
        commune_code: commune,
        valid_from: day,
        civil_servants: Number(civil),
        contract_staff: Number(contract),
        support_fte: Number(support),
        counters: Number(counters),
      });
      expect({ row: [commune, day, civil, contract, support, counters], ok: parsed.ok }).toEqual({
        row: [commune, day, civil, contract, support, counters],
        ok: contractRow.success,
      });
      if (parsed.ok && contractRow.success) {
        const [row] = parsed.rows;
        expect([row?.civilServants, row?.contractStaff, row?.supportFte, row?.counters]).toEqual([
          contractRow.data.civil_servants,
          contractRow.data.contract_staff,
          contractRow.data.support_fte,
          contractRow.data.counters,
        ]);
      }
    }
  });

  it('reports a broken quote with its line', () => {
    expect(errorsOf(`${HEADER}\n00004,2025-07-01,1,1,1,1\n"00008,2025-07-01,1,1,1,1\n`)).toEqual([
      { line: 3, message: 'unterminated quoted field' },
    ]);
  });
});

describe('reference inputs in the embedded warehouse', () => {
  let dir: string;
  let warehouse: Warehouse;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cp-reference-inputs-'));
    warehouse = await openWarehouse({ dataDir: dir });
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function catalogFrom(text: string, source: string) {
    const parsed = parseProcedureCatalogCsv(text, { source });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return parsed.catalog;
  }

  it('refuses to store a catalog that would not read back whole, and stores nothing of it', async () => {
    const good = catalogFrom(
      'procedure_code,name,domain,deadline_working_days,standard_minutes,counter_minutes\n1.001193,Khai sinh,ho_tich,0,25,12\n',
      'good.csv',
    );
    const [standard] = good.standards;
    if (standard === undefined) throw new Error('no row');
    // A catalog built in code rather than parsed: nothing stops a value the parser would refuse.
    const forged = { ...good, standards: [{ ...standard, standardMinutes: Number.POSITIVE_INFINITY }] };
    await expect(saveProcedureCatalog(warehouse, forged, 'forged.csv')).rejects.toThrow(
      /cannot be stored faithfully: row 1: standard_minutes: malformed number "Infinity"; nothing was stored/,
    );
    expect(await latestCatalogImport(warehouse)).toBeUndefined();
    const [rows] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM procedure_catalog_rows');
    expect(Number(rows?.n)).toBe(0);
  });

  it('gives the shipped defaults until a catalog is imported', async () => {
    const effective = await loadEffectiveCatalog(warehouse);
    expect(effective.version).toBe(defaultProcedureCatalog().version);
    expect(effective.calibration).toBe(true);
    expect(await latestCatalogImport(warehouse)).toBeUndefined();
  });

  it('merges the latest import over the defaults, and its version changes with every import that changes it', async () => {
    const defaults = defaultProcedureCatalog();
    const first = catalogFrom(
      'procedure_code,name,domain,deadline_working_days,standard_minutes,counter_minutes\n' +
        '1.001193,Đăng ký khai sinh,ho_tich,0,25,12\n' +
        '9.000001,"Thủ tục mới, thử nghiệm ""A""",khac,2.5,0.0000001,0\n',
      'procedures-2025.csv',
    );
    const summary = await saveProcedureCatalog(warehouse, first, 'procedures-2025.csv', { importedAtMs: 1_000 });
    expect(summary).toMatchObject({ rows: 2, overridden: 1, added: 1, defaultRowReplaced: false });

    const afterFirst = await loadEffectiveCatalog(warehouse);
    expect(afterFirst.version).not.toBe(defaults.version);
    expect(afterFirst.version).toBe(summary.effectiveVersion);
    expect(afterFirst.lookup('1.001193')).toMatchObject({
      standardMinutes: 25,
      counterMinutes: 12,
      calibration: false,
    });
    expect(afterFirst.lookup('9.000001')).toMatchObject({
      name: 'Thủ tục mới, thử nghiệm "A"',
      deadlineWorkingDays: 2.5,
      standardMinutes: 0.0000001,
      known: true,
    });
    // Codes the import does not name keep their defaults, the * row included.
    const other = defaults.standards.find((s) => s.code !== '1.001193');
    if (other === undefined) throw new Error('the defaults have one row only');
    expect(afterFirst.lookup(other.code)).toMatchObject({ standardMinutes: other.standardMinutes, calibration: true });
    expect(afterFirst.lookup('8.888888')).toMatchObject({ code: '*', known: false });
    expect(afterFirst.calibration).toBe(true);

    const second = catalogFrom(
      'name,procedure_code,domain,deadline_working_days,standard_minutes,counter_minutes\n' +
        'Mặc định của bộ,*,khac,3,40,20\n' +
        'Đăng ký khai sinh,1.001193,ho_tich,0,35,12\n',
      'procedures-2026.csv',
    );
    const secondSummary = await saveProcedureCatalog(warehouse, second, 'procedures-2026.csv', { importedAtMs: 2_000 });
    expect(secondSummary).toMatchObject({ rows: 2, overridden: 1, added: 0, defaultRowReplaced: true });
    const afterSecond = await loadEffectiveCatalog(warehouse);
    expect(afterSecond.version).not.toBe(afterFirst.version);
    expect(afterSecond.lookup('1.001193').standardMinutes).toBe(35);
    // The latest import replaces the previous one; it is not stacked on it.
    expect(afterSecond.lookup('9.000001')).toMatchObject({ code: '*', known: false, standardMinutes: 40 });
    expect(afterSecond.source).toBe('procedures.default.csv+procedures-2026.csv');

    // Importing the first file again makes it current again, with the version it had.
    await saveProcedureCatalog(warehouse, first, 'procedures-2025.csv', { importedAtMs: 3_000 });
    expect((await loadEffectiveCatalog(warehouse)).version).toBe(afterFirst.version);

    const imports = await warehouse.query<{ catalog_version: string; source: string }>(
      'SELECT catalog_version, source FROM procedure_catalog_imports ORDER BY imported_at',
    );
    expect(imports).toEqual([
      { catalog_version: first.version, source: 'procedures-2025.csv' },
      { catalog_version: second.version, source: 'procedures-2026.csv' },
      { catalog_version: first.version, source: 'procedures-2025.csv' },
    ]);
    const current = await warehouse.query<{ procedure_code: string; source: string }>(
      'SELECT procedure_code, source FROM procedure_catalog_current ORDER BY procedure_code',
    );
    expect(current).toEqual([
      { procedure_code: '1.001193', source: 'procedures-2025.csv' },
      { procedure_code: '9.000001', source: 'procedures-2025.csv' },
    ]);
  });

  it('picks the roster row valid on a day across several valid_from dates, and a re-import supersedes', async () => {
    const parsed = parseStaffingCsv(
      [
        HEADER,
        '00004,2025-07-01,6,2,0,3',
        '00004,2025-10-01,7,2,1,3',
        '00004,2026-01-01,8,2,1,4',
        '00008,2025-08-15,3,1,0,2',
      ].join('\n'),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const summary = await saveStaffingRows(warehouse, parsed.rows, 'staffing.csv', { importedAtMs: 10_000 });
    expect(summary).toMatchObject({
      rows: 4,
      communes: 2,
      firstValidFrom: '2025-07-01',
      lastValidFrom: '2026-01-01',
      replaced: 0,
    });

    const at = (day: string, communes?: string[]) => loadStaffingAt(warehouse, day, communes);
    expect([...(await at('2025-06-30')).keys()]).toEqual([]);
    expect(Object.fromEntries(await at('2025-07-01'))).toEqual({
      '00004': {
        civilServants: 6,
        contractStaff: 2,
        supportFte: 0,
        counters: 3,
        validFrom: '2025-07-01',
        source: 'staffing.csv',
      },
    });
    const september = await at('2025-09-30');
    expect(september.get('00004')?.validFrom).toBe('2025-07-01');
    expect(september.get('00008')).toMatchObject({ validFrom: '2025-08-15', civilServants: 3, counters: 2 });
    expect((await at('2025-10-01')).get('00004')).toMatchObject({ validFrom: '2025-10-01', civilServants: 7 });
    expect((await at('2027-05-05')).get('00004')).toMatchObject({ validFrom: '2026-01-01', counters: 4 });
    expect([...(await at('2025-12-31', ['00008'])).keys()]).toEqual(['00008']);
    expect((await at('2025-12-31', [])).size).toBe(0);
    await expect(at('2025-13-01')).rejects.toThrow(/not a/);

    // A later import of the same commune and day replaces the row; the other rows stay.
    const again = parseStaffingCsv(`${HEADER}\n00004,2025-10-01,9,0,0.5,5\n`);
    if (!again.ok) throw new Error(JSON.stringify(again.errors));
    const againSummary = await saveStaffingRows(warehouse, again.rows, 'staffing-fix.csv', { importedAtMs: 20_000 });
    expect(againSummary.replaced).toBe(1);
    expect((await at('2025-11-01')).get('00004')).toEqual({
      civilServants: 9,
      contractStaff: 0,
      supportFte: 0.5,
      counters: 5,
      validFrom: '2025-10-01',
      source: 'staffing-fix.csv',
    });
    const history = await loadStaffingHistory(warehouse, '00004');
    expect(history.map((row) => [row.validFrom, row.source])).toEqual([
      ['2025-07-01', 'staffing.csv'],
      ['2025-10-01', 'staffing-fix.csv'],
      ['2026-01-01', 'staffing.csv'],
    ]);

    // An older row arriving late (a topic message produced before the fix) does not undo the fix.
    const [fixed] = again.rows;
    if (fixed === undefined) throw new Error('no row');
    await saveStaffingRecords(warehouse, [
      { ...fixed, civilServants: 1, source: 'kafka:commune-staffing.v1:0:7', importedAtMs: 15_000 },
    ]);
    expect((await at('2025-11-01')).get('00004')?.civilServants).toBe(9);
  });

  it('finds the row in force for every commune in one query', async () => {
    const { communes } = await import('@commune-pulse/reference-data');
    const all = communes();
    const rows = all.map((commune, i) => ({
      communeCode: commune.code,
      validFrom: '2024-01-01',
      civilServants: 4 + (i % 5),
      contractStaff: 1,
      supportFte: 0,
      counters: 2,
    }));
    await saveStaffingRows(warehouse, rows, 'national.csv', { importedAtMs: 30_000 });
    const atDay = await loadStaffingAt(warehouse, '2025-09-01');
    expect(atDay.size).toBe(all.length);
    // The communes with a later row keep it: 00004 from 2025-07-01, 00008 from 2025-08-15.
    expect(atDay.get('00004')?.validFrom).toBe('2025-07-01');
    expect(atDay.get('00008')?.validFrom).toBe('2025-08-15');
    expect(atDay.get(all.at(-1)?.code ?? '')).toMatchObject({ validFrom: '2024-01-01', source: 'national.csv' });
  });

  it('records a parameter set once under its version and gives it back', async () => {
    const custom = resolveParams({ sick_leave: 7, level_thresholds: [0.7, 1, 1.3, 1.6] });
    if (!custom.ok) throw new Error(custom.errors.join('; '));
    const version = await saveParams(warehouse, custom.params, 'params.json');
    expect(version).toBe(paramsVersion(custom.params));
    expect(await saveParams(warehouse, custom.params, 'params-copy.json')).toBe(version);
    const defaultsVersion = await saveParams(warehouse, DEFAULT_PARAMS, 'defaults');
    expect(defaultsVersion).not.toBe(version);
    expect(await loadParams(warehouse, version)).toEqual(custom.params);
    expect(await loadParams(warehouse, 'params-0000000000000000')).toBeUndefined();
    const [count] = await warehouse.query<{ n: number }>(
      'SELECT count() AS n FROM estimation_params WHERE params_version = {v:String}',
      { v: version },
    );
    expect(Number(count?.n)).toBe(1);
  });
});
