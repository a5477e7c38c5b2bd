import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import {
  type CsvLineError,
  type ProcedureStandard,
  parseProcedureCatalogCsv,
  procedureCatalogRow,
} from '@commune-pulse/reference-data';
import { ConfigError, createLogger } from '@commune-pulse/runtime';
import {
  latestCatalogImport,
  loadEffectiveCatalog,
  openWarehouse,
  saveProcedureCatalog,
} from '@commune-pulse/warehouse';
import { configFrom, parseCommand, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';

export const CATALOG_USAGE = `usage:
  pnpm cli catalog import <procedures.csv> [--json] [--data-dir <dir>]
      stores the ministry's procedure catalog; it replaces the shipped defaults for the codes it names
      (its * row, if any, for the codes no row names). A file with any bad line is rejected whole.
  pnpm cli catalog show [--json] [--data-dir <dir>]
      the catalog in force: the shipped defaults merged with the latest import`;

/**
 * A reference CSV as text. The spec asks for UTF-8; a spreadsheet's legacy code page (Windows-1258) would
 * otherwise turn Vietnamese names into replacement characters without a word.
 */
export function readReferenceCsv(path: string, usage: string): { text: string } | { error: CsvLineError } {
  if (path === '-' || path === '/dev/stdin') {
    throw new UsageError('reading a reference file from standard input is not supported: give a file', usage);
  }
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`no such file: ${path}`, usage);
  const bytes = readFileSync(path);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const loose = new TextDecoder('utf-8').decode(bytes);
    const before = loose.slice(0, loose.indexOf('\uFFFD'));
    const line = before.split(/\r\n|\r|\n/).length;
    return {
      error: { line, message: 'the file is not UTF-8 text: save it as "CSV UTF-8" and import it again' },
    };
  }
}

/**
 * Prints every problem of a rejected file with its line, then stops with exit code 2: the file is the user's to
 * fix, and nothing of it was stored.
 */
export function rejectFile(path: string, errors: readonly CsvLineError[], json: boolean, what: string): never {
  const name = basename(path);
  if (json) console.log(JSON.stringify({ ok: false, file: name, errors }));
  for (const error of errors) console.error(`${name}:${error.line}: ${error.message}`);
  throw new ConfigError(
    `${name} was not imported: ${errors.length} error${errors.length === 1 ? '' : 's'} (above); nothing of the ${what} was stored`,
  );
}

export async function catalogCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' } }, CATALOG_USAGE, true);
  if (values.help) {
    console.log(CATALOG_USAGE);
    return;
  }
  const [action, ...rest] = positionals;
  const json = values.json === true;
  if (action === 'import') {
    if (rest.length !== 1) throw new UsageError('give one file: catalog import <procedures.csv>', CATALOG_USAGE);
    await importCatalog(rest[0] as string, json, configFrom(values));
  } else if (action === 'show') {
    if (rest.length !== 0) throw new UsageError(`unexpected argument: ${rest[0]}`, CATALOG_USAGE);
    await showCatalog(json, configFrom(values));
  } else {
    throw new UsageError(
      action === undefined ? 'give an action: import or show' : `unknown action: ${action}`,
      CATALOG_USAGE,
    );
  }
}

async function importCatalog(path: string, json: boolean, config: ReturnType<typeof configFrom>): Promise<void> {
  const source = basename(path);
  const read = readReferenceCsv(path, CATALOG_USAGE);
  if ('error' in read) rejectFile(path, [read.error], json, 'catalog');
  const parsed = parseProcedureCatalogCsv(read.text, { source });
  if (!parsed.ok) rejectFile(path, parsed.errors, json, 'catalog');
  createLogger('cli', config.logLevel);
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  try {
    const summary = await saveProcedureCatalog(warehouse, parsed.catalog, source);
    const effective = await loadEffectiveCatalog(warehouse);
    if (json) {
      console.log(
        JSON.stringify({
          ok: true,
          catalog_version: effective.version,
          import_version: summary.catalogVersion,
          source,
          rows: summary.rows,
          overridden: summary.overridden,
          added: summary.added,
          default_row_replaced: summary.defaultRowReplaced,
          calibration: effective.calibration,
        }),
      );
      return;
    }
    console.log(`imported ${path} into ${warehouse.location}`);
    console.log(
      formatTable([
        {
          rows: summary.rows,
          overriding_defaults: summary.overridden,
          new_codes: summary.added,
          default_row: summary.defaultRowReplaced ? 'replaced' : 'shipped',
        },
      ]),
    );
    console.log(
      `\ncatalog version ${effective.version} (shipped defaults + ${source}; the file's rows: ${summary.catalogVersion})`,
    );
    if (effective.calibration) {
      console.log('some codes still use the shipped calibration defaults: `pnpm cli catalog show` lists them');
    }
  } finally {
    await warehouse.close();
  }
}

function standardRow(standard: ProcedureStandard) {
  return { ...procedureCatalogRow(standard), calibration: standard.calibration };
}

async function showCatalog(json: boolean, config: ReturnType<typeof configFrom>): Promise<void> {
  createLogger('cli', config.logLevel);
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  try {
    const catalog = await loadEffectiveCatalog(warehouse);
    const latest = await latestCatalogImport(warehouse);
    const rows = [
      ...(catalog.defaultStandard === undefined ? [] : [standardRow(catalog.defaultStandard)]),
      ...catalog.standards.map(standardRow),
    ];
    if (json) {
      console.log(
        JSON.stringify({
          version: catalog.version,
          calibration: catalog.calibration,
          source: catalog.source,
          imported_at: latest === undefined ? null : new Date(latest.importedAtMs).toISOString(),
          import_version: latest?.catalogVersion ?? null,
          rows,
        }),
      );
      return;
    }
    const calibrated = rows.filter((row) => row.calibration).length;
    console.log(`catalog version ${catalog.version}`);
    console.log(
      latest === undefined
        ? 'source: the shipped defaults (no catalog imported)'
        : `source: shipped defaults + ${latest.source}, imported ${new Date(latest.importedAtMs).toISOString()}`,
    );
    console.log(
      catalog.calibration
        ? `calibration: yes, ${calibrated} of ${rows.length} rows carry the shipped calibration minutes, not measured standards`
        : 'calibration: no, every row comes from an imported catalog',
    );
    console.log(
      `\n${formatTable(
        rows.map((row) => ({
          code: row.procedure_code,
          domain: row.domain,
          deadline_days: row.deadline_working_days,
          standard_min: row.standard_minutes,
          counter_min: row.counter_minutes,
          calibration: row.calibration ? 'yes' : '',
          // The longest national names run past 200 characters: the table keeps to a terminal's width.
          name: row.name.length > 72 ? `${row.name.slice(0, 71)}…` : row.name,
        })),
      )}`,
    );
  } finally {
    await warehouse.close();
  }
}
