// The procedure catalog in the warehouse (spec/reference-inputs.md): every import kept with its content hash, the
// effective catalog the shipped defaults with the latest import merged over them.

import {
  csvField,
  defaultProcedureCatalog,
  mergeCatalog,
  PROCEDURE_CATALOG_COLUMNS,
  type ProcedureCatalog,
  type ProcedureStandard,
  parseProcedureCatalogCsv,
  procedureCatalogRow,
} from '@commune-pulse/reference-data';
import type { Warehouse } from '../warehouse.ts';

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
  return { catalog_version: catalogVersion, ...procedureCatalogRow(standard) };
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

function catalogCsv(rows: readonly ReturnType<typeof standardRow>[]): string {
  const lines = [PROCEDURE_CATALOG_COLUMNS.join(',')];
  for (const row of rows) {
    lines.push(
      PROCEDURE_CATALOG_COLUMNS.map((column) => {
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
