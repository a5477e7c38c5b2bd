/**
 * Where a chunk's time goes, engine statement by engine statement. The embedded engine runs one statement at a
 * time per process (measured first: two statements sent at once take as long as one after the other), so the
 * write path's engine work is one serial lane whatever the concurrency above it, and its time per event bounds
 * the consumer's rate. The simulated events go through the real pipeline (`createIngestPipeline`), one chunk at a
 * time so that nothing overlaps, and every warehouse call is timed under what it does (the table inserted into,
 * or the table a query reads); what is left of a chunk's time is JavaScript.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sourceOf } from '@commune-pulse/contracts';
import { createIngestPipeline, fileDeadLetterSink, type SourceMessage } from '@commune-pulse/ingest';
import { defaultProcedureCatalog, provinceOfCommune } from '@commune-pulse/reference-data';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';

export interface EngineTimeOptions {
  dir: string;
  eventsPath: string;
  /** events stored at most (the first lines of the file) */
  events: number;
  chunkSize: number;
  log: (line: string) => void;
}

/** What a statement does, for the table: `insert <table>`, `query <first table read>`, or `command <verb>`. */
export function statementLabel(kind: 'insert' | 'query' | 'command', sqlOrTable: string): string {
  if (kind === 'insert') return `insert ${sqlOrTable}`;
  const table = /\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)/i.exec(sqlOrTable)?.[1];
  if (kind === 'query') return `query ${table ?? '(no table)'}`;
  return `command ${sqlOrTable.trim().split(/\s+/)[0]?.toUpperCase() ?? ''} ${table ?? ''}`.trim();
}

/** The warehouse, each call's wall time added to `spent` under its label. */
function timedWarehouse(warehouse: Warehouse, spent: Map<string, { ms: number; calls: number }>): Warehouse {
  const time = async <T>(label: string, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await call();
    } finally {
      const entry = spent.get(label) ?? { ms: 0, calls: 0 };
      entry.ms += performance.now() - started;
      entry.calls += 1;
      spent.set(label, entry);
    }
  };
  return {
    ...warehouse,
    insert: (table, rows, options) =>
      time(statementLabel('insert', table), () => warehouse.insert(table, rows, options)),
    query: (sql, params) => time(statementLabel('query', sql), () => warehouse.query(sql, params)),
    command: (sql, params) => time(statementLabel('command', sql), () => warehouse.command(sql, params)),
  };
}

/** Two statements of the same work, one after the other and then at once. */
async function statementsAtOnce(warehouse: Warehouse) {
  const sql = 'SELECT sum(cityHash64(number)) FROM numbers(200000000) SETTINGS max_threads = 1';
  await warehouse.query(sql);
  let started = performance.now();
  await warehouse.query(sql);
  await warehouse.query(sql);
  const oneAfterTheOther = performance.now() - started;
  started = performance.now();
  await Promise.all([warehouse.query(sql), warehouse.query(sql)]);
  const atOnce = performance.now() - started;
  return { oneAfterTheOther, atOnce };
}

export async function benchEngineTime(options: EngineTimeOptions) {
  rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true });
  const warehouse = await openWarehouse({ dataDir: join(options.dir, 'warehouse') });
  try {
    const lanes = await statementsAtOnce(warehouse);
    options.log(
      `two single-threaded statements: ${lanes.oneAfterTheOther.toFixed(0)} ms one after the other, ` +
        `${lanes.atOnce.toFixed(0)} ms sent at once (${(lanes.atOnce / lanes.oneAfterTheOther).toFixed(2)}×)`,
    );
    const spent = new Map<string, { ms: number; calls: number }>();
    const catalog = defaultProcedureCatalog();
    const pipeline = createIngestPipeline({
      warehouse: timedWarehouse(warehouse, spent),
      provinceOfCommune,
      isKnownProcedure: (code) => catalog.lookup(code).known,
      deadLetters: fileDeadLetterSink(join(options.dir, 'dead-letters.ndjson'), 'bench-dlq'),
    });
    const lines = readFileSync(options.eventsPath)
      .toString('utf8')
      .split('\n', options.events)
      .filter((line) => line !== '');
    const source = sourceOf({ kind: 'file', sha256: 'bench-engine-time', label: options.eventsPath });
    let total = 0;
    let stored = 0;
    for (let start = 0; start < lines.length; start += options.chunkSize) {
      const messages: SourceMessage[] = lines
        .slice(start, start + options.chunkSize)
        .map((line, i) => ({ position: start + i + 1, value: Buffer.from(line) }));
      const started = performance.now();
      const outcome = await pipeline.storeChunk({ source, partition: 0, messages });
      total += performance.now() - started;
      stored += outcome.deliveries;
      options.log(`[engine-time] ${stored} of ${lines.length} events`);
    }
    const engine = [...spent.values()].reduce((sum, entry) => sum + entry.ms, 0);
    const perEvent = (ms: number) => ((ms * 1000) / stored).toFixed(2);
    const rows = [...spent.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(([label, entry]) => ({
        part: label,
        calls: entry.calls,
        ms: entry.ms.toFixed(0),
        'µs/event': perEvent(entry.ms),
        '% of the chunks': ((100 * entry.ms) / total).toFixed(1),
      }));
    rows.push(
      {
        part: 'engine statements, in all',
        calls: [...spent.values()].reduce((sum, entry) => sum + entry.calls, 0),
        ms: engine.toFixed(0),
        'µs/event': perEvent(engine),
        '% of the chunks': ((100 * engine) / total).toFixed(1),
      },
      {
        part: 'JavaScript between them (validation, plan, rows)',
        calls: Math.ceil(stored / options.chunkSize),
        ms: (total - engine).toFixed(0),
        'µs/event': perEvent(total - engine),
        '% of the chunks': ((100 * (total - engine)) / total).toFixed(1),
      },
    );
    return { lanes, events: stored, chunkSize: options.chunkSize, totalMs: total, rows };
  } finally {
    await warehouse.close();
  }
}
