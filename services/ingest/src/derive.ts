import { formatDay, isoWeekStartDayNumber, vnDayNumber, vnDayNumberStartMs } from '@commune-pulse/reference-data';
import type { Warehouse } from '@commune-pulse/warehouse';
import {
  communeMeasures,
  type DossierTimeline,
  foldDossier,
  isOpenAt,
  type LifecycleEvent,
  processingHours,
  resolvedOnTime,
  type WorkingMillisBetween,
} from '@commune-pulse/workload';
import { completeDataQuality } from './data-quality.ts';

/**
 * Keeps the lifecycle tables (dossiers, commune_daily, commune_weekly, procedure_weekly) in step with the
 * events. Each run takes the ledger ranges not yet derived (docs/design/exactly-once.md: it follows the ledger,
 * not a clock), recomputes from all their events the dossiers those ranges stored events of and the commune-days
 * they can change, writes them with a version from the warehouse's clock, and records the ranges as derived:
 * recomputing instead of adding up is what makes redeliveries, disorder and late events land on the same
 * figures as a clean ordered stream. Each run first completes data_quality from the ledger (data-quality.ts).
 */

export interface DeriveOptions {
  workingMillis: WorkingMillisBetween;
  /** communes loaded into memory at once */
  communesPerChunk?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface DeriveResult {
  communes: number;
  dossiers: number;
  horizonDay: string | null;
  /** ledger chunks data_quality was missing (a process killed between the ledger's insert and its view's) */
  dataQualityCompleted: number;
}

/**
 * How far back a run recomputes a commune's days from the data horizon. An event older than that still corrects
 * its dossier, and the days inside the span; the days before it keep their figures. It bounds a run however old
 * an accepted event is.
 */
export const MAX_DERIVE_SPAN_DAYS = 732;
const CLOSING_TYPES = ['intake_refused', 'withdrawn', 'suspended', 'resolved', 'returned'];

interface PendingRange {
  source_key: number;
  partition: number;
  first_position: number;
  last_position: number;
  touched_communes: string[];
  touched_from_ms: number[];
  latest_occurred_ms: number;
}

async function readHorizon(warehouse: Warehouse): Promise<number | null> {
  const [row] = await warehouse.query<{ value: string }>(
    // The horizon only moves forward: the largest recorded, whatever the writers' clocks.
    "SELECT max(toInt64OrZero(value)) AS value FROM derive_state WHERE key = 'lifecycle_horizon_day' HAVING count() > 0",
  );
  return row === undefined || Number(row.value) === 0 ? null : Number(row.value);
}

/** Positions of the pending ranges, by source partition: which stored events are new to this run. */
function pendingIndex(pending: readonly PendingRange[]) {
  const bySourcePartition = new Map<string, { first: number; last: number }[]>();
  for (const range of pending) {
    const key = `${range.source_key}:${range.partition}`;
    const list = bySourcePartition.get(key) ?? [];
    list.push({ first: Number(range.first_position), last: Number(range.last_position) });
    bySourcePartition.set(key, list);
  }
  return (sourceKey: number, partition: number, position: number) =>
    (bySourcePartition.get(`${sourceKey}:${partition}`) ?? []).some(
      (range) => range.first <= position && position <= range.last,
    );
}

type EventRow = [string, string, string, string, number, string, string, string, number | null, number, number, number];

function toLifecycleEvent(row: EventRow): LifecycleEvent {
  const [communeCode, dossierId, eventId, eventType, occurredAtMs, provinceCode, procedureCode, channel, dueAtMs] = row;
  return {
    communeCode,
    dossierId,
    eventId,
    eventType,
    occurredAtMs: Number(occurredAtMs),
    provinceCode,
    procedureCode,
    channel,
    dueAtMs: dueAtMs === null ? null : Number(dueAtMs),
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function dossierRow(timeline: DossierTimeline, workingMillis: WorkingMillisBetween, version: number) {
  const onTime = resolvedOnTime(timeline);
  const lastDue = timeline.dueChanges[timeline.dueChanges.length - 1]?.dueAtMs ?? null;
  return {
    dossier_id: timeline.dossierId,
    commune_code: timeline.communeCode,
    province_code: timeline.provinceCode,
    procedure_code: timeline.procedureCode,
    channel: timeline.channel,
    received_at: iso(timeline.receivedAtMs),
    due_at: iso(lastDue),
    resolved_at: iso(timeline.resolvedAtMs),
    returned_at: iso(timeline.returnedAtMs),
    closed_at: iso(timeline.closedAtMs),
    last_event_type: timeline.lastEventType,
    last_event_at: iso(timeline.lastEventAtMs),
    is_open: isOpenAt(timeline, Number.MAX_SAFE_INTEGER) ? 1 : 0,
    on_time: onTime === null ? null : onTime ? 1 : 0,
    processing_hours: processingHours(timeline, workingMillis),
    event_count: timeline.eventCount,
    derived_version: version,
  };
}

export async function deriveLifecycle(warehouse: Warehouse, options: DeriveOptions): Promise<DeriveResult> {
  const dataQualityCompleted = await completeDataQuality(warehouse);
  const pending = await warehouse.query<PendingRange>(
    `SELECT source_key, partition, first_position, last_position, touched_communes, touched_from_ms, latest_occurred_ms
     FROM ingest_ledger
     WHERE (source_key, partition, first_position) NOT IN
           (SELECT source_key, partition, first_position FROM derived_chunks)`,
  );
  const previousHorizon = await readHorizon(warehouse);
  if (pending.length === 0) {
    return {
      communes: 0,
      dossiers: 0,
      horizonDay: previousHorizon === null ? null : formatDay(previousHorizon),
      dataQualityCompleted,
    };
  }
  const latestMs = pending.reduce((latest, range) => Math.max(latest, Number(range.latest_occurred_ms)), 0);
  const horizonDay = Math.max(
    previousHorizon ?? Number.NEGATIVE_INFINITY,
    latestMs > 0 ? vnDayNumber(latestMs) : Number.NEGATIVE_INFINITY,
  );
  if (!Number.isFinite(horizonDay)) {
    await markDerived(warehouse, pending);
    return { communes: 0, dossiers: 0, horizonDay: null, dataQualityCompleted };
  }
  const isPending = pendingIndex(pending);

  const fromDayByCommune = await firstDaysToRecompute(warehouse, pending, previousHorizon, horizonDay);

  const communes = [...fromDayByCommune.keys()].sort();
  const chunkSize = options.communesPerChunk ?? 16;
  // Versions from the warehouse's clock: one clock however many writers derive.
  const [clock] = await warehouse.query<{ version: number }>('SELECT toUnixTimestamp64Micro(now64(6)) AS version');
  const version = Number(clock?.version);
  let dossierCount = 0;
  for (let start = 0; start < communes.length; start += chunkSize) {
    const chunk = communes.slice(start, start + chunkSize);
    dossierCount += await deriveCommunes(warehouse, chunk, {
      fromDayByCommune,
      horizonDay,
      version,
      isPending,
      workingMillis: options.workingMillis,
    });
    options.onProgress?.(Math.min(start + chunkSize, communes.length), communes.length);
  }
  await warehouse.insert('derive_state', [
    { key: 'lifecycle_horizon_day', value: String(horizonDay), updated_at: new Date().toISOString() },
  ]);
  await markDerived(warehouse, pending);
  return { communes: communes.length, dossiers: dossierCount, horizonDay: formatDay(horizonDay), dataQualityCompleted };
}

/**
 * Per commune, the first day the pending ranges can change: the earliest day among their events; communes with
 * open dossiers carry their backlog into days the data newly reaches; no commune goes back further than
 * MAX_DERIVE_SPAN_DAYS before the horizon.
 */
async function firstDaysToRecompute(
  warehouse: Warehouse,
  pending: readonly PendingRange[],
  previousHorizon: number | null,
  horizonDay: number,
): Promise<Map<string, number>> {
  // Per commune, the first day the new events can change: the earliest day among them.
  const fromDayByCommune = new Map<string, number>();
  for (const range of pending) {
    range.touched_communes.forEach((commune, index) => {
      const day = vnDayNumber(Number(range.touched_from_ms[index]));
      fromDayByCommune.set(commune, Math.min(fromDayByCommune.get(commune) ?? day, day));
    });
  }
  if (previousHorizon !== null && horizonDay > previousHorizon) {
    // The data moved into new days: communes with open dossiers carry their backlog into those days.
    const withOpen = await warehouse.query<{ commune_code: string }>(
      'SELECT DISTINCT commune_code FROM dossiers_rows FINAL WHERE is_open = 1',
    );
    for (const { commune_code } of withOpen) {
      const from = Math.min(fromDayByCommune.get(commune_code) ?? Number.POSITIVE_INFINITY, previousHorizon + 1);
      fromDayByCommune.set(commune_code, from);
    }
  }
  for (const [commune, day] of fromDayByCommune) {
    fromDayByCommune.set(commune, Math.max(day, horizonDay - MAX_DERIVE_SPAN_DAYS));
  }
  return fromDayByCommune;
}

/** Recomputes these communes from their first day to the horizon; returns the dossiers rewritten. */
async function deriveCommunes(
  warehouse: Warehouse,
  chunk: readonly string[],
  range: {
    fromDayByCommune: ReadonlyMap<string, number>;
    horizonDay: number;
    version: number;
    isPending: ReturnType<typeof pendingIndex>;
    workingMillis: WorkingMillisBetween;
  },
): Promise<number> {
  const { fromDayByCommune, horizonDay, version, isPending } = range;
  const fromMs = chunk.map((code) => vnDayNumberStartMs(isoWeekStartDayNumber(fromDayByCommune.get(code) as number)));
  // Every dossier that can count on a day of the range: one with an event in it, or one still open.
  const result = await warehouse.client.query({
    query: `
      SELECT commune_code, dossier_id, event_id, event_type, toUnixTimestamp64Milli(occurred_at),
             province_code, procedure_code, channel, toUnixTimestamp64Milli(due_at),
             source_key, partition, position
      FROM dossier_events_store
      WHERE commune_code IN {communes:Array(String)}
        AND (commune_code, dossier_id) IN (
          SELECT commune_code, dossier_id FROM dossier_events_store
          WHERE commune_code IN {communes:Array(String)}
          GROUP BY commune_code, dossier_id
          HAVING toUnixTimestamp64Milli(max(occurred_at)) >= transform(commune_code, {communes:Array(String)}, {from:Array(Int64)}, 0)
              OR (countIf(event_type = 'received') > 0 AND countIf(event_type IN {closing:Array(String)}) = 0))
      ORDER BY commune_code, dossier_id`,
    format: 'JSONCompactEachRow',
    query_params: { communes: chunk, from: fromMs, closing: CLOSING_TYPES },
  });
  const rows = (await result.json()) as EventRow[];
  const timelinesByCommune = new Map<string, DossierTimeline[]>();
  const dossierRows: object[] = [];
  let index = 0;
  while (index < rows.length) {
    const first = rows[index] as EventRow;
    const events: LifecycleEvent[] = [];
    let touchedNow = false;
    while (
      index < rows.length &&
      (rows[index] as EventRow)[0] === first[0] &&
      (rows[index] as EventRow)[1] === first[1]
    ) {
      const row = rows[index] as EventRow;
      events.push(toLifecycleEvent(row));
      if (isPending(Number(row[9]), Number(row[10]), Number(row[11]))) touchedNow = true;
      index += 1;
    }
    const timeline = foldDossier(events);
    const list = timelinesByCommune.get(first[0]) ?? [];
    list.push(timeline);
    timelinesByCommune.set(first[0], list);
    if (touchedNow) dossierRows.push(dossierRow(timeline, range.workingMillis, version));
  }
  const daily: object[] = [];
  const weekly: object[] = [];
  const procedureWeekly: object[] = [];
  for (const [communeCode, timelines] of timelinesByCommune) {
    const measures = communeMeasures({
      communeCode,
      provinceCode: (timelines[0] as DossierTimeline).provinceCode,
      timelines,
      fromDay: fromDayByCommune.get(communeCode) as number,
      toDay: horizonDay,
      workingMillis: range.workingMillis,
    });
    for (const row of measures.daily) daily.push({ ...row, derived_version: version });
    for (const row of measures.weekly) weekly.push({ ...row, derived_version: version });
    for (const row of measures.procedureWeekly) procedureWeekly.push({ ...row, derived_version: version });
  }
  await warehouse.insert('dossiers_rows', dossierRows);
  await warehouse.insert('commune_daily_rows', daily);
  await warehouse.insert('commune_weekly_rows', weekly);
  await warehouse.insert('procedure_weekly_rows', procedureWeekly);
  return dossierRows.length;
}

async function markDerived(warehouse: Warehouse, pending: readonly PendingRange[]): Promise<void> {
  await warehouse.insert(
    'derived_chunks',
    pending.map((range) => ({
      source_key: range.source_key,
      partition: range.partition,
      first_position: range.first_position,
    })),
  );
}
