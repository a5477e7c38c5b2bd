// Reference inputs in the warehouse (docs/spec/reference-inputs.md): imported procedure catalogs, the staffing roster
// and the estimation parameter sets, each stored with the version that indicator rows record.

import {
  STAFFING_FIRST_DAY,
  STAFFING_LAST_DAY,
  STAFFING_MAX_COUNTERS,
  STAFFING_MAX_FTE,
} from '@commune-pulse/contracts';
import {
  type CsvLineError,
  csvField,
  defaultProcedureCatalog,
  isKnownCommune,
  mergeCatalog,
  type ProcedureCatalog,
  type ProcedureStandard,
  parseDay,
  parseProcedureCatalogCsv,
  readCsvTable,
} from '@commune-pulse/reference-data';
import { canonicalJson, type EstimationParams, paramsVersion, resolveParams } from '@commune-pulse/workload';
import type { Warehouse } from './warehouse.ts';

// ---------------------------------------------------------------------------------------------------------------
// Procedure catalog

export interface CatalogImport {
  /** Content hash of the imported rows (`catalog-<12 hex>`). */
  catalogVersion: string;
  /** Version of the shipped defaults merged with the import, as computed when it was imported. */
  effectiveVersion: string;
  source: string;
  /** Rows of the imported file, the `*` row included. */
  rows: number;
  importedAtMs: number;
}

export interface CatalogImportSummary extends CatalogImport {
  /** Codes the shipped defaults name too, whose rows the import replaces. */
  overridden: number;
  /** Codes the shipped defaults do not name. */
  added: number;
  /** Whether the import carries a `*` row, replacing the default for codes no row names. */
  defaultRowReplaced: boolean;
}

function standardRow(catalogVersion: string, standard: ProcedureStandard) {
  return {
    catalog_version: catalogVersion,
    procedure_code: standard.code,
    name: standard.name,
    domain: standard.domain,
    deadline_working_days: standard.deadlineWorkingDays,
    standard_minutes: standard.standardMinutes,
    counter_minutes: standard.counterMinutes,
  };
}

/**
 * Stores an imported catalog (parsed with `parseProcedureCatalogCsv`) as the current one. Every import is kept;
 * the rows go in before the import record, so an interrupted save never leaves an import without its rows.
 */
export async function saveProcedureCatalog(
  warehouse: Warehouse,
  catalog: ProcedureCatalog,
  source: string,
  options: { importedAtMs?: number } = {},
): Promise<CatalogImportSummary> {
  const defaults = defaultProcedureCatalog();
  const all =
    catalog.defaultStandard === undefined ? catalog.standards : [catalog.defaultStandard, ...catalog.standards];
  const importedAtMs = options.importedAtMs ?? Date.now();
  const effectiveVersion = mergeCatalog(defaults, catalog).version;
  const rows = all.map((standard) => standardRow(catalog.version, standard));
  // What loadEffectiveCatalog will read back goes through the same parser now, before anything is stored: a
  // catalog that could not be read back whole (an out-of-range value, a number that does not survive the trip)
  // is refused here rather than found "damaged" by the next estimate.
  const readBack = parseProcedureCatalogCsv(catalogCsv(rows), { source });
  if (!readBack.ok || readBack.catalog.version !== catalog.version) {
    const detail = readBack.ok
      ? `its rows read back as ${readBack.catalog.version}`
      : readBack.errors.map((e) => `row ${e.line - 1}: ${e.message}`).join('; ');
    throw new Error(`the procedure catalog from ${source} cannot be stored faithfully: ${detail}; nothing was stored`);
  }
  await warehouse.insert('procedure_catalog_rows', rows);
  await warehouse.insert('procedure_catalog_imports', [
    {
      catalog_version: catalog.version,
      effective_version: effectiveVersion,
      source,
      row_count: all.length,
      imported_at: new Date(importedAtMs).toISOString(),
    },
  ]);
  const defaultCodes = new Set(defaults.standards.map((standard) => standard.code));
  const overridden = catalog.standards.filter((standard) => defaultCodes.has(standard.code)).length;
  return {
    catalogVersion: catalog.version,
    effectiveVersion,
    source,
    rows: all.length,
    importedAtMs,
    overridden,
    added: catalog.standards.length - overridden,
    defaultRowReplaced: catalog.defaultStandard !== undefined,
  };
}

