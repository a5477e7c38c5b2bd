import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type CsvLineError, readCsvTable, shiftedRecordError } from './csv.ts';

/** National administrative-procedure code (mã TTHC), e.g. `1.001193`. */
export const PROCEDURE_CODE_PATTERN = /^[0-9]\.[0-9]{6}$/;
/** The catalog row that applies to every code no other row names. */
export const DEFAULT_PROCEDURE_CODE = '*';

export type ProcedureStandard = {
  /** National code, or `*` for the default row. */
  readonly code: string;
  readonly name: string;
  /** Field (lĩnh vực), e.g. `ho_tich`, `chung_thuc`, `cu_tru`, `dat_dai`. */
  readonly domain: string;
  /** Legal processing time; 0 = same day. */
  readonly deadlineWorkingDays: number;
  /** Staff minutes per dossier (the WISN activity standard). */
  readonly standardMinutes: number;
  /** Minutes of counter time per in-person dossier. */
  readonly counterMinutes: number;
  /** True when the minutes are the shipped calibration defaults rather than values supplied by the ministry. */
  readonly calibration: boolean;
};

export type ProcedureLookup = ProcedureStandard & {
  /** False when no row names the code and the `*` row applied (`code` is then `*`). */
  readonly known: boolean;
};

export type ProcedureCatalog = {
  /** Content hash of the rows, `catalog-<12 hex>`: what indicator rows record as `params_version`. */
  readonly version: string;
  /** True when any row (default row included) carries calibration defaults. */
  readonly calibration: boolean;
  /** Where the rows came from, e.g. `procedures.default.csv`, or `a+b` after a merge. */
  readonly source: string;
  /** Rows with a national code, sorted by code. */
  readonly standards: readonly ProcedureStandard[];
  /** The `*` row; a catalog without one can only be used as an override (see `mergeCatalog`). */
  readonly defaultStandard: ProcedureStandard | undefined;
  /** The row for `code`, or the `*` row marked `known: false`; throws if neither exists. */
  lookup(code: string): ProcedureLookup;
};

export type ProcedureCatalogParseResult =
  | { readonly ok: true; readonly catalog: ProcedureCatalog }
  | { readonly ok: false; readonly errors: readonly CsvLineError[] };

export type ProcedureCatalogParseOptions = {
  /** Recorded in `catalog.source`; default `procedures.csv`. */
  readonly source?: string;
  /** Marks every row as calibration defaults; default false (an imported file is the ministry's word). */
  readonly calibration?: boolean;
};

/** The columns of `procedures.csv`, all required, in the order the spec lists them. */
export const PROCEDURE_CATALOG_COLUMNS = [
  'procedure_code',
  'name',
  'domain',
  'deadline_working_days',
  'standard_minutes',
  'counter_minutes',
] as const;
type Column = (typeof PROCEDURE_CATALOG_COLUMNS)[number];

/** A standard as a row of `procedures.csv`: its columns, named as the file names them. */
export function procedureCatalogRow(standard: ProcedureStandard) {
  return {
    procedure_code: standard.code,
    name: standard.name,
    domain: standard.domain,
    deadline_working_days: standard.deadlineWorkingDays,
    standard_minutes: standard.standardMinutes,
    counter_minutes: standard.counterMinutes,
  } satisfies Record<Column, string | number>;
}

const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

/**
 * Plausibility bounds of a catalog row (spec/reference-inputs.md gives the signs; these the ceilings): values
 * beyond them are typing errors (an extra zero, a number pasted into the wrong column), and one of them would
 * swamp every commune's workload. The longest legal deadline of a commune-level procedure is a few months of
 * working days; a dossier needs at most days, not weeks, of staff time; the counter part of one is at most a day.
 */
export const CATALOG_BOUNDS = {
  deadline_working_days: 260,
  standard_minutes: 6_000,
  counter_minutes: 480,
} as const;

/**
 * Parses a procedure catalog CSV (spec/reference-inputs.md). All or nothing: any bad line rejects the file,
 * and every problem found is reported with its line. Columns may come in any order; other columns are ignored.
 */
export function parseProcedureCatalogCsv(
  text: string,
  options: ProcedureCatalogParseOptions = {},
): ProcedureCatalogParseResult {
  const read = readCsvTable(text, PROCEDURE_CATALOG_COLUMNS, 'procedure rows');
  if (!read.ok) return { ok: false, errors: read.errors };
  const { records: rows, columnIndex } = read.table;
  const headerWidth = read.table.header.fields.length;

  const calibration = options.calibration ?? false;
  const errors: CsvLineError[] = [];
  const firstLineOfCode = new Map<string, number>();
  const standards: ProcedureStandard[] = [];

  for (const row of rows) {
    const rowErrors: string[] = [];
    const shifted = shiftedRecordError(row, headerWidth);
    if (shifted !== undefined) {
      errors.push(shifted);
      continue;
    }
    const value = (column: Column): string => row.fields[columnIndex.get(column) ?? -1]?.trim() ?? '';

    const code = value('procedure_code');
    if (code === '') rowErrors.push('procedure_code is empty');
    else if (code !== DEFAULT_PROCEDURE_CODE && !PROCEDURE_CODE_PATTERN.test(code)) {
      rowErrors.push(`malformed procedure_code ${JSON.stringify(code)} (expected a code like 1.001193, or *)`);
    } else {
      const firstLine = firstLineOfCode.get(code);
      if (firstLine !== undefined) rowErrors.push(`duplicate procedure_code ${code} (first on line ${firstLine})`);
      else firstLineOfCode.set(code, row.line);
    }

    const name = value('name').normalize('NFC');
    if (name === '') rowErrors.push('name is empty');
    const domain = value('domain');
    if (domain === '') rowErrors.push('domain is empty');

    const deadline = parseNumber(value('deadline_working_days'), 'deadline_working_days', 'nonNegative', rowErrors);
    const standard = parseNumber(value('standard_minutes'), 'standard_minutes', 'positive', rowErrors);
    const counter = parseNumber(value('counter_minutes'), 'counter_minutes', 'nonNegative', rowErrors);

    if (rowErrors.length > 0) {
      for (const message of rowErrors) errors.push({ line: row.line, message });
      continue;
    }
    standards.push(
      Object.freeze({
        code,
        name,
        domain,
        deadlineWorkingDays: deadline,
        standardMinutes: standard,
        counterMinutes: counter,
        calibration,
      }),
    );
  }

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, catalog: buildCatalog(standards, options.source ?? 'procedures.csv') };
}

