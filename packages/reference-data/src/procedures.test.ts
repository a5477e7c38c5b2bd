import { describe, expect, it } from 'vitest';
import {
  defaultProcedureCatalog,
  mergeCatalog,
  PROCEDURE_CODE_PATTERN,
  type ProcedureCatalog,
  parseProcedureCatalogCsv,
} from './procedures.ts';

const HEADER = 'procedure_code,name,domain,deadline_working_days,standard_minutes,counter_minutes';

function parseOk(text: string, options?: Parameters<typeof parseProcedureCatalogCsv>[1]): ProcedureCatalog {
  const result = parseProcedureCatalogCsv(text, options);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.catalog;
}

function parseErrors(text: string) {
  const result = parseProcedureCatalogCsv(text);
  if (result.ok) throw new Error('expected the file to be rejected');
  return result.errors;
}

describe('defaultProcedureCatalog', () => {
  const catalog = defaultProcedureCatalog();

  it('is a realistic, calibration-marked catalog with a default row', () => {
    expect(catalog.calibration).toBe(true);
    expect(catalog.standards.every((s) => s.calibration)).toBe(true);
    expect(catalog.standards.length).toBeGreaterThanOrEqual(30);
    expect(catalog.standards.length).toBeLessThanOrEqual(45);
    expect(catalog.defaultStandard).toMatchObject({ code: '*', calibration: true });
    expect(catalog.version).toMatch(/^catalog-[0-9a-f]{12}$/);
    expect(catalog.source).toBe('procedures.default.csv');
  });

  it('names the procedures of the example streams', () => {
    for (const code of [
      '1.001193',
      '1.000894',
      '1.004227',
      '1.003583',
      '3.000171',
      '2.000908',
      '2.001023',
      '1.010829',
    ]) {
      expect(catalog.lookup(code).known, code).toBe(true);
    }
    expect(catalog.lookup('1.001193')).toMatchObject({ name: 'Đăng ký khai sinh', domain: 'ho_tich' });
  });

  it('gives unknown codes the default row', () => {
    const unknown = catalog.lookup('9.999001');
    expect(unknown.known).toBe(false);
    expect(unknown).toEqual({ ...catalog.defaultStandard, known: false });
  });

  it('keeps the legal deadlines the indicators spec names', () => {
    const byDomain = (domain: string) => catalog.standards.filter((s) => s.domain === domain);
    expect(catalog.lookup('1.001193').deadlineWorkingDays).toBe(0);
    expect(catalog.lookup('2.000815').deadlineWorkingDays).toBe(0);
    expect(catalog.lookup('2.000884').deadlineWorkingDays).toBe(0);
    expect(byDomain('chung_thuc').every((s) => s.deadlineWorkingDays <= 2)).toBe(true);
    for (const domain of ['ho_tich', 'chung_thuc', 'cu_tru', 'dat_dai', 'bao_tro_xa_hoi']) {
      expect(byDomain(domain).length, domain).toBeGreaterThan(0);
    }
  });

  it('uses well-formed codes, unique and in NFC Vietnamese', () => {
    const codes = catalog.standards.map((s) => s.code);
    expect(codes.every((c) => PROCEDURE_CODE_PATTERN.test(c))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    for (const s of catalog.standards) {
      expect(s.name).toBe(s.name.normalize('NFC'));
      expect(s.standardMinutes).toBeGreaterThan(0);
    }
    // Every name is real Vietnamese text, so each carries at least one diacritic.
    expect(catalog.standards.filter((s) => !/[^ -~]/.test(s.name))).toEqual([]);
  });

  it('is loaded once', () => {
    expect(defaultProcedureCatalog()).toBe(catalog);
  });
});

describe('parseProcedureCatalogCsv', () => {
  it('reads columns in any order, ignores extra columns, tolerates a BOM and quoted commas', () => {
    const text = [
      '\uFEFFcounter_minutes,note,standard_minutes,procedure_code,domain,name,deadline_working_days',
      '15,"a note, with commas",30,1.001193,ho_tich,Đăng ký khai sinh,0',
      '20,,40.5,1.001022,ho_tich,"Đăng ký nhận cha, mẹ, con",3',
      '',
    ].join('\r\n');
    const catalog = parseOk(text);
    expect(catalog.standards).toEqual([
      {
        code: '1.001022',
        name: 'Đăng ký nhận cha, mẹ, con',
        domain: 'ho_tich',
        deadlineWorkingDays: 3,
        standardMinutes: 40.5,
        counterMinutes: 20,
        calibration: false,
      },
      {
        code: '1.001193',
        name: 'Đăng ký khai sinh',
        domain: 'ho_tich',
        deadlineWorkingDays: 0,
        standardMinutes: 30,
        counterMinutes: 15,
        calibration: false,
      },
    ]);
    expect(catalog.defaultStandard).toBeUndefined();
    expect(catalog.calibration).toBe(false);
  });

  it('accepts header names with stray case and spaces, and a trailing comma', () => {
    const catalog = parseOk(
      ' Procedure_Code ,NAME,domain,deadline_working_days,standard_minutes,counter_minutes\n1.001193,Khai sinh,ho_tich,0,30,15,\n',
    );
    expect(catalog.lookup('1.001193').standardMinutes).toBe(30);
  });

  it('normalises names to NFC', () => {
    const decomposed = 'Đăng ký khai sinh'.normalize('NFD');
    const catalog = parseOk(`${HEADER}\n1.001193,${decomposed},ho_tich,0,30,15\n`);
    expect(catalog.lookup('1.001193').name).toBe('Đăng ký khai sinh');
  });

  it('reports a missing required column on the header line and nothing else', () => {
    expect(parseErrors('procedure_code,name,domain,standard_minutes\n1.001193,x,y,30\n')).toEqual([
      { line: 1, message: 'missing required column(s): deadline_working_days, counter_minutes' },
    ]);
    expect(parseErrors(`${HEADER},name\n`)).toEqual([{ line: 1, message: 'column name appears more than once' }]);
  });

  it('rejects an empty file or one without rows', () => {
    expect(parseErrors('')).toEqual([{ line: 1, message: 'the file is empty: no header row' }]);
    expect(parseErrors(`\n\n${HEADER}\n\n`)).toEqual([{ line: 3, message: 'the file has no procedure rows' }]);
  });

  it('reports every bad line with its number, and applies nothing', () => {
    const text = [
      HEADER,
      '1.001193,Đăng ký khai sinh,ho_tich,0,30,15', // line 2: fine
      '1.1193,Bad code,ho_tich,0,30,15', // line 3
      '1.000894,Kết hôn,ho_tich,zero,30,15', // line 4
      '1.000656,Khai tử,ho_tich,0,0,15', // line 5
      '1.004873,"Xác nhận, tình trạng",ho_tich,3,25,-1', // line 6
      '1.001193,Duplicate,ho_tich,0,30,15', // line 7
      '"2.000815","Chứng thực',
      'bản sao",chung_thuc,0,"5,5",5', // lines 8–9
      '2.000884,,chung_thuc,0,10', // line 10
      '2.000908,Cấp bản sao,,0,10,5', // line 11
      '2.001035,x,chung_thuc,1e2,10,5,surplus', // line 12
    ].join('\n');
    expect(parseErrors(text)).toEqual([
      { line: 3, message: 'malformed procedure_code "1.1193" (expected a code like 1.001193, or *)' },
      { line: 4, message: 'deadline_working_days: malformed number "zero"' },
      { line: 5, message: 'standard_minutes must be greater than 0, got 0' },
      { line: 6, message: 'counter_minutes must be 0 or more, got -1' },
      { line: 7, message: 'duplicate procedure_code 1.001193 (first on line 2)' },
      { line: 8, message: 'standard_minutes: malformed number "5,5" (use a dot as the decimal separator)' },
      { line: 10, message: 'expected 6 fields as in the header, found 5' },
      { line: 11, message: 'domain is empty' },
      { line: 12, message: 'expected 6 fields as in the header, found 7' },
    ]);
  });

  it('refuses values past their documented bounds, numbers too long to be finite included, by line', () => {
    const huge = '9'.repeat(400);
    const text = [
      HEADER,
      `1.001193,Khai sinh,ho_tich,0,${huge},15`, // line 2: was stored as 0, then "damaged"
      '1.000894,Kết hôn,ho_tich,99999999999,30,15', // line 3
      '1.000656,Khai tử,ho_tich,0,6001,15', // line 4
      '1.004873,Xác nhận,ho_tich,0,30,481', // line 5
      '1.000000,Giới hạn,khac,260,6000,480', // line 6: every bound itself is fine
    ].join('\n');
    expect(parseErrors(text)).toEqual([
      { line: 2, message: `standard_minutes must be at most 6000, got ${'9'.repeat(20)}… (400 digits)` },
      { line: 3, message: 'deadline_working_days must be at most 260, got 99999999999' },
      { line: 4, message: 'standard_minutes must be at most 6000, got 6001' },
      { line: 5, message: 'counter_minutes must be at most 480, got 481' },
    ]);
  });

  it('reports several problems of one line', () => {
    expect(parseErrors(`${HEADER}\n,,,,,x\n`)).toEqual([
      { line: 2, message: 'procedure_code is empty' },
      { line: 2, message: 'name is empty' },
      { line: 2, message: 'domain is empty' },
      { line: 2, message: 'deadline_working_days is empty' },
      { line: 2, message: 'standard_minutes is empty' },
      { line: 2, message: 'counter_minutes: malformed number "x"' },
    ]);
  });

  it('reports CSV structure errors with their line', () => {
    expect(parseErrors(`${HEADER}\n1.001193,"open,ho_tich,0,30,15\n`)).toEqual([
      { line: 2, message: 'unterminated quoted field' },
    ]);
  });

  it('throws on lookup of an unknown code when the catalog has no default row', () => {
    const catalog = parseOk(`${HEADER}\n1.001193,Khai sinh,ho_tich,0,30,15\n`);
    expect(catalog.lookup('1.001193').known).toBe(true);
    expect(() => catalog.lookup('1.000894')).toThrow(/no \* row/);
  });

  it('versions by content: row and column order do not matter, numbers and names do', () => {
    const a = parseOk(`${HEADER}\n*,Mặc định,khac,3,30,15\n1.001193,Khai sinh,ho_tich,0,30,15\n`);
    const b = parseOk(
      'counter_minutes,standard_minutes,deadline_working_days,domain,name,procedure_code,note\n15,30.0,0,ho_tich,Khai sinh,1.001193,x\n15,30,3,khac,Mặc định,*,y\n',
      { calibration: true, source: 'other.csv' },
    );
    expect(b.version).toBe(a.version);
    const c = parseOk(`${HEADER}\n*,Mặc định,khac,3,30,15\n1.001193,Khai sinh,ho_tich,0,31,15\n`);
    expect(c.version).not.toBe(a.version);
    const d = parseOk(`${HEADER}\n*,Mặc định,khac,3,30,15\n1.001193,Khai sinh.,ho_tich,0,30,15\n`);
    expect(d.version).not.toBe(a.version);
  });
});

describe('mergeCatalog', () => {
  const base = parseOk(
    `${HEADER}\n*,Mặc định,khac,3,30,15\n1.001193,Khai sinh,ho_tich,0,30,15\n1.000894,Kết hôn,ho_tich,0,40,20\n`,
    { calibration: true, source: 'base.csv' },
  );

  it('replaces the codes the override names and keeps the others', () => {
    const override = parseOk(
      `${HEADER}\n1.001193,Đăng ký khai sinh,ho_tich,0,25,12\n2.000815,Chứng thực bản sao,chung_thuc,0,5,5\n`,
      {
        source: 'ministry.csv',
      },
    );
    const merged = mergeCatalog(base, override);
    expect(merged.lookup('1.001193')).toMatchObject({ standardMinutes: 25, calibration: false, known: true });
    expect(merged.lookup('2.000815')).toMatchObject({ standardMinutes: 5, known: true });
    expect(merged.lookup('1.000894')).toMatchObject({ standardMinutes: 40, calibration: true });
    expect(merged.lookup('9.999001')).toMatchObject({ code: '*', standardMinutes: 30, known: false });
    expect(merged.calibration).toBe(true);
    expect(merged.source).toBe('base.csv+ministry.csv');
    expect(merged.version).not.toBe(base.version);
    // The base is untouched.
    expect(base.lookup('1.001193').standardMinutes).toBe(30);
  });

  it('lets the override set the default with *', () => {
    const override = parseOk(`${HEADER}\n*,Mặc định của bộ,khac,2,45,10\n`);
    const merged = mergeCatalog(base, override);
    expect(merged.lookup('9.999001')).toMatchObject({ standardMinutes: 45, calibration: false, known: false });
    expect(merged.lookup('1.001193').standardMinutes).toBe(30);
  });

  it('is no longer calibration once every row comes from the ministry', () => {
    const override = parseOk(
      `${HEADER}\n*,D,khac,2,45,10\n1.001193,Khai sinh,ho_tich,0,25,12\n1.000894,Kết hôn,ho_tich,0,35,15\n`,
    );
    expect(mergeCatalog(base, override).calibration).toBe(false);
  });

  it('gives the same version as a file with the merged rows', () => {
    const override = parseOk(`${HEADER}\n1.001193,Khai sinh,ho_tich,0,25,12\n`);
    const flat = parseOk(
      `${HEADER}\n*,Mặc định,khac,3,30,15\n1.001193,Khai sinh,ho_tich,0,25,12\n1.000894,Kết hôn,ho_tich,0,40,20\n`,
    );
    expect(mergeCatalog(base, override).version).toBe(flat.version);
  });

  it('merges an imported file over the shipped defaults', () => {
    const shipped = defaultProcedureCatalog();
    const merged = mergeCatalog(shipped, parseOk(`${HEADER}\n1.001193,Đăng ký khai sinh,ho_tich,0,20,10\n`));
    expect(merged.standards).toHaveLength(shipped.standards.length);
    expect(merged.lookup('1.001193').standardMinutes).toBe(20);
    expect(merged.lookup('2.000908')).toEqual(shipped.lookup('2.000908'));
  });
});