/** The latest catalog import, or undefined when only the shipped defaults apply. */
export async function latestCatalogImport(warehouse: Warehouse): Promise<CatalogImport | undefined> {
  const [row] = await warehouse.query<{
    catalog_version: string;
    effective_version: string;
    source: string;
    row_count: number;
    imported_at_ms: number;
  }>(
    `SELECT catalog_version, effective_version, source, row_count, toUnixTimestamp64Milli(imported_at) AS imported_at_ms
     FROM procedure_catalog_imports ORDER BY imported_at DESC LIMIT 1`,
  );
  if (row === undefined) return undefined;
  return {
    catalogVersion: row.catalog_version,
    effectiveVersion: row.effective_version,
    source: row.source,
    rows: Number(row.row_count),
    importedAtMs: Number(row.imported_at_ms),
  };
}

/**
 * The catalog the estimate uses: the shipped defaults with the latest import merged over them (the import
 * replaces the defaults for the codes it names; its `*` row, if any, becomes the default). Its version is a
 * hash of the merged rows, so it changes whenever an import changes what is in force.
 */
export async function loadEffectiveCatalog(warehouse: Warehouse): Promise<ProcedureCatalog> {
  const defaults = defaultProcedureCatalog();
  const latest = await latestCatalogImport(warehouse);
  if (latest === undefined) return defaults;
  const rows = await warehouse.query<ReturnType<typeof standardRow>>(
    `SELECT catalog_version, procedure_code, name, domain, deadline_working_days, standard_minutes, counter_minutes
     FROM procedure_catalog_rows FINAL WHERE catalog_version = {version:String} ORDER BY procedure_code`,
    { version: latest.catalogVersion },
  );
  // The stored rows go back through the one catalog parser, so the imported catalog is rebuilt exactly as the
  // import built it, and its content hash proves that nothing was lost on the way.
  const parsed = parseProcedureCatalogCsv(catalogCsv(rows), { source: latest.source });
  if (!parsed.ok || parsed.catalog.version !== latest.catalogVersion) {
    const detail = parsed.ok
      ? `its rows hash to ${parsed.catalog.version}`
      : parsed.errors.map((e) => `line ${e.line}: ${e.message}`).join('; ');
    throw new Error(
      `the stored procedure catalog ${latest.catalogVersion} (imported from ${latest.source}) is damaged: ${detail}; ` +
        'import the catalog file again',
    );
  }
  return mergeCatalog(defaults, parsed.catalog);
}

const CATALOG_COLUMNS = [
  'procedure_code',
  'name',
  'domain',
  'deadline_working_days',
  'standard_minutes',
  'counter_minutes',
] as const;

