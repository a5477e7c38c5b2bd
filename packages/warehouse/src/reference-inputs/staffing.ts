// The staffing roster in the warehouse: rows stored with their origin, read back as the row in force on a day or
// as a commune's history.

import { parseDay } from '@commune-pulse/reference-data';
import type { Warehouse } from '../warehouse.ts';
import type { StaffingRow } from './staffing-csv.ts';

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
