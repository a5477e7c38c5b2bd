import type { DataFormat } from '@clickhouse/client';
import { Session } from 'chdb';
import {
  type CheckedStatement,
  createSqlGuard,
  limitMessage,
  limitSettings,
  type QueryLimits,
  READ_POLICY,
  type RunText,
  type SqlPolicy,
} from './sql-guard.ts';
import type { Warehouse } from './warehouse.ts';

/** SQL from people, checked and run read-only within limits: what `pnpm cli query` and the API's SQL endpoint use. */
export interface GuardedReader {
  /** Checks `sql`, then runs its canonical form; the result as text in `format`. Throws SqlRefused with a reason. */
  query(sql: string, format: DataFormat): Promise<{ text: string; checked: CheckedStatement }>;
  close(): Promise<void>;
}

type RunFormatted = (sql: string, format: DataFormat) => Promise<string>;

/**
 * Runs any statement on the warehouse's own connection and returns its raw text. `exec` sends the statement as
 * it is (`query` would append a FORMAT clause, which EXPLAIN AST would read as part of the statement explained).
 */
export function warehouseTextRunner(warehouse: Warehouse): RunText {
  return async (sql, params) => {
    const result = await warehouse.client.exec({
      query: sql,
      query_params: params,
      clickhouse_settings: { default_format: 'TabSeparatedRaw' },
    });
    let text = '';
    for await (const chunk of result.stream) text += chunk.toString();
    return text;
  };
}

/**
 * A reader on its own connection whose engine settings are the limits and read-only: on the embedded engine a
 * connection opened with them as its defaults, which no statement on it can change (readonly=1 forbids changing
 * settings); on a server the same settings with each request.
 */
export function openGuardedReader(warehouse: Warehouse, limits: QueryLimits, policy: SqlPolicy = READ_POLICY) {
  const settings = limitSettings(limits);
  let runFormatted: RunFormatted;
  let close: () => Promise<void>;
  if (warehouse.mode === 'embedded') {
    const session = new Session(warehouse.location, {
      connectionArgs: Object.entries(settings).map(([name, value]) => `--${name}=${value}`),
    });
    runFormatted = async (sql, format) => (await session.queryAsync(sql, { format })).text();
    close = async () => session.close();
  } else {
    runFormatted = async (sql, format) =>
      (await warehouse.client.query({ query: sql, format, clickhouse_settings: settings })).text();
    close = async () => {};
  }
  // Parsing runs on the warehouse's connection: EXPLAIN AST applies a statement's SETTINGS clause to itself, which
  // the read-only connection would answer with an engine error instead of the guard's reason.
  const guard = createSqlGuard(warehouseTextRunner(warehouse));
  const reader: GuardedReader = {
    async query(sql, format) {
      const checked = await guard.check(sql, policy);
      try {
        return { text: await runFormatted(checked.sql, format), checked };
      } catch (error) {
        const overLimit = limitMessage(error, limits);
        if (overLimit !== undefined) throw new QueryLimitExceeded(overLimit);
        throw error;
      }
    },
    close,
  };
  return reader;
}

/** A query stopped by one of its limits (time, memory, result rows). */
export class QueryLimitExceeded extends Error {
  override name = 'QueryLimitExceeded';
}
