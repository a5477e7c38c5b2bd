// The staffing roster file (spec/reference-inputs.md, `staffing.csv`). What a row may hold is the contract's
// (`communeStaffingRow` in @commune-pulse/contracts, the same schema the `commune-staffing.v1` messages pass):
// this parser only turns the CSV's text into values, with hints for what spreadsheets do to a file, and words the
// schema's verdict as a line of the file.

import {
  communeStaffingRow,
  STAFFING_FIELDS,
  STAFFING_FIRST_DAY,
  STAFFING_LAST_DAY,
  type StaffingField,
} from '@commune-pulse/contracts';
import {
  type CsvLineError,
  isKnownCommune,
  parseDay,
  readCsvTable,
  shiftedRecordError,
} from '@commune-pulse/reference-data';

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

export type StaffingParseResult =
  | { readonly ok: true; readonly rows: readonly StaffingRow[] }
  | { readonly ok: false; readonly errors: readonly CsvLineError[] };

type NumberField = Exclude<StaffingField, 'commune_code' | 'valid_from'>;

const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

/**
 * Parses a staffing roster CSV (spec/reference-inputs.md). All or nothing: any bad line rejects the file, and
 * every problem found is reported with its line. Columns may come in any order; other columns are ignored.
 */
export function parseStaffingCsv(text: string): StaffingParseResult {
  const read = readCsvTable(text, STAFFING_FIELDS, 'roster rows');
  if (!read.ok) return { ok: false, errors: read.errors };
  const { records, columnIndex } = read.table;
  const headerWidth = read.table.header.fields.length;

  const errors: CsvLineError[] = [];
  const rows: StaffingRow[] = [];
  const firstLineOfKey = new Map<string, number>();
  for (const record of records) {
    const shifted = shiftedRecordError(record, headerWidth);
    if (shifted !== undefined) {
      errors.push(shifted);
      continue;
    }
    const value = (column: StaffingField): string => record.fields[columnIndex.get(column) ?? -1]?.trim() ?? '';
    const problems: string[] = [];

    const communeCode = value('commune_code');
    checkCommuneCode(communeCode, problems);
    const validFrom = value('valid_from');
    const dayOk = checkValidFrom(validFrom, problems);
    const civilServants = parseNumber(value('civil_servants'), 'civil_servants', problems);
    const contractStaff = parseNumber(value('contract_staff'), 'contract_staff', problems);
    const supportFte = parseNumber(value('support_fte'), 'support_fte', problems);
    const counters = parseNumber(value('counters'), 'counters', problems);

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

const field = <F extends StaffingField>(name: F) => communeStaffingRow.shape[name];

function checkCommuneCode(communeCode: string, problems: string[]): void {
  if (communeCode === '') problems.push('commune_code is empty');
  else if (!field('commune_code').safeParse(communeCode).success) {
    const hint = /^[0-9]{1,4}$/.test(communeCode) ? '; a spreadsheet may have dropped its leading zeros' : '';
    problems.push(`malformed commune_code ${JSON.stringify(communeCode)} (expected 5 digits, e.g. 00004${hint})`);
  } else if (!isKnownCommune(communeCode)) {
    problems.push(`unknown commune code ${communeCode}: not a commune-level unit of the registry`);
  }
}

/** Whether valid_from is a day the contract accepts; its problem otherwise. */
function checkValidFrom(validFrom: string, problems: string[]): boolean {
  if (validFrom === '') {
    problems.push('valid_from is empty');
    return false;
  }
  try {
    parseDay(validFrom);
  } catch {
    problems.push(`valid_from: malformed date ${JSON.stringify(validFrom)} (expected a real day as YYYY-MM-DD)`);
    return false;
  }
  // The contract refuses a day the warehouse's Date would clamp on insert, silently moving the row.
  if (field('valid_from').safeParse(validFrom).success) return true;
  problems.push(`valid_from ${validFrom} is outside ${STAFFING_FIRST_DAY} to ${STAFFING_LAST_DAY}`);
  return false;
}

/** The column's number; the contract's bounds decide, the message says which one the value breaks. */
function parseNumber(raw: string, column: NumberField, problems: string[]): number {
  if (raw === '') {
    problems.push(`${column} is empty`);
    return Number.NaN;
  }
  const schema = field(column);
  if (/^-[0-9]+(\.[0-9]+)?$/.test(raw)) {
    problems.push(`${column} must be ${schema.minValue} or more, got ${raw}`);
    return Number.NaN;
  }
  if (!DECIMAL.test(raw)) {
    const hint = /^[0-9]+,[0-9]+$/.test(raw) ? ' (use a dot as the decimal separator)' : '';
    problems.push(`${column}: malformed number ${JSON.stringify(raw)}${hint}`);
    return Number.NaN;
  }
  const value = Number(raw);
  if (schema.safeParse(value).success) return value;
  const { maxValue } = schema;
  if (!Number.isFinite(value) || (maxValue !== null && value > maxValue)) {
    const shown = raw.length > 24 ? `${raw.slice(0, 20)}… (${raw.length} digits)` : raw;
    problems.push(`${column} must be at most ${maxValue}, got ${shown}`);
  } else problems.push(`${column} must be a whole number, got ${raw}`);
  return value;
}
