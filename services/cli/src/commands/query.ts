import { createLogger } from '@commune-pulse/runtime';
import { openWarehouse, readOnlyViolation } from '@commune-pulse/warehouse';
import { configFrom, parseCommand, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';

export const QUERY_USAGE = `usage: pnpm cli query "<SQL>" [--format json|csv|table] [--data-dir <dir>]
  read-only SQL over the warehouse; json prints one JSON object per row`;

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
  const sql = (positionals[0] as string).trim().replace(/;\s*$/, '');
  const format = (values.format ?? 'table') as keyof typeof FORMATS;
  if (!(format in FORMATS)) {
    throw new UsageError(`--format takes json, csv or table, got ${JSON.stringify(values.format)}`, QUERY_USAGE);
  }
  const violation = readOnlyViolation(sql);
  if (violation) throw new UsageError(`refused: ${violation}`, QUERY_USAGE);
  const config = configFrom(values);
  createLogger('cli', config.logLevel);
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  try {
    // The engine enforces read-only as well: readonly=1 refuses anything that writes, whatever the text.
    const result = await warehouse.client.query({
      query: sql,
      format: FORMATS[format],
      clickhouse_settings: { readonly: '1' },
    });
    if (format === 'table') {
      const rows = (await result.json()) as Record<string, unknown>[];
      console.log(formatTable(rows));
      console.error(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
    } else {
      process.stdout.write(await result.text());
    }
  } finally {
    await warehouse.close();
  }
}
