import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';

export interface WarehouseOptions {
  /** A ClickHouse server (`http://user:pass@host:8123/db`); when absent the embedded engine is used. */
  clickhouseUrl?: string | undefined;
  /** Data folder of the embedded engine (one process per folder). */
  dataDir: string;
}

export interface InsertOptions {
  /**
   * Rows given serialised already (text or its UTF-8 bytes) in JSONCompactEachRow (one JSON array per line, values in `columns` order): about
   * half the engine's parsing work of JSONEachRow, for the write path's large inserts.
   */
  compactColumns?: readonly string[];
  /**
   * Insert deduplication token: a retried insert with the same token is dropped by the engine, which is what
   * makes a Kafka batch retried after a crash land once.
   */
  dedupToken?: string;
}

export interface Warehouse {
  readonly mode: 'embedded' | 'server';
  /** Where the data lives, for messages: the data folder or the server URL without credentials. */
  readonly location: string;
  readonly client: ClickHouseClient;
  /**
   * Rows as objects, or already serialised (one row per line) as text or as its UTF-8 bytes: bytes go to the
   * embedded engine as they are, without a copy.
   */
  insert(table: string, rows: InsertRows, options?: InsertOptions): Promise<void>;
  query<T>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  command(sql: string, params?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export type InsertRows = readonly object[] | string | Buffer;

interface ChdbRawInsert {
  rawInsert(params: {
    table: string;
    values: Buffer | string;
    format: 'JSONEachRow' | 'JSONCompactEachRow';
    columns?: string[];
    settings?: Record<string, string | number | boolean>;
  }): Promise<unknown>;
}

function toNdjson(rows: InsertRows): string | Buffer {
  if (typeof rows === 'string' || Buffer.isBuffer(rows)) return rows;
  let text = '';
  for (const row of rows) text += `${JSON.stringify(row)}\n`;
  return text;
}

function insertSettings(options: InsertOptions | undefined): Record<string, string | number> {
  // Synchronous inserts: an insert is acknowledged only once it is in a part, which is the point at which a
  // Kafka offset may be committed. The embedded engine defaults to async_insert=1.
  // Deduplication is forced on (a server's profile could turn it off); tokens reach the tables behind
  // materialized views too, so a retried insert is dropped there as well.
  const settings: Record<string, string | number> = {
    async_insert: 0,
    insert_deduplicate: 1,
    deduplicate_blocks_in_dependent_materialized_views: 1,
  };
  if (options?.dedupToken !== undefined) settings.insert_deduplication_token = options.dedupToken;
  return settings;
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/**
 * The one way to reach the warehouse: a ClickHouse server when a URL is configured, otherwise the embedded
 * engine (chdb) under a data folder, behind the same official client.
 */
export function createWarehouse(options: WarehouseOptions): Warehouse {
  if (options.clickhouseUrl) {
    const client = createClient({
      url: options.clickhouseUrl,
      // The embedded engine prints 64-bit integers as JSON numbers; the server is told to do the same so that
      // callers see one shape whichever backend runs.
      clickhouse_settings: { date_time_input_format: 'best_effort', output_format_json_quote_64bit_integers: 0 },
    });
    return makeWarehouse('server', redactUrl(options.clickhouseUrl), client, async (table, rows, insertOptions) => {
      // Rows travel inline after FORMAT, so NDJSON serialised once by the caller is sent as it is.
      const target = insertOptions?.compactColumns
        ? `${table} (${insertOptions.compactColumns.join(', ')}) FORMAT JSONCompactEachRow`
        : `${table} FORMAT JSONEachRow`;
      await client.command({
        query: `INSERT INTO ${target}\n${toNdjson(rows).toString()}`,
        clickhouse_settings: insertSettings(insertOptions),
      });
    });
  }
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  let connection: ReturnType<typeof createChdbConnection>;
  try {
    connection = createChdbConnection({ path: dataDir });
  } catch (error) {
    throw new Error(
      `cannot open the embedded warehouse at ${dataDir}: ${(error as Error).message}. ` +
        'Only one process can use a data folder at a time: stop the other commune-pulse process, ' +
        'or pass another --data-dir, or set CLICKHOUSE_URL to use a ClickHouse server.',
    );
  }
  const client = createClient({ connection } as unknown as Parameters<typeof createClient>[0]);
  const raw = (connection as unknown as { chdb: ChdbRawInsert }).chdb;
  return makeWarehouse('embedded', dataDir, client, async (table, rows, insertOptions) => {
    // Settings go with this one insert: settings sent through the client would stay on the embedded
    // connection and silently drop later inserts that reuse the token.
    const columns = insertOptions?.compactColumns;
    await raw.rawInsert({
      table,
      values: toNdjson(rows),
      ...(columns ? { format: 'JSONCompactEachRow', columns: [...columns] } : { format: 'JSONEachRow' }),
      settings: { ...insertSettings(insertOptions), date_time_input_format: 'best_effort' },
    });
  });
}

function makeWarehouse(
  mode: Warehouse['mode'],
  location: string,
  client: ClickHouseClient,
  insertRows: (table: string, rows: InsertRows, options?: InsertOptions) => Promise<void>,
): Warehouse {
  return {
    mode,
    location,
    client,
    async insert(table, rows, insertOptions) {
      if (rows.length === 0) return;
      await insertRows(table, rows, insertOptions);
    },
    async query<T>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
      const result = await client.query({ query: sql, format: 'JSONEachRow', query_params: params });
      return (await result.json()) as T[];
    },
    async command(sql: string, params?: Record<string, unknown>): Promise<void> {
      await client.command({ query: sql, query_params: params });
    },
    async close() {
      await client.close();
    },
  };
}
