import type { Logger } from '@commune-pulse/runtime';
import type { Warehouse } from '@commune-pulse/warehouse';
import type { Scope } from './tokens.ts';

export interface AccessRecord {
  scope: Scope | undefined;
  method: string;
  path: string;
  status: number;
  rows: number;
  durationMs: number;
}

// Few, larger inserts: each insert is a part the engine writes and later merges beside the queries it answers.
const FLUSH_EVERY_MS = 5_000;
const FLUSH_AT_ROWS = 2_000;

/**
 * `api_access_log`: a row per request (who, what, when, how many rows). Rows are written in small batches off the
 * request's path, so that recording a request never slows its answer; close() writes what is left.
 */
export class AccessLog {
  readonly #warehouse: Warehouse;
  readonly #logger: Logger;
  #pending: object[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(warehouse: Warehouse, logger: Logger) {
    this.#warehouse = warehouse;
    this.#logger = logger;
  }

  record(entry: AccessRecord): void {
    this.#pending.push({
      at: new Date().toISOString(),
      token_id: entry.scope?.tokenId ?? '',
      token_name: entry.scope?.tokenName ?? '',
      role: entry.scope?.role ?? '',
      province_code: entry.scope?.provinceCode ?? '',
      method: entry.method,
      // the query string says what was asked for; bodies (SQL) are not kept
      path: entry.path.slice(0, 2_000),
      status: entry.status,
      rows: entry.rows,
      duration_ms: Math.round(entry.durationMs),
    });
    if (this.#pending.length >= FLUSH_AT_ROWS) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /** Writes every row recorded so far (resolves once they are stored). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#pending;
    this.#pending = [];
    this.#writing = this.#writing.then(async () => {
      if (rows.length === 0) return;
      try {
        await this.#warehouse.insert('api_access_log', rows);
      } catch (error) {
        this.#logger.error({ err: error, rows: rows.length }, 'access log rows could not be stored');
      }
    });
    return this.#writing;
  }

  close(): Promise<void> {
    return this.flush();
  }
}