function parseNumber(raw: string, column: Column, sign: 'positive' | 'nonNegative', errors: string[]): number {
  if (raw === '') {
    errors.push(`${column} is empty`);
    return Number.NaN;
  }
  if (/^-[0-9]+(\.[0-9]+)?$/.test(raw)) {
    errors.push(`${column} must be ${sign === 'positive' ? 'greater than 0' : '0 or more'}, got ${raw}`);
    return Number.NaN;
  }
  if (!DECIMAL.test(raw)) {
    const hint = /^-?[0-9]+,[0-9]+$/.test(raw) ? ' (use a dot as the decimal separator)' : '';
    errors.push(`${column}: malformed number ${JSON.stringify(raw)}${hint}`);
    return Number.NaN;
  }
  const value = Number(raw);
  const max = CATALOG_BOUNDS[column as keyof typeof CATALOG_BOUNDS];
  if (sign === 'positive' && value <= 0) errors.push(`${column} must be greater than 0, got ${raw}`);
  else if (!Number.isFinite(value) || value > max) {
    errors.push(
      `${column} must be at most ${max}, got ${raw.length > 24 ? `${raw.slice(0, 20)}… (${raw.length} digits)` : raw}`,
    );
  }
  return value;
}

function buildCatalog(rows: readonly ProcedureStandard[], source: string): ProcedureCatalog {
  const defaultStandard = rows.find((r) => r.code === DEFAULT_PROCEDURE_CODE);
  const standards = Object.freeze(rows.filter((r) => r.code !== DEFAULT_PROCEDURE_CODE).sort(compareByCode));
  const byCode = new Map(standards.map((s) => [s.code, s]));
  const all = defaultStandard === undefined ? standards : [defaultStandard, ...standards];
  return Object.freeze({
    version: catalogVersion(all),
    calibration: all.some((s) => s.calibration),
    source,
    standards,
    defaultStandard,
    lookup(code: string): ProcedureLookup {
      const row = byCode.get(code);
      if (row !== undefined) return { ...row, known: true };
      if (defaultStandard === undefined) {
        throw new Error(
          `procedure catalog ${source} has no * row for unknown code ${code}; merge it over defaultProcedureCatalog()`,
        );
      }
      return { ...defaultStandard, known: false };
    },
  });
}

// '*' sorts before every digit, so the default row leads the canonical form. Names and domains are part of the
// content; the calibration flag and the source are not, so equal numbers give equal versions wherever they came from.
function catalogVersion(rows: readonly ProcedureStandard[]): string {
  const canonical = [...rows]
    .sort(compareByCode)
    .map((r) => [r.code, r.name, r.domain, r.deadlineWorkingDays, r.standardMinutes, r.counterMinutes]);
  const digest = createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('hex');
  return `catalog-${digest.slice(0, 12)}`;
}

function compareByCode(a: ProcedureStandard, b: ProcedureStandard): number {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

/**
 * Applies an imported catalog over a base one (spec/reference-inputs.md): the override replaces the base rows
 * for the codes it names, its `*` row (if any) replaces the default, and every other base row stays.
 */
export function mergeCatalog(base: ProcedureCatalog, override: ProcedureCatalog): ProcedureCatalog {
  const byCode = new Map(base.standards.map((s) => [s.code, s]));
  for (const s of override.standards) byCode.set(s.code, s);
  const defaultStandard = override.defaultStandard ?? base.defaultStandard;
  const rows = defaultStandard === undefined ? [...byCode.values()] : [defaultStandard, ...byCode.values()];
  return buildCatalog(rows, `${base.source}+${override.source}`);
}

export const DEFAULT_CATALOG_FILE = new URL('../data/procedures.default.csv', import.meta.url);

let defaultCatalog: ProcedureCatalog | undefined;

/**
 * The shipped catalog (`data/procedures.default.csv`). Its minutes are calibration defaults, so the catalog and
 * each row carry `calibration: true` until a ministry file replaces them.
 */
export function defaultProcedureCatalog(): ProcedureCatalog {
  if (defaultCatalog === undefined) {
    const parsed = parseProcedureCatalogCsv(readFileSync(DEFAULT_CATALOG_FILE, 'utf8'), {
      source: 'procedures.default.csv',
      calibration: true,
    });
    if (!parsed.ok) {
      const detail = parsed.errors.map((e) => `line ${e.line}: ${e.message}`).join('; ');
      throw new Error(`the shipped procedure catalog is invalid: ${detail}`);
    }
    defaultCatalog = parsed.catalog;
  }
  return defaultCatalog;
}
