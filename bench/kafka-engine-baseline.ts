/**
 * The baseline a ClickHouse user would pick instead of our consumer: ClickHouse's own Kafka table engine (in
 * the embedded engine) with a materialized view into a table of the same shape and settings as
 * dossier_events_store (fsynced, as the write path's tables are),
 * consuming the same topic. Blocks are flushed after 250 ms without filling (the default waits 7.5 s, which a
 * small topic's end-to-end time would mostly be). Prints one JSON line with two rates:
 * - end to end: all rows over the time from creating the view (the engine connects and subscribes then; its
 *   group join is included, as it is in the consumer's end-to-end time) to the last row;
 * - steady: the rows after the first block over the time from the first block to the last row. The engine writes
 *   a block at a time (up to kafka_max_block_size rows per consumer): a topic it takes in one block has no steady
 *   rate (null), and the rows of the first block are not counted in the window that begins when they land.
 * Usage: node bench/kafka-engine-baseline.ts <brokers> <topic> <expected rows> <data dir>
 */
import { createWarehouse } from '@commune-pulse/warehouse';

const [brokers, topic, expectedText, dataDir] = process.argv.slice(2);
if (!brokers || !topic || !expectedText || !dataDir) {
  console.error('usage: node bench/kafka-engine-baseline.ts <brokers> <topic> <expected rows> <data dir>');
  process.exit(2);
}
const expected = Number(expectedText);
const warehouse = createWarehouse({ dataDir });
await warehouse.command(`CREATE TABLE events (
    event_id String, event_type LowCardinality(String), occurred_at DateTime64(3, 'UTC'), dossier_id String,
    commune_code LowCardinality(String), procedure_code LowCardinality(String), channel LowCardinality(String),
    due_at Nullable(DateTime64(3, 'UTC')), officer_ref Nullable(String), source_system Nullable(String),
    status_code Nullable(UInt8), ingested_at DateTime64(3, 'UTC'))
  ENGINE = MergeTree PARTITION BY toYYYYMM(occurred_at, 'Asia/Ho_Chi_Minh')
  ORDER BY (commune_code, dossier_id, event_id)
  SETTINGS fsync_after_insert = 1, fsync_part_directory = 1`);
await warehouse.command(`CREATE TABLE events_queue (
    event_id String, event_type String, occurred_at String, dossier_id String, commune_code String,
    procedure_code String, channel String, due_at Nullable(String), officer_ref Nullable(String),
    source_system Nullable(String), status_code Nullable(UInt8))
  ENGINE = Kafka SETTINGS kafka_broker_list = '${brokers}', kafka_topic_list = '${topic}',
    kafka_group_name = 'baseline-${topic}', kafka_format = 'JSONEachRow', kafka_num_consumers = 2,
    kafka_skip_broken_messages = 1000000, input_format_skip_unknown_fields = 1, kafka_max_block_size = 65536,
    kafka_flush_interval_ms = 250`);
const started = Date.now();
const cpuAtStart = process.cpuUsage();
await warehouse.command(`CREATE MATERIALIZED VIEW events_from_queue TO events AS
  SELECT event_id, event_type, parseDateTime64BestEffort(occurred_at, 3, 'UTC') AS occurred_at, dossier_id,
         commune_code, procedure_code, channel, parseDateTime64BestEffortOrNull(due_at, 3, 'UTC') AS due_at,
         officer_ref, source_system, status_code, now64(3) AS ingested_at
  FROM events_queue`);
let firstRowAt: number | null = null;
let firstBlockRows = 0;
let cpuAtLastChange: NodeJS.CpuUsage | null = null;
let lastCount = 0;
let lastChangeAt = Date.now();
for (;;) {
  const [row] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM events');
  const count = Number(row?.n ?? 0);
  const now = Date.now();
  if (count > 0 && firstRowAt === null) {
    firstRowAt = now;
    firstBlockRows = count;
  }
  if (count !== lastCount) {
    lastCount = count;
    lastChangeAt = now;
    cpuAtLastChange = process.cpuUsage();
  }
  if (count >= expected || now - lastChangeAt > 30_000 || now - started > 900_000) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
// Stop consuming before closing: the engine must not be torn down under a running query.
await warehouse.command('DROP VIEW events_from_queue');
await warehouse.close();
const seconds = firstRowAt === null ? null : (lastChangeAt - firstRowAt) / 1000;
const endToEndSeconds = firstRowAt === null ? null : (lastChangeAt - started) / 1000;
console.log(
  JSON.stringify({
    rows: lastCount,
    expected,
    first_block_rows: firstBlockRows,
    seconds_first_to_last_row: seconds,
    rows_per_second: seconds ? Math.round((lastCount - firstBlockRows) / seconds) : null,
    end_to_end_seconds: endToEndSeconds,
    end_to_end_rows_per_second: endToEndSeconds ? Math.round(lastCount / endToEndSeconds) : null,
    // the process's CPU time (the engine's threads) from creating the view to the last row: all rows' work
    cpu_seconds: cpuAtLastChange
      ? Number(((cpuAtLastChange.user - cpuAtStart.user + cpuAtLastChange.system - cpuAtStart.system) / 1e6).toFixed(2))
      : null,
    startup_seconds: firstRowAt === null ? null : (firstRowAt - started) / 1000,
  }),
);
