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

/**
 * Keeps the lifecycle tables (dossiers, commune_daily, commune_weekly, procedure_weekly) in step with the
 * events. Each run recomputes, from all their events, the dossiers and the commune-days that events ingested
 * since the previous run can change, and writes them with a higher version: recomputing instead of adding up
 * is what makes redeliveries, disorder and late events land on the same figures as a clean ordered stream.
 */

export interface DeriveOptions {
  workingMillis: WorkingMillisBetween;
  /** communes loaded into memory at once */
  communesPerChunk?: number;
  onProgress?: (done: number, total: number) => void;
  now?: () => number;
}

export interface DeriveResult {
  communes: number;
  dossiers: number;
  horizonDay: string | null;
}

/**
 * Events become visible to a reader in insert order only roughly (two consumers, a retried insert): a run
 * re-reads this much before its watermark. Re-reading is harmless, missing an event is not.
 */
const WATERMARK_OVERLAP_MS = 30_000;
const CLOSING_TYPES = ['intake_refused', 'withdrawn', 'suspended', 'resolved', 'returned'];

interface DeriveState {
  watermarkMs: number | null;
  horizonDay: number | null;
}

async function readState(warehouse: Warehouse): Promise<DeriveState> {
  const rows = await warehouse.query<{ key: string; value: string }>('SELECT key, value FROM derive_state FINAL');
  const value = (key: string) => rows.find((row) => row.key === key)?.value;
  const watermark = value('lifecycle_watermark_ms');
  const horizon = value('lifecycle_horizon_day');
  return {
    watermarkMs: watermark === undefined ? null : Number(watermark),
    horizonDay: horizon === undefined ? null : Number(horizon),
  };
}

async function writeState(warehouse: Warehouse, state: DeriveState, nowMs: number): Promise<void> {
  const updatedAt = new Date(nowMs).toISOString();
  await warehouse.insert('derive_state', [
    { key: 'lifecycle_watermark_ms', value: String(state.watermarkMs ?? 0), updated_at: updatedAt },
    { key: 'lifecycle_horizon_day', value: String(state.horizonDay ?? 0), updated_at: updatedAt },
  ]);
}

type EventRow = [string, string, string, string, number, string, string, string, number | null, number];

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
  const now = options.now ?? Date.now;
  const state = await readState(warehouse);
  const [bounds] = await warehouse.query<{ ingested_ms: number | null; occurred_ms: number | null }>(
    `SELECT toUnixTimestamp64Milli(max(ingested_at)) AS ingested_ms,
            toUnixTimestamp64Milli(max(occurred_at)) AS occurred_ms
     FROM dossier_events_rows`,
  );
  const upToMs = bounds?.ingested_ms === null || bounds?.ingested_ms === undefined ? null : Number(bounds.ingested_ms);
  if (upToMs === null || bounds?.occurred_ms === null || bounds?.occurred_ms === undefined) {
    return { communes: 0, dossiers: 0, horizonDay: null };
  }
  const horizonDay = vnDayNumber(Number(bounds.occurred_ms));
  const scanFromMs = state.watermarkMs === null ? 0 : state.watermarkMs - WATERMARK_OVERLAP_MS;

  // Per commune, the first day the new events can change: the earliest day among them.
  const fromDayByCommune = new Map<string, number>();
  const touched = await warehouse.query<{ commune_code: string; from_ms: number }>(
    `SELECT commune_code, toUnixTimestamp64Milli(min(occurred_at)) AS from_ms
     FROM dossier_events_rows WHERE ingested_at >= fromUnixTimestamp64Milli({from:Int64})
     GROUP BY commune_code`,
    { from: scanFromMs },
  );
  for (const row of touched) fromDayByCommune.set(row.commune_code, vnDayNumber(Number(row.from_ms)));
  if (state.horizonDay !== null && horizonDay > state.horizonDay) {
    // The data moved into new days: communes with open dossiers carry their backlog into those days.
    const withOpen = await warehouse.query<{ commune_code: string }>(
      'SELECT DISTINCT commune_code FROM dossiers_rows FINAL WHERE is_open = 1',
    );
    for (const { commune_code } of withOpen) {
      const from = Math.min(fromDayByCommune.get(commune_code) ?? Number.POSITIVE_INFINITY, state.horizonDay + 1);
      fromDayByCommune.set(commune_code, from);
    }
  }

  const communes = [...fromDayByCommune.keys()].sort();
  const chunkSize = options.communesPerChunk ?? 16;
  const version = now() * 1000;
  let dossierCount = 0;
  for (let start = 0; start < communes.length; start += chunkSize) {
    const chunk = communes.slice(start, start + chunkSize);
    const fromMs = chunk.map((code) => vnDayNumberStartMs(isoWeekStartDayNumber(fromDayByCommune.get(code) as number)));
    // Every dossier that can count on a day of the range: one with an event in it, or one still open.
    const result = await warehouse.client.query({
      query: `
        SELECT commune_code, dossier_id, event_id, event_type, toUnixTimestamp64Milli(occurred_at),
               province_code, procedure_code, channel, toUnixTimestamp64Milli(due_at),
               toUnixTimestamp64Milli(ingested_at)
        FROM dossier_events_rows
        WHERE commune_code IN {communes:Array(String)}
          AND (commune_code, dossier_id) IN (
            SELECT commune_code, dossier_id FROM dossier_events_rows
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
        if (Number(row[9]) >= scanFromMs) touchedNow = true;
        index += 1;
      }
      const timeline = foldDossier(events);
      const list = timelinesByCommune.get(first[0]) ?? [];
      list.push(timeline);
      timelinesByCommune.set(first[0], list);
      if (touchedNow) dossierRows.push(dossierRow(timeline, options.workingMillis, version));
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
        workingMillis: options.workingMillis,
      });
      for (const row of measures.daily) daily.push({ ...row, derived_version: version });
      for (const row of measures.weekly) weekly.push({ ...row, derived_version: version });
      for (const row of measures.procedureWeekly) procedureWeekly.push({ ...row, derived_version: version });
    }
    await warehouse.insert('dossiers_rows', dossierRows);
    await warehouse.insert('commune_daily_rows', daily);
    await warehouse.insert('commune_weekly_rows', weekly);
    await warehouse.insert('procedure_weekly_rows', procedureWeekly);
    dossierCount += dossierRows.length;
    options.onProgress?.(Math.min(start + chunkSize, communes.length), communes.length);
  }
  await writeState(warehouse, { watermarkMs: upToMs, horizonDay }, now());
  return { communes: communes.length, dossiers: dossierCount, horizonDay: formatDay(horizonDay) };
}
