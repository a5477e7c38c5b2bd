import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { drainPending, Session } from 'chdb';
import { chdbNative, type NativeQueryResult } from './chdb-native.ts';
import { type ExecutionSummary, GatewayError, setStatement } from './protocol.ts';
import { type KnownFormats, quoteIdentifier } from './sql-scan.ts';

/**
 * Server defaults that differ from the embedded engine's: a ClickHouse server inserts synchronously unless told
 * otherwise, and clients written against one (acknowledge after the insert, then commit a Kafka offset) rely
 * on it. A request's own `async_insert` still overrides this.
 */
const CONNECTION_ARGS = ['--async_insert=0'];

export interface EngineStatement {
  /** A statement, or with `rows` the `INSERT … FORMAT x` prefix those rows belong to. */
  sql: string;
  rows?: Buffer | undefined;
  /** Values for `{name:Type}` placeholders, as ClickHouse's HTTP interface receives them. */
  params: Record<string, string>;
  settings: ReadonlyArray<readonly [string, string]>;
  database?: string | undefined;
  /** Output format when the statement has no FORMAT clause of its own. */
  format: string;
}

export interface EngineResult {
  body: Buffer;
  summary: ExecutionSummary;
}

export interface EngineOptions {
  dataDir: string;
  /** Statements running at once; the rest wait in arrival order. */
  maxConcurrent: number;
}

class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];
  constructor(count: number) {
    this.#free = count;
  }
  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}

// chdb sets and clears bound parameters around each call without isolation between connections: two
// parameterised queries at once, even on different connections, read each other's values or abort the engine.
// They run one at a time, process-wide; other statements still run beside them.
let parameterisedTail: Promise<unknown> = Promise.resolve();
function oneParameterisedAtATime<T>(run: () => Promise<T>): Promise<T> {
  const result = parameterisedTail.then(run, run);
  parameterisedTail = result.catch(() => undefined);
  return result;
}

