import { createHash } from 'node:crypto';
import type { Reject } from '@commune-pulse/contracts';
import { type CsvLineError, communeByCode, readCsvTable } from '@commune-pulse/reference-data';

/**
 * Which commune a provincial system's unit code (DonViXuLy, the unit part of MaHoSo) stands for. The ministry
 * keeps one mapping per province (units.csv: unit_code, commune_code); the province of each row is its
 * commune's, so a province's file can only map to its own communes.
 */
export interface UnitMappingRow {
  unitCode: string;
  communeCode: string;
  provinceCode: string;
}

export type UnitMappingParse =
  | { ok: true; rows: UnitMappingRow[]; version: string; provinces: string[] }
  | { ok: false; errors: CsvLineError[] };

const UNIT_COLUMNS = ['unit_code', 'commune_code'] as const;
const UNIT_CODE = /^[^\p{Cc},]{1,64}$/u;

/** Parses units.csv all or nothing, every problem with its line (reference-inputs' CSV reader). */
export function parseUnitMappingCsv(text: string): UnitMappingParse {
  const read = readCsvTable(text, UNIT_COLUMNS, 'unit rows');
  if (!read.ok) return { ok: false, errors: read.errors };
  const { records, columnIndex } = read.table;
  const errors: CsvLineError[] = [];
  const rows: UnitMappingRow[] = [];
  const firstLine = new Map<string, number>();
  for (const record of records) {
    const value = (column: (typeof UNIT_COLUMNS)[number]) => record.fields[columnIndex.get(column) ?? -1]?.trim() ?? '';
    const unitCode = value('unit_code');
    const communeCode = value('commune_code');
    const problems: string[] = [];
    if (unitCode === '') problems.push('unit_code is empty');
    else if (!UNIT_CODE.test(unitCode)) problems.push('unit_code: 1–64 printable characters');
    const commune = /^[0-9]{5}$/.test(communeCode) ? communeByCode(communeCode) : undefined;
    if (communeCode === '') problems.push('commune_code is empty');
    else if (!/^[0-9]{5}$/.test(communeCode)) {
      const hint = /^[0-9]{1,4}$/.test(communeCode) ? '; a spreadsheet may have dropped its leading zeros' : '';
      problems.push(`malformed commune_code ${JSON.stringify(communeCode)} (expected 5 digits${hint})`);
    } else if (commune === undefined) {
      problems.push(`unknown commune code ${communeCode}: not a commune-level unit of the registry`);
    }
    const earlier = firstLine.get(unitCode);
    if (unitCode !== '' && earlier !== undefined)
      problems.push(`unit ${unitCode} is mapped twice (first on line ${earlier})`);
    else firstLine.set(unitCode, record.line);
    if (problems.length > 0 || commune === undefined) {
      for (const message of problems) errors.push({ line: record.line, message });
      continue;
    }
    rows.push({ unitCode, communeCode, provinceCode: commune.provinceCode });
  }
  if (errors.length > 0) return { ok: false, errors };
  rows.sort((a, b) => (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0));
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.unitCode}\u0000${row.communeCode}\n`);
  return {
    ok: true,
    rows,
    version: `units-${hash.digest('hex').slice(0, 12)}`,
    provinces: [...new Set(rows.map((row) => row.provinceCode))].sort(),
  };
}

export type UnitLookup =
  | { ok: true; communeCode: string; provinceCode: string }
  | { ok: false; reject: Reject; unmapped: boolean };

export interface UnitDirectory {
  /** The commune of a unit; with the sender's province, a unit of another province is refused. */
  lookup(unitCode: string | null, senderProvince: string | null): UnitLookup;
  readonly size: number;
}

export function createUnitDirectory(rows: readonly UnitMappingRow[]): UnitDirectory {
  const byUnit = new Map<string, UnitMappingRow[]>();
  for (const row of rows) {
    const list = byUnit.get(row.unitCode) ?? [];
    list.push(row);
    byUnit.set(row.unitCode, list);
  }
  const unmapped = (detail: string): UnitLookup => ({
    ok: false,
    reject: { reason: 'portal_unmapped_unit', detail },
    unmapped: true,
  });
  return {
    size: rows.length,
    lookup(unitCode, senderProvince) {
      if (unitCode === null) {
        return unmapped('DonViXuLy: empty, and MaHoSo has no unit part (rule: the receiving unit is required)');
      }
      const candidates = byUnit.get(unitCode) ?? [];
      const own =
        senderProvince === null ? candidates : candidates.filter((row) => row.provinceCode === senderProvince);
      if (own.length === 1) {
        const row = own[0] as UnitMappingRow;
        return { ok: true, communeCode: row.communeCode, provinceCode: row.provinceCode };
      }
      if (own.length === 0 && candidates.length > 0) {
        return {
          ok: false,
          reject: {
            reason: 'portal_foreign_commune',
            detail: 'DonViXuLy: a unit of another province (rule: a province sends its own communes only)',
          },
          unmapped: false,
        };
      }
      if (own.length > 1) {
        return unmapped(
          "DonViXuLy: a unit mapped in several provinces (rule: send it with the province's token, or import with --commune)",
        );
      }
      // The detail never carries the code itself (a sender's value): portal_unmapped_units lists the codes.
      const where = senderProvince === null ? '' : ` of province ${senderProvince}`;
      return unmapped(
        `DonViXuLy: a unit of ${[...unitCode].length} characters with no commune in the unit mapping${where} ` +
          '(rule: map it with pnpm cli portal units import; portal_unmapped_units lists the codes)',
      );
    },
  };
}
