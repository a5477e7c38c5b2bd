import { createLogger } from '@commune-pulse/runtime';
import { openGuardedReader, openWarehouse, SqlRefused } from '@commune-pulse/warehouse';
import { configFrom, parseCommand, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';

export const QUERY_USAGE = `usage: pnpm cli query "<SQL>" [--format json|csv|table] [--data-dir <dir>]
  read-only SQL over the warehouse: SELECT, WITH … SELECT or DESCRIBE of its tables and views, one statement,
  parsed by the engine and refused if it writes or reaches outside the warehouse (files, URLs, other servers).
  Each query is limited by SQL_MAX_EXECUTION_SECONDS (60), SQL_MAX_MEMORY_BYTES (2 GiB), SQL_MAX_RESULT_ROWS
  (100000). json prints one JSON object per row.`;

const FORMATS = { json: 'JSONEachRow', csv: 'CSVWithNames', table: 'JSONEachRow' } as const;

export async function queryCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(argv, { format: { type: 'string' } }, QUERY_USAGE, true);
  if (values.help) {
    console.log(QUERY_USAGE);
    return;
  }
  if (positionals.length !== 1) {
    throw new UsageError('give the SQL as one argument, in quotes', QUERY_USAGE);
  }
  const format = (values.format ?? 'table') as keyof typeof FORMATS;
  if (!(format in FORMATS)) {
    throw new UsageError(`--format takes json, csv or table, got ${JSON.stringify(values.format)}`, QUERY_USAGE);
  }
  const config = configFrom(values);
  createLogger('cli', config.logLevel);
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  const reader = openGuardedReader(warehouse, config.queryLimits);
  try {
    const { text } = await reader.query(positionals[0] as string, FORMATS[format]);
    if (format === 'table') {
      const rows = text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      console.log(formatTable(rows));
      console.error(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
    } else {
      process.stdout.write(text);
    }
  } catch (error) {
    if (error instanceof SqlRefused) throw new UsageError(error.message, QUERY_USAGE);
    throw error;
  } finally {
    await reader.close();
    await warehouse.close();
  }
}
