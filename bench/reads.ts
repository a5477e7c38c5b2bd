/**
 * Reads over a synthetic national year of dossier events, filled in SQL: a month's count by event type through
 * `dossier_events`, and a week of `data_quality`, each beside the earlier design in the same warehouse (the
 * events in a ReplacingMergeTree read through a view with FINAL, data quality computed from a row per delivery).
 */
import { rmSync } from 'node:fs';
import { communes } from '@commune-pulse/reference-data';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';

export interface ReadBenchOptions {
  dir: string;
  rows: number;
  runs?: number;
  log: (line: string) => void;
}

const EVENT_TYPES = ['submitted', 'received', 'processing', 'fee_requested', 'resolved', 'returned'];

async function timed(warehouse: Warehouse, sql: string, runs: number) {
  const times: number[] = [];
  let result: unknown[] = [];
  for (let run = 0; run < runs + 1; run++) {
    const started = performance.now();
    result = await warehouse.query(sql);
    if (run > 0) times.push(performance.now() - started); // the first run warms the caches
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  return { p50: at(0.5), p95: at(0.95), rows: result.length };
}

/** One row per event of a year (2025-12-01 to 2026-11-30), spread over every commune and month. */
function fillEvents(table: string, from: number, count: number, extraColumns: string) {
  return `INSERT INTO ${table}
    SELECT concat('bench-', toString(number)) AS event_id,
           {types:Array(String)}[number % ${EVENT_TYPES.length} + 1] AS event_type,
           toDateTime64('2025-12-01 00:00:00', 3, 'UTC') + toIntervalSecond(cityHash64(number) % (365 * 86400)) AS occurred_at,
           concat('D-', toString(intDiv(number, 5))) AS dossier_id,
           {codes:Array(String)}[intDiv(number, 5) % {n:UInt32} + 1] AS commune_code,
           {provinces:Array(String)}[intDiv(number, 5) % {n:UInt32} + 1] AS province_code,
           '1.001193' AS procedure_code, 'online' AS channel, NULL AS due_at, NULL AS officer_ref,
           'bench' AS source_system, NULL AS status_code, now64(3) AS ingested_at, ${extraColumns}
    FROM numbers(${from}, ${count})`;
}

export async function benchReads(options: ReadBenchOptions) {
  const runs = options.runs ?? 10;
  rmSync(options.dir, { recursive: true, force: true });
  const warehouse = await openWarehouse({ dataDir: options.dir });
  try {
    const registry = communes();
    const params = {
      types: EVENT_TYPES,
      codes: registry.map((commune) => commune.code),
      provinces: registry.map((commune) => commune.provinceCode),
      n: registry.length,
    };
    // The earlier design, for the baseline: the same events in a ReplacingMergeTree read with FINAL, and a
    // delivery ledger with a row per message.
    await warehouse.command(`CREATE TABLE earlier_events AS dossier_events_store
      ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(occurred_at, 'Asia/Ho_Chi_Minh') ORDER BY (commune_code, dossier_id, event_id)`);
    await warehouse.command('CREATE VIEW earlier_dossier_events AS SELECT * FROM earlier_events FINAL');
    await warehouse.command(`CREATE TABLE earlier_deliveries (source LowCardinality(String), position UInt64,
      ingested_at DateTime64(3, 'UTC'), outcome Enum8('accepted' = 1, 'rejected' = 2), event_id String, reason LowCardinality(String))
      ENGINE = ReplacingMergeTree ORDER BY (source, position)`);
    const step = 5_000_000;
    const fillStarted = performance.now();
    for (let from = 0; from < options.rows; from += step) {
      const count = Math.min(step, options.rows - from);
      await warehouse.command(
        fillEvents('dossier_events_store', from, count, '1 AS source_key, 0 AS partition, number AS position, 0, 0'),
        params,
      );
      await warehouse.command(fillEvents('earlier_events', from, count, '1, 0, number, 0, 0'), params);
      await warehouse.command(
        `INSERT INTO earlier_deliveries SELECT 'kafka:dossier-events.v1:0', number,
           toDateTime64('2025-12-01 00:00:00', 3, 'UTC') + toIntervalSecond(intDiv(number * 365 * 86400, ${options.rows})),
           if(number % 100 = 0, 'rejected', 'accepted'), concat('bench-', toString(number)), if(number % 100 = 0, 'not_json', '')
         FROM numbers(${from}, ${count})`,
      );
      options.log(
        `filled ${Math.min(from + count, options.rows).toLocaleString('en')} of ${options.rows.toLocaleString('en')} events (${((performance.now() - fillStarted) / 1000).toFixed(0)} s)`,
      );
    }
    // The ledger of that year, a range per 20,000 deliveries, as the ingest writes it (its view fills data_quality_chunks).
    await warehouse.command(
      `INSERT INTO ingest_ledger (source_key, partition, first_position, last_position, recorded_at, deliveries, accepted,
         duplicates, rejected, rejected_by_reason, unknown_procedure, late, dead_letters, touched_communes, touched_from_ms, latest_occurred_ms)
       SELECT 1, 0, number * 20000, number * 20000 + 19999,
              toDateTime64('2025-12-01 00:00:00', 3, 'UTC') + toIntervalSecond(intDiv(number * 20000 * 365 * 86400, ${options.rows})),
              20000, 19800, 0, 200, map('not_json', toUInt64(200)), 0, 0, 200, [], [], 0
       FROM numbers(${Math.ceil(options.rows / 20_000)})`,
    );

    // March in Vietnam time, the ministry's month (the table is partitioned by it)
    const month =
      "occurred_at >= toDateTime64('2026-03-01 00:00:00', 3, 'Asia/Ho_Chi_Minh') AND occurred_at < toDateTime64('2026-04-01 00:00:00', 3, 'Asia/Ho_Chi_Minh')";
    const monthQuery = (view: string) =>
      `SELECT event_type, count() AS n FROM ${view} WHERE ${month} GROUP BY event_type ORDER BY event_type`;
    const [ours, earlier] = await Promise.all([
      warehouse.query<{ event_type: string; n: number }>(monthQuery('dossier_events')),
      warehouse.query<{ event_type: string; n: number }>(monthQuery('earlier_dossier_events')),
    ]);
    if (JSON.stringify(ours) !== JSON.stringify(earlier)) throw new Error('the two designs disagree on the month');
    const explain = (
      await warehouse.query<{ explain: string }>(`EXPLAIN indexes = 1 ${monthQuery('dossier_events')}`)
    ).map((row) => row.explain);
    const [parts] = await warehouse.query<{ parts: number; rows: number }>(
      "SELECT count() AS parts, sum(rows) AS rows FROM system.parts WHERE active AND table = 'dossier_events_store'",
    );
    const week = "day >= '2026-03-02' AND day < '2026-03-09'";
    const earlierQuality = `SELECT toDate(ingested_at, 'Asia/Ho_Chi_Minh') AS day, count() AS deliveries,
        countIf(outcome = 'accepted' AND rank = 1) AS events_accepted, countIf(outcome = 'accepted' AND rank > 1) AS duplicates,
        countIf(outcome = 'rejected') AS rejected
      FROM (SELECT *, if(outcome = 'accepted', row_number() OVER (PARTITION BY outcome, event_id ORDER BY ingested_at, source, position), 0) AS rank
            FROM earlier_deliveries FINAL)
      GROUP BY day HAVING ${week} ORDER BY day`;
    const results = [
      {
        query: 'a month of dossier_events by event type',
        design: 'ledger + claims (dossier_events, no FINAL)',
        ...(await timed(warehouse, monthQuery('dossier_events'), runs)),
      },
      {
        query: 'a month of dossier_events by event type',
        design: 'earlier (ReplacingMergeTree read with FINAL)',
        ...(await timed(warehouse, monthQuery('earlier_dossier_events'), runs)),
      },
      {
        query: 'data_quality for a week',
        design: 'ledger + claims (data_quality_chunks)',
        ...(await timed(warehouse, `SELECT * FROM data_quality WHERE ${week}`, runs)),
      },
      {
        query: 'data_quality for a week',
        design: 'earlier (a row per delivery, ranked)',
        ...(await timed(warehouse, earlierQuality, Math.min(runs, 3))),
      },
    ];
    return { rows: options.rows, parts: Number(parts?.parts), explain, results };
  } finally {
    await warehouse.close();
  }
}