function emptySummary(): ExecutionSummary {
  return { readRows: 0, readBytes: 0, writtenRows: 0, writtenBytes: 0, resultBytes: 0, elapsedSeconds: 0 };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * One chdb engine over a data folder, shared by every request of the gateway.
 *
 * Each statement runs on a connection of its own, opened for it and closed after it (about 0.2 ms). The engine
 * keeps `SET` and `USE` on a connection, while an HTTP request's settings and database must apply to that
 * request alone; a fresh connection gives exactly that, whatever the statement is, without rewriting its SQL.
 * It is also what lets statements run in parallel: one connection runs its queries one after another.
 */
export class WarehouseEngine {
  readonly dataDir: string;
  readonly timezone: string;
  readonly version: string;
  readonly formats: KnownFormats;
  readonly #anchor: Session;
  readonly #slots: Slots;
  #running = 0;
  #idle: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  private constructor(
    dataDir: string,
    anchor: Session,
    maxConcurrent: number,
    facts: { timezone: string; version: string; formats: KnownFormats },
  ) {
    this.dataDir = dataDir;
    this.#anchor = anchor;
    this.#slots = new Slots(maxConcurrent);
    this.timezone = facts.timezone;
    this.version = facts.version;
    this.formats = facts.formats;
  }

  /**
   * Opens the data folder (creating it if needed). The first connection stays open until `close`: while one
   * is open the engine stays loaded, so later per-statement connections are cheap.
   */
  static async open(options: EngineOptions): Promise<WarehouseEngine> {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) {
      throw new Error(`maxConcurrent must be a positive integer, got ${options.maxConcurrent}`);
    }
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    let anchor: Session;
    try {
      anchor = new Session(dataDir, { connectionArgs: CONNECTION_ARGS });
    } catch (error) {
      throw new Error(
        `cannot open the warehouse data folder ${dataDir}: ${(error as Error).message}. ` +
          'Only one process can use a data folder at a time: stop the other process using it, or pick another folder.',
      );
    }
    try {
      const about = (await anchor.queryAsync('SELECT timezone(), version()', { format: 'TabSeparated' })).text();
      const [timezone = 'UTC', version = 'unknown'] = about.trim().split('\t');
      const rows = (
        await anchor.queryAsync('SELECT name, is_input, is_output FROM system.formats', { format: 'JSONEachRow' })
      ).text();
      const input = new Set<string>();
      const output = new Set<string>();
      for (const line of rows.split('\n')) {
        if (line === '') continue;
        const row = JSON.parse(line) as { name: string; is_input: number; is_output: number };
        if (row.is_input) input.add(row.name.toLowerCase());
        if (row.is_output) output.add(row.name.toLowerCase());
      }
      return new WarehouseEngine(dataDir, anchor, options.maxConcurrent, {
        timezone,
        version,
        formats: { input, output },
      });
    } catch (error) {
      anchor.close();
      throw error;
    }
  }

  async execute(statement: EngineStatement): Promise<EngineResult> {
    if (this.#closing !== undefined) throw new Error('the warehouse engine is closing');
    this.#running++;
    try {
      // A parameterised statement waits for its turn before taking a slot, so that those queued behind it do
      // not hold slots other statements could run in.
      const parameterised = Object.keys(statement.params).length > 0 && statement.rows === undefined;
      return await (parameterised
        ? oneParameterisedAtATime(() => this.#onOwnConnection(statement))
        : this.#onOwnConnection(statement));
    } finally {
      this.#running--;
      if (this.#running === 0) this.#idle?.();
    }
  }

  async #onOwnConnection(statement: EngineStatement): Promise<EngineResult> {
    await this.#slots.acquire();
    let session: Session | undefined;
    try {
      session = new Session(this.dataDir, { connectionArgs: CONNECTION_ARGS });
      if (statement.database !== undefined) await session.queryAsync(`USE ${quoteIdentifier(statement.database)}`);
      const set = setStatement(statement.settings);
      if (set !== undefined) await session.queryAsync(set);
      return await this.#run(session, statement);
    } finally {
      session?.close();
      this.#slots.release();
    }
  }

  async #run(session: Session, statement: EngineStatement): Promise<EngineResult> {
    const native = chdbNative();
    if (statement.rows !== undefined) {
      if (Object.keys(statement.params).length > 0) {
        throw new GatewayError(
          501,
          48,
          'NOT_IMPLEMENTED',
          'query parameters in an INSERT with inline rows are not supported by the warehouse gateway',
        );
      }
      // ClickHouse accepts an insert without rows; the embedded engine calls it an error (NO_DATA_TO_INSERT).
      if (statement.rows.length === 0) return { body: Buffer.alloc(0), summary: emptySummary() };
      const written = await native.InsertRawAsyncConnection(session.connection, statement.sql, statement.rows, false);
      return {
        body: Buffer.alloc(0),
        summary: {
          ...emptySummary(),
          readRows: written.rowsWritten,
          readBytes: statement.rows.length,
          writtenRows: written.rowsWritten,
          writtenBytes: written.bytesWritten,
          elapsedSeconds: written.elapsed,
        },
      };
    }
    let result: NativeQueryResult | { bytes: Uint8Array; rowsRead: number; bytesRead: number; elapsed: number };
    if (Object.keys(statement.params).length > 0) {
      result = await native.QueryAsyncConnection(session.connection, statement.sql, statement.format, statement.params);
    } else {
      const chdbResult = await session.queryAsync(statement.sql, { format: statement.format });
      result = {
        bytes: chdbResult.bytes(),
        rowsRead: chdbResult.rowsRead,
        bytesRead: chdbResult.bytesRead,
        elapsed: chdbResult.elapsed,
      };
    }
    const body = asBuffer(result.bytes);
    return {
      body,
      summary: {
        ...emptySummary(),
        readRows: result.rowsRead,
        readBytes: result.bytesRead,
        resultBytes: body.length,
        elapsedSeconds: result.elapsed,
      },
    };
  }

  /** Refuses new statements, waits for running and queued ones, then releases the engine. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#running > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
      this.#anchor.close();
      await drainPending();
    })();
    return this.#closing;
  }
}
