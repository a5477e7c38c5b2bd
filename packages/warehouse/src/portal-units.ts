// The unit → commune mapping of each province for the national portal's sync records (issue 12), stored like the
// procedure catalog: every import kept, the latest import of a province in force.
import type { UnitMappingRow } from '@commune-pulse/portal';
import type { Warehouse } from './warehouse.ts';

export interface UnitMappingImport {
  /** provinces whose mapping the import replaced, and each one's rows */
  provinces: { provinceCode: string; rows: number; replacedVersion: string | null }[];
  mappingVersion: string;
  source: string;
  importedAtMs: number;
}

/**
 * Stores a parsed units.csv (`parseUnitMappingCsv`) as the mapping of every province it names. The rows go in
 * before the import records, so an interrupted save never leaves an import without its rows.
 */
export async function saveUnitMapping(
  warehouse: Warehouse,
  mapping: { rows: readonly UnitMappingRow[]; version: string; provinces: readonly string[] },
  source: string,
  options: { importedAtMs?: number } = {},
): Promise<UnitMappingImport> {
  const importedAtMs = options.importedAtMs ?? Date.now();
  const before = await warehouse.query<{ province_code: string; mapping_version: string }>(
    `SELECT province_code, argMax(mapping_version, imported_at) AS mapping_version FROM portal_unit_imports
     WHERE province_code IN {provinces:Array(String)} GROUP BY province_code`,
    { provinces: [...mapping.provinces] },
  );
  await warehouse.insert(
    'portal_unit_rows',
    mapping.rows.map((row) => ({
      mapping_version: mapping.version,
      province_code: row.provinceCode,
      unit_code: row.unitCode,
      commune_code: row.communeCode,
    })),
  );
  const importedAt = new Date(importedAtMs).toISOString();
  const rowsOf = (province: string) => mapping.rows.filter((row) => row.provinceCode === province).length;
  await warehouse.insert(
    'portal_unit_imports',
    mapping.provinces.map((province) => ({
      province_code: province,
      mapping_version: mapping.version,
      source,
      row_count: rowsOf(province),
      imported_at: importedAt,
    })),
  );
  return {
    provinces: mapping.provinces.map((province) => ({
      provinceCode: province,
      rows: rowsOf(province),
      replacedVersion: before.find((row) => row.province_code === province)?.mapping_version ?? null,
    })),
    mappingVersion: mapping.version,
    source,
    importedAtMs,
  };
}

/** The mapping in force: every province's latest import. */
export async function loadUnitMapping(warehouse: Warehouse): Promise<UnitMappingRow[]> {
  const rows = await warehouse.query<{ unit_code: string; commune_code: string; province_code: string }>(
    'SELECT unit_code, commune_code, province_code FROM portal_units_current ORDER BY province_code, unit_code',
  );
  return rows.map((row) => ({
    unitCode: row.unit_code,
    communeCode: row.commune_code,
    provinceCode: row.province_code,
  }));
}
