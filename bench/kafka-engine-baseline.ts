/**
 * The baseline a ClickHouse user would pick instead of our consumer: ClickHouse's own Kafka table engine (in
 * the embedded engine) with a materialized view into a table of the same shape and settings as
 * dossier_events_store (fsynced, as the write path's tables are),
 * consuming the same topic. Prints one JSON line: rows, seconds from the first row to the last, rows/s.
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
    kafka_skip_broken_messages = 1000000, input_format_skip_unknown_fields = 1, kafka_max_block_size = 65536`);
const started = Date.now();
await warehouse.command(`CREATE MATERIALIZED VIEW events_from_queue TO events AS
  SELECT event_id, event_type, parseDateTime64BestEffort(occurred_at, 3, 'UTC') AS occurred_at, dossier_id,
         commune_code, procedure_code, channel, parseDateTime64BestEffortOrNull(due_at, 3, 'UTC') AS due_at,
         officer_ref, source_system, status_code, now64(3) AS ingested_at
  FROM events_queue`);
let firstRowAt: number | null = null;
let cpuAtFirstRow: NodeJS.CpuUsage | null = null;
let cpuAtLastChange: NodeJS.CpuUsage | null = null;
let lastCount = 0;
let lastChangeAt = Date.now();
for (;;) {
  const [row] = await warehouse.query<{ n: number }>('SELECT count() AS n FROM events');
  const count = Number(row?.n ?? 0);
  const now = Date.now();
  if (count > 0 && firstRowAt === null) {
    firstRowAt = now;
    cpuAtFirstRow = process.cpuUsage();
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
console.log(
  JSON.stringify({
    rows: lastCount,
    expected,
    seconds_first_to_last_row: seconds,
    rows_per_second: seconds ? Math.round(lastCount / seconds) : null,
    cpu_seconds:
      cpuAtFirstRow && cpuAtLastChange
        ? Number(
            ((cpuAtLastChange.user - cpuAtFirstRow.user + cpuAtLastChange.system - cpuAtFirstRow.system) / 1e6).toFixed(
              2,
            ),
          )
        : null,
    startup_seconds: firstRowAt === null ? null : (firstRowAt - started) / 1000,
  }),
);