function catalogCsv(rows: readonly ReturnType<typeof standardRow>[]): string {
  const lines = [CATALOG_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(
      CATALOG_COLUMNS.map((column) => {
        const value = row[column];
        return typeof value === 'number' ? plainDecimal(value) : csvField(value);
      }).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The number in the plain decimal form the catalog parser accepts: 1e-7 becomes 0.0000001, the same double. */
function plainDecimal(value: number): string {
  const text = String(value);
  const match = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const whole = match[1] as string;
  const digits = whole + (match[2] ?? '');
  const pointAt = whole.length + Number(match[3]);
  if (pointAt <= 0) return `0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return digits + '0'.repeat(pointAt - digits.length);
  return `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Staffing roster

/** One roster row: what a commune has from `validFrom` until its next row. */
export interface StaffingRow {
  communeCode: string;
  /** `YYYY-MM-DD` */
  validFrom: string;
  /** FTE */
  civilServants: number;
  /** FTE */
  contractStaff: number;
  /** FTE: final-year students, volunteers */
  supportFte: number;
  counters: number;
}

/** A roster row as stored: where it came from, and when (the later of two rows for the same day wins). */
export interface StaffingRecord extends StaffingRow {
  source: string;
  importedAtMs: number;
}

/** The roster row in force for a commune on a day. */
export interface StaffingAt {
  civilServants: number;
  contractStaff: number;
  supportFte: number;
  counters: number;
  validFrom: string;
  source: string;
}

export type StaffingParseResult =
  | { readonly ok: true; readonly rows: readonly StaffingRow[] }
  | { readonly ok: false; readonly errors: readonly CsvLineError[] };

const STAFFING_COLUMNS = [
  'commune_code',
  'valid_from',
  'civil_servants',
  'contract_staff',
  'support_fte',
  'counters',
] as const;
type StaffingColumn = (typeof STAFFING_COLUMNS)[number];

// valid_from is a ClickHouse Date, which clamps a day outside its range on insert: such a row would silently
// move to another day, so it is refused instead.
const FIRST_DAY = STAFFING_FIRST_DAY;
const LAST_DAY = STAFFING_LAST_DAY;

const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

/**
 * Parses a staffing roster CSV (docs/spec/reference-inputs.md). All or nothing: any bad line rejects the file, and
 * every problem found is reported with its line. Columns may come in any order; other columns are ignored.
 */
export function parseStaffingCsv(text: string): StaffingParseResult {
  const read = readCsvTable(text, STAFFING_COLUMNS, 'roster rows');
  if (!read.ok) return { ok: false, errors: read.errors };
  const { records, columnIndex } = read.table;
  const headerWidth = read.table.header.fields.length;

  const errors: CsvLineError[] = [];
  const rows: StaffingRow[] = [];
  const firstLineOfKey = new Map<string, number>();
  for (const record of records) {
    // A trailing empty field (a stray comma at the end of the line) is harmless; anything else is a shifted row.
    const surplus = record.fields.slice(headerWidth).some((f) => f.trim() !== '');
    if (record.fields.length < headerWidth || surplus) {
      errors.push({
        line: record.line,
        message: `expected ${headerWidth} fields as in the header, found ${record.fields.length}`,
      });
      continue;
    }
    const value = (column: StaffingColumn): string => record.fields[columnIndex.get(column) ?? -1]?.trim() ?? '';
    const problems: string[] = [];

    const communeCode = value('commune_code');
    if (communeCode === '') problems.push('commune_code is empty');
    else if (!/^[0-9]{5}$/.test(communeCode)) {
      const hint = /^[0-9]{1,4}$/.test(communeCode) ? '; a spreadsheet may have dropped its leading zeros' : '';
      problems.push(`malformed commune_code ${JSON.stringify(communeCode)} (expected 5 digits, e.g. 00004${hint})`);
    } else if (!isKnownCommune(communeCode)) {
      problems.push(`unknown commune code ${communeCode}: not a commune-level unit of the registry`);
    }

    const validFrom = value('valid_from');
    let dayOk = false;
    if (validFrom === '') problems.push('valid_from is empty');
    else {
      try {
        parseDay(validFrom);
        dayOk = validFrom >= FIRST_DAY && validFrom <= LAST_DAY;
        if (!dayOk) problems.push(`valid_from ${validFrom} is outside ${FIRST_DAY} to ${LAST_DAY}`);
      } catch {
        problems.push(`valid_from: malformed date ${JSON.stringify(validFrom)} (expected a real day as YYYY-MM-DD)`);
      }
    }

    const civilServants = parseCount(value('civil_servants'), 'civil_servants', false, problems);
    const contractStaff = parseCount(value('contract_staff'), 'contract_staff', false, problems);
    const supportFte = parseCount(value('support_fte'), 'support_fte', false, problems);
    const counters = parseCount(value('counters'), 'counters', true, problems);

    if (problems.length === 0 && dayOk) {
      const key = `${communeCode} ${validFrom}`;
      const firstLine = firstLineOfKey.get(key);
      if (firstLine !== undefined) {
        problems.push(`a second row for commune ${communeCode} from ${validFrom} (first on line ${firstLine})`);
      } else firstLineOfKey.set(key, record.line);
    }
    if (problems.length > 0) {
      for (const message of problems) errors.push({ line: record.line, message });
      continue;
    }
    rows.push({ communeCode, validFrom, civilServants, contractStaff, supportFte, counters });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, rows };
}

function parseCount(raw: string, column: StaffingColumn, integer: boolean, problems: string[]): number {
  if (raw === '') {
    problems.push(`${column} is empty`);
    return Number.NaN;
  }
  if (/^-[0-9]+(\.[0-9]+)?$/.test(raw)) {
    problems.push(`${column} must be 0 or more, got ${raw}`);
    return Number.NaN;
  }
  if (!DECIMAL.test(raw)) {
    const hint = /^[0-9]+,[0-9]+$/.test(raw) ? ' (use a dot as the decimal separator)' : '';
    problems.push(`${column}: malformed number ${JSON.stringify(raw)}${hint}`);
    return Number.NaN;
  }
  const value = Number(raw);
  const max = integer ? STAFFING_MAX_COUNTERS : STAFFING_MAX_FTE;
  if (!Number.isFinite(value) || value > max) {
    const shown = raw.length > 24 ? `${raw.slice(0, 20)}… (${raw.length} digits)` : raw;
    problems.push(`${column} must be at most ${max}, got ${shown}`);
  } else if (integer && !Number.isInteger(value)) problems.push(`${column} must be a whole number, got ${raw}`);
  return value;
}

export interface StaffingImportSummary {
  rows: number;
  communes: number;
  /** Earliest and latest valid_from of the rows, `YYYY-MM-DD`; null without rows. */
  firstValidFrom: string | null;
  lastValidFrom: string | null;
  /** Rows that replace a stored row for the same commune and day. */
  replaced: number;
  source: string;
  importedAtMs: number;
}

function staffingRecordRow(record: StaffingRecord) {
  return {
    commune_code: record.communeCode,
    valid_from: record.validFrom,
    civil_servants: record.civilServants,
    contract_staff: record.contractStaff,
    support_fte: record.supportFte,
    counters: record.counters,
    source: record.source,
    imported_at: new Date(record.importedAtMs).toISOString(),
  };
}

/**
 * Stores roster rows as they are, each with its own origin. With a deduplication token a retried insert of the
 * same batch (a Kafka chunk) is dropped by the engine.
 */
export async function saveStaffingRecords(
  warehouse: Warehouse,
  records: readonly StaffingRecord[],
  options: { dedupToken?: string } = {},
): Promise<void> {
  await warehouse.insert(
    'commune_staffing_rows',
    records.map(staffingRecordRow),
    options.dedupToken === undefined ? {} : { dedupToken: options.dedupToken },
  );
}

/** Stores one import of roster rows (a parsed file); each row replaces any stored row for its commune and day. */
export async function saveStaffingRows(
  warehouse: Warehouse,
  rows: readonly StaffingRow[],
  source: string,
  options: { importedAtMs?: number } = {},
): Promise<StaffingImportSummary> {
  const importedAtMs = options.importedAtMs ?? Date.now();
  const communes = [...new Set(rows.map((row) => row.communeCode))];
  const stored =
    communes.length === 0
      ? []
      : await warehouse.query<{ commune_code: string; valid_from: string }>(
          `SELECT commune_code, valid_from FROM commune_staffing
           WHERE commune_code IN {communes:Array(String)}`,
          { communes },
        );
  const storedKeys = new Set(stored.map((row) => `${row.commune_code} ${row.valid_from}`));
  await saveStaffingRecords(
    warehouse,
    rows.map((row) => ({ ...row, source, importedAtMs })),
  );
  const days = rows.map((row) => row.validFrom).sort();
  return {
    rows: rows.length,
    communes: communes.length,
    firstValidFrom: days[0] ?? null,
    lastValidFrom: days.at(-1) ?? null,
    replaced: rows.filter((row) => storedKeys.has(`${row.communeCode} ${row.validFrom}`)).length,
    source,
    importedAtMs,
  };
}

interface StoredStaffingRow {
  commune_code: string;
  valid_from: string;
  civil_servants: number;
  contract_staff: number;
  support_fte: number;
  counters: number;
  source: string;
  imported_at_ms: number;
}

/**
 * The roster row in force on `day` (`YYYY-MM-DD`) for each commune that has one: the row with the latest
 * valid_from on or before the day. One query for every commune, or for `communeCodes` only. A commune
 * without a row is absent from the map: it has no staffing data, and must not get a guessed one.
 */
export async function loadStaffingAt(
  warehouse: Warehouse,
  day: string,
  communeCodes?: readonly string[],
): Promise<Map<string, StaffingAt>> {
  parseDay(day);
  const result = new Map<string, StaffingAt>();
  if (communeCodes !== undefined && communeCodes.length === 0) return result;
  const rows = await warehouse.query<Omit<StoredStaffingRow, 'imported_at_ms'>>(
    `SELECT commune_code, valid_from, civil_servants, contract_staff, support_fte, counters,
            source
     FROM commune_staffing
     WHERE valid_from <= {day:Date}${communeCodes === undefined ? '' : ' AND commune_code IN {communes:Array(String)}'}
     ORDER BY commune_code, valid_from DESC
     LIMIT 1 BY commune_code`,
    communeCodes === undefined ? { day } : { day, communes: [...communeCodes] },
  );
  for (const row of rows) {
    result.set(row.commune_code, {
      civilServants: Number(row.civil_servants),
      contractStaff: Number(row.contract_staff),
      supportFte: Number(row.support_fte),
      counters: Number(row.counters),
      validFrom: row.valid_from,
      source: row.source,
    });
  }
  return result;
}

/** Every roster row in force or planned for a commune, oldest first. */
export async function loadStaffingHistory(warehouse: Warehouse, communeCode: string): Promise<StaffingRecord[]> {
  const rows = await warehouse.query<StoredStaffingRow>(
    `SELECT commune_code, valid_from, civil_servants, contract_staff, support_fte, counters,
            source, toUnixTimestamp64Milli(imported_at) AS imported_at_ms
     FROM commune_staffing WHERE commune_code = {commune:String} ORDER BY valid_from`,
    { commune: communeCode },
  );
  return rows.map((row) => ({
    communeCode: row.commune_code,
    validFrom: row.valid_from,
    civilServants: Number(row.civil_servants),
    contractStaff: Number(row.contract_staff),
    supportFte: Number(row.support_fte),
    counters: Number(row.counters),
    source: row.source,
    importedAtMs: Number(row.imported_at_ms),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Estimation parameters

/**
 * Records a parameter set under its version (`paramsVersion`), once: the set an indicator row's params_version
 * names can always be looked up. Returns the version.
 */
export async function saveParams(
  warehouse: Warehouse,
  params: EstimationParams,
  source: string,
  options: { importedAtMs?: number } = {},
): Promise<string> {
  const version = paramsVersion(params);
  const [known] = await warehouse.query<{ n: number }>(
    'SELECT count() AS n FROM estimation_params WHERE params_version = {version:String}',
    { version },
  );
  if (Number(known?.n ?? 0) === 0) {
    await warehouse.insert('estimation_params', [
      {
        params_version: version,
        params: canonicalJson(params),
        source,
        imported_at: new Date(options.importedAtMs ?? Date.now()).toISOString(),
      },
    ]);
  }
  return version;
}

/** The parameter set recorded under a version, or undefined when none was. */
export async function loadParams(warehouse: Warehouse, version: string): Promise<EstimationParams | undefined> {
  const [row] = await warehouse.query<{ params: string }>(
    'SELECT params FROM estimation_params FINAL WHERE params_version = {version:String} LIMIT 1',
    { version },
  );
  if (row === undefined) return undefined;
  const resolved = resolveParams(JSON.parse(row.params));
  if (!resolved.ok) {
    throw new Error(`the stored parameter set ${version} is no longer valid: ${resolved.errors.join('; ')}`);
  }
  return resolved.params;
}
