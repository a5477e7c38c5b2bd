import type { Warehouse } from '@commune-pulse/warehouse';
import { expect } from 'vitest';
import type { Truth } from './example.ts';

/** The lifecycle measures a truth.json gives per commune and day or week. */
export const MEASURES = [
  'received',
  'received_online',
  'received_counter',
  'received_postal',
  'resolved',
  'resolved_on_time',
  'returned',
] as const;

/** data_quality's accepted / duplicate / rejected sums over every day. */
export async function dataQualityTotals(warehouse: Warehouse) {
  const [counts] = await warehouse.query<{ accepted: number; duplicates: number; rejected: number }>(
    'SELECT sum(events_accepted) AS accepted, sum(duplicates) AS duplicates, sum(rejected) AS rejected FROM data_quality',
  );
  return counts;
}

/** Checks every figure of an example's truth.json against the warehouse's public tables. */
export async function expectTruthReproduced(warehouse: Warehouse, truth: Truth): Promise<void> {
  expect(await dataQualityTotals(warehouse)).toEqual({
    accepted: truth.accepted_events,
    duplicates: truth.duplicate_lines,
    rejected: truth.invalid_lines,
  });
  await expectTablesReproduced(warehouse, truth);
}

/** Checks the stored events and the lifecycle tables against an example's truth.json (data_quality aside). */
export async function expectTablesReproduced(warehouse: Warehouse, truth: Truth): Promise<void> {
  const [stored] = await warehouse.query<{ n: number; distinct_ids: number }>(
    'SELECT count() AS n, uniqExact(event_id) AS distinct_ids FROM dossier_events',
  );
  expect(stored).toEqual({ n: truth.accepted_events, distinct_ids: truth.accepted_events });

  const daily = await warehouse.query<Record<string, unknown>>(
    `SELECT toString(day) AS day, commune_code, ${MEASURES.join(', ')} FROM commune_daily
     WHERE commune_code IN {communes:Array(String)} ORDER BY day, commune_code`,
    { communes: truth.communes },
  );
  for (const expected of truth.daily) {
    const row = daily.find((r) => r.day === expected.day && r.commune_code === expected.commune_code);
    expect(row, `daily ${expected.day} ${expected.commune_code}`).toEqual(expected);
  }
  const weekly = await warehouse.query<Record<string, unknown>>(
    `SELECT toString(week_start) AS week_start, commune_code, ${MEASURES.join(', ')} FROM commune_weekly
     WHERE commune_code IN {communes:Array(String)}`,
    { communes: truth.communes },
  );
  for (const expected of truth.weekly) {
    const row = weekly.find((r) => r.week_start === expected.week_start && r.commune_code === expected.commune_code);
    expect(row, `weekly ${expected.week_start} ${expected.commune_code}`).toEqual(expected);
  }
  // The window's end is the end of its last day: the open_end of that day's row.
  const lastDay = new Date(Date.parse(`${truth.window.start}T00:00:00Z`) + (truth.window.days - 1) * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const ends = await warehouse.query<{ commune_code: string; open_end: number; overdue_open: number }>(
    `SELECT commune_code, open_end, overdue_open FROM commune_daily WHERE day = {day:Date} AND commune_code IN {communes:Array(String)}`,
    { day: lastDay, communes: truth.communes },
  );
  for (const commune of truth.communes) {
    const row = ends.find((r) => r.commune_code === commune);
    expect(row?.open_end, `open_end ${commune}`).toBe(truth.open_end[commune] ?? 0);
    expect(row?.overdue_open, `overdue_open ${commune}`).toBe(truth.overdue_open_end[commune] ?? 0);
  }
}

/**
 * Raw row counts of the base tables (no view, no FINAL): what exactly once promises is one row per event and
 * per rejected position, and every delivery counted once in the ledger.
 */
export async function rawCounts(warehouse: Warehouse) {
  const [row] = await warehouse.query<{ events: number; claims: number; rejects: number; ledger_deliveries: number }>(
    `SELECT (SELECT count() FROM dossier_events_store) AS events,
            (SELECT count() FROM event_id_claims) AS claims,
            (SELECT count() FROM ingest_rejects) AS rejects,
            (SELECT sum(deliveries) FROM ingest_ledger) AS ledger_deliveries`,
  );
  return {
    events: Number(row?.events),
    claims: Number(row?.claims),
    rejects: Number(row?.rejects),
    ledger_deliveries: Number(row?.ledger_deliveries),
  };
}

/** The base tables' raw rows match a truth: one row per accepted event and per reject, every line in the ledger once. */
export async function expectRawCountsOf(warehouse: Warehouse, truth: Truth): Promise<void> {
  expect(await rawCounts(warehouse)).toEqual({
    events: truth.accepted_events,
    claims: truth.accepted_events,
    rejects: truth.invalid_lines,
    ledger_deliveries: truth.lines,
  });
}

/** Every table of the warehouse, as text: where personal data must never appear. */
export async function dumpAllTables(warehouse: Warehouse): Promise<Map<string, string>> {
  // Materialized views keep nothing of their own: their rows are in their target tables, read here too.
  const tables = await warehouse.query<{ name: string }>(
    `SELECT name FROM system.tables
     WHERE database = currentDatabase() AND NOT is_temporary AND engine != 'MaterializedView' ORDER BY name`,
  );
  const dump = new Map<string, string>();
  for (const { name } of tables) {
    const result = await warehouse.client.query({ query: `SELECT * FROM \`${name}\``, format: 'JSONEachRow' });
    dump.set(name, await result.text());
  }
  return dump;
}

/** The derived tables without their versions, sorted: equal for the same events however they arrived. */
export async function derivedTables(warehouse: Warehouse): Promise<Record<string, unknown[]>> {
  const queries: Record<string, string> = {
    dossiers: 'SELECT * FROM dossiers ORDER BY commune_code, dossier_id',
    commune_daily: 'SELECT * FROM commune_daily ORDER BY commune_code, day',
    commune_weekly: 'SELECT * FROM commune_weekly ORDER BY commune_code, week_start',
    procedure_weekly: 'SELECT * FROM procedure_weekly ORDER BY commune_code, week_start, procedure_code',
    dossier_events: 'SELECT * EXCEPT (ingested_at) FROM dossier_events ORDER BY commune_code, dossier_id, event_id',
  };
  const result: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(queries)) result[name] = await warehouse.query(sql);
  return result;
}
