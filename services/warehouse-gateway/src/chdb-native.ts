import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Two calls of chdb's native addon that its public API wraps too tightly for a protocol bridge:
 *
 * - `QueryAsyncConnection` with bound parameters. `Session.queryBindAsync` re-escapes every string it is given
 *   (TSV escaping), but the HTTP client has already formatted each `param_*` value as ClickHouse expects it
 *   (`['a\'b']`, `x\ty`); escaping again would change the values. The addon takes them verbatim.
 * - `InsertRawAsyncConnection` with a whole statement as prefix. `Session.insert` builds the prefix itself from a
 *   whitelisted table name, column list and text format, while a client sends any `INSERT … FORMAT x`
 *   (column lists with EXCEPT, binary formats such as RowBinary).
 *
 * Both take the `connection` handle that a public `Session` exposes. Checked against chdb 3.4.0 (pinned).
 */

export interface NativeQueryResult {
  bytes: Buffer;
  elapsed: number;
  rowsRead: number;
  bytesRead: number;
}

export interface NativeInsertResult {
  elapsed: number;
  rowsWritten: number;
  bytesWritten: number;
}

export interface ChdbNative {
  QueryAsyncConnection(
    connection: unknown,
    sql: string,
    format: string,
    params?: Record<string, string>,
  ): Promise<NativeQueryResult>;
  InsertRawAsyncConnection(
    connection: unknown,
    prefix: string,
    data: Buffer,
    countLines: boolean,
  ): Promise<NativeInsertResult>;
}

let loaded: ChdbNative | undefined;

export function chdbNative(): ChdbNative {
  if (loaded !== undefined) return loaded;
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('chdb/package.json'));
  const version = (require('chdb/package.json') as { version: string }).version;
  const addon = (require(join(packageDir, 'dist', 'loader.js')) as { loadNative(): unknown }).loadNative() as Record<
    string,
    unknown
  >;
  for (const name of ['QueryAsyncConnection', 'InsertRawAsyncConnection']) {
    if (typeof addon[name] !== 'function') {
      throw new Error(
        `chdb ${version} has no native ${name}: the warehouse gateway was written against chdb 3.4.0; pin that version`,
      );
    }
  }
  loaded = addon as unknown as ChdbNative;
  return loaded;
}
