/**
 * Lifecycle measures (indicators.md section 1): from the events of a dossier to its state over time, and from
 * dossiers to per-commune daily and weekly figures. Pure: every clock and calendar comes in as data, and the
 * result depends only on `occurred_at`, never on the order events arrived in.
 */
import { formatDay, isoWeekStartDayNumber, vnDayNumber, vnDayNumberStartMs } from '@commune-pulse/reference-data';

export interface LifecycleEvent {
  eventId: string;
  eventType: string;
  occurredAtMs: number;
  dossierId: string;
  communeCode: string;
  provinceCode: string;
  procedureCode: string;
  channel: string;
  dueAtMs: number | null;
}

/** Working time between two instants (working hours of the commune centers, holidays excluded). */
export type WorkingMillisBetween = (startMs: number, endMs: number) => number;

const LIFECYCLE_ORDER: Record<string, number> = {
  submitted: 0,
  received: 1,
  intake_refused: 2,
  processing: 3,
  supplement_requested: 4,
  supplement_received: 5,
  fee_requested: 6,
  deadline_extended: 7,
  withdrawn: 8,
  suspended: 9,
  resolved: 10,
  returned: 11,
};

const CLOSING_TYPES = new Set(['intake_refused', 'withdrawn', 'suspended', 'resolved', 'returned']);

export interface DueChange {
  atMs: number;
  dueAtMs: number;
}

export interface Pause {
  startMs: number;
  /** null while the citizen has not brought the documents yet */
  endMs: number | null;
}

export interface DossierTimeline {
  dossierId: string;
  communeCode: string;
  provinceCode: string;
  procedureCode: string;
  channel: string;
  receivedAtMs: number | null;
  resolvedAtMs: number | null;
  returnedAtMs: number | null;
  closedAtMs: number | null;
  /** the legal return date over time: set on `received`, moved by `deadline_extended`, in occurred order */
  dueChanges: DueChange[];
  pauses: Pause[];
  firstEventAtMs: number;
  lastEventAtMs: number;
  lastEventType: string;
  eventCount: number;
}

function compareEvents(a: LifecycleEvent, b: LifecycleEvent): number {
  return (
    a.occurredAtMs - b.occurredAtMs ||
    (LIFECYCLE_ORDER[a.eventType] ?? 99) - (LIFECYCLE_ORDER[b.eventType] ?? 99) ||
    (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0)
  );
}

/** Folds the events of one dossier (any arrival order, duplicates by event_id ignored) into its timeline. */
export function foldDossier(events: readonly LifecycleEvent[]): DossierTimeline {
  const ordered = [...new Map(events.map((e) => [e.eventId, e])).values()].sort(compareEvents);
  const first = ordered[0];
  const last = ordered[ordered.length - 1];
  if (!first || !last) throw new Error('foldDossier needs at least one event');
  const received = ordered.find((e) => e.eventType === 'received');
  // The received event says where and how the dossier was taken in; before it arrives the first event does.
  const identity = received ?? first;
  let resolvedAtMs: number | null = null;
  let returnedAtMs: number | null = null;
  let closedAtMs: number | null = null;
  const dueChanges: DueChange[] = [];
  const pauses: Pause[] = [];
  for (const event of ordered) {
    switch (event.eventType) {
      case 'received':
      case 'deadline_extended':
        if (event.dueAtMs !== null) dueChanges.push({ atMs: event.occurredAtMs, dueAtMs: event.dueAtMs });
        break;
      case 'supplement_requested': {
        const open = pauses[pauses.length - 1];
        if (!open || open.endMs !== null) pauses.push({ startMs: event.occurredAtMs, endMs: null });
        break;
      }
      case 'supplement_received': {
        const open = pauses[pauses.length - 1];
        if (open && open.endMs === null) open.endMs = event.occurredAtMs;
        break;
      }
      case 'resolved':
        resolvedAtMs ??= event.occurredAtMs;
        break;
      case 'returned':
        returnedAtMs ??= event.occurredAtMs;
        break;
    }
    if (CLOSING_TYPES.has(event.eventType)) closedAtMs ??= event.occurredAtMs;
  }
  return {
    dossierId: identity.dossierId,
    communeCode: identity.communeCode,
    provinceCode: identity.provinceCode,
    procedureCode: identity.procedureCode,
    channel: identity.channel,
    receivedAtMs: received?.occurredAtMs ?? null,
    resolvedAtMs,
    returnedAtMs,
    closedAtMs,
    dueChanges,
    pauses,
    firstEventAtMs: first.occurredAtMs,
    lastEventAtMs: last.occurredAtMs,
    lastEventType: last.eventType,
    eventCount: ordered.length,
  };
}

/** The legal return date as it stood at an instant (the latest change that had happened by then). */
export function dueAtAsOf(timeline: DossierTimeline, atMs: number): number | null {
  let due: number | null = null;
  for (const change of timeline.dueChanges) {
    if (change.atMs <= atMs) due = change.dueAtMs;
    else break;
  }
  return due;
}

/** Open at an instant: received before it and not closed (resolved, returned, refused, withdrawn, suspended). */
export function isOpenAt(timeline: DossierTimeline, atMs: number): boolean {
  return (
    timeline.receivedAtMs !== null &&
    timeline.receivedAtMs < atMs &&
    (timeline.closedAtMs === null || timeline.closedAtMs >= atMs)
  );
}

export function isPausedAt(timeline: DossierTimeline, atMs: number): boolean {
  return timeline.pauses.some((p) => p.startMs < atMs && (p.endMs === null || p.endMs >= atMs));
}

/** Overdue at an instant: open, past its return date, and not waiting for the citizen's documents. */
export function isOverdueAt(timeline: DossierTimeline, atMs: number): boolean {
  if (!isOpenAt(timeline, atMs) || isPausedAt(timeline, atMs)) return false;
  const due = dueAtAsOf(timeline, atMs);
  return due !== null && due < atMs;
}

/** Resolved by the return date in force when it was resolved (extensions included); null if not resolved. */
export function resolvedOnTime(timeline: DossierTimeline): boolean | null {
  if (timeline.resolvedAtMs === null) return null;
  const due = dueAtAsOf(timeline, timeline.resolvedAtMs);
  return due !== null && timeline.resolvedAtMs <= due;
}

/** Working hours from received to resolved, less the working time spent waiting for supplements. */
export function processingHours(timeline: DossierTimeline, workingMillis: WorkingMillisBetween): number | null {
  const start = timeline.receivedAtMs;
  const end = timeline.resolvedAtMs;
  if (start === null || end === null || end < start) return null;
  let millis = workingMillis(start, end);
  for (const pause of timeline.pauses) {
    const pauseStart = Math.max(pause.startMs, start);
    const pauseEnd = Math.min(pause.endMs ?? end, end);
    if (pauseEnd > pauseStart) millis -= workingMillis(pauseStart, pauseEnd);
  }
  return Math.max(0, millis) / 3_600_000;
}

export interface PeriodMeasures {
  received: number;
  received_online: number;
  received_counter: number;
  received_postal: number;
  resolved: number;
  resolved_on_time: number;
  returned: number;
  open_end: number;
  overdue_open: number;
}

export function emptyMeasures(): PeriodMeasures {
  return {
    received: 0,
    received_online: 0,
    received_counter: 0,
    received_postal: 0,
    resolved: 0,
    resolved_on_time: 0,
    returned: 0,
    open_end: 0,
    overdue_open: 0,
  };
}

export interface DailyRow extends PeriodMeasures {
  day: string;
  commune_code: string;
  province_code: string;
}

export interface WeeklyRow extends PeriodMeasures {
  week_start: string;
  commune_code: string;
  province_code: string;
  on_time_rate: number | null;
  online_share: number | null;
  median_processing_hours: number | null;
  p90_processing_hours: number | null;
}

export interface ProcedureWeeklyRow {
  week_start: string;
  commune_code: string;
  province_code: string;
  procedure_code: string;
  received: number;
  resolved: number;
  resolved_on_time: number;
}

/** Linear-interpolation quantile (type 7, as R and NumPy default); null for an empty sample. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export interface CommuneMeasuresInput {
  communeCode: string;
  provinceCode: string;
  /** every dossier of the commune with an event on or after the Monday of fromDay's week, and every open one */
  timelines: readonly DossierTimeline[];
  /** first and last Vietnam day numbers to compute (inclusive); fromDay is moved back to its Monday */
  fromDay: number;
  toDay: number;
  workingMillis: WorkingMillisBetween;
}

export interface CommuneMeasures {
  daily: DailyRow[];
  weekly: WeeklyRow[];
  procedureWeekly: ProcedureWeeklyRow[];
}

/**
 * Daily rows for every day from the Monday of fromDay's week to toDay, and weekly rows for those weeks. A
 * week still running at toDay reports its open dossiers at the end of toDay. The work is proportional to the
 * dossiers and the days each stays open, not to days × dossiers, so a national year stays cheap.
 */
export function communeMeasures(input: CommuneMeasuresInput): CommuneMeasures {
  const { communeCode, provinceCode, timelines, toDay } = input;
  const fromDay = isoWeekStartDayNumber(input.fromDay);
  const dayCount = Math.max(0, toDay - fromDay + 1);
  const days = Array.from({ length: dayCount }, emptyMeasures);
  const dayIndex = (ms: number | null): number => {
    if (ms === null) return -1;
    const index = vnDayNumber(ms) - fromDay;
    return index >= 0 && index < dayCount ? index : -1;
  };
  const procedures = new Map<string, ProcedureWeeklyRow[]>();
  const weekCount = Math.ceil(dayCount / 7);
  const procedureWeeks = (code: string): ProcedureWeeklyRow[] => {
    let rows = procedures.get(code);
    if (!rows) {
      rows = Array.from({ length: weekCount }, (_, week) => ({
        week_start: formatDay(fromDay + week * 7),
        commune_code: communeCode,
        province_code: provinceCode,
        procedure_code: code,
        received: 0,
        resolved: 0,
        resolved_on_time: 0,
      }));
      procedures.set(code, rows);
    }
    return rows;
  };
  const weekHours: number[][] = Array.from({ length: weekCount }, () => []);

  for (const timeline of timelines) {
    const byProcedure = procedureWeeks(timeline.procedureCode);
    const received = dayIndex(timeline.receivedAtMs);
    if (received >= 0) {
      const day = days[received] as PeriodMeasures;
      day.received += 1;
      if (timeline.channel === 'online') day.received_online += 1;
      else if (timeline.channel === 'counter') day.received_counter += 1;
      else if (timeline.channel === 'postal') day.received_postal += 1;
      (byProcedure[Math.floor(received / 7)] as ProcedureWeeklyRow).received += 1;
    }
    const resolved = dayIndex(timeline.resolvedAtMs);
    if (resolved >= 0) {
      const onTime = resolvedOnTime(timeline) === true;
      const day = days[resolved] as PeriodMeasures;
      const procedureWeek = byProcedure[Math.floor(resolved / 7)] as ProcedureWeeklyRow;
      day.resolved += 1;
      procedureWeek.resolved += 1;
      if (onTime) {
        day.resolved_on_time += 1;
        procedureWeek.resolved_on_time += 1;
      }
      const hours = processingHours(timeline, input.workingMillis);
      if (hours !== null) (weekHours[Math.floor(resolved / 7)] as number[]).push(hours);
    }
    const returned = dayIndex(timeline.returnedAtMs);
    if (returned >= 0) (days[returned] as PeriodMeasures).returned += 1;
    if (timeline.receivedAtMs !== null) {
      // open at the end of day d  <=>  received before the end of d and not closed before the end of d
      const firstOpen = Math.max(vnDayNumber(timeline.receivedAtMs), fromDay);
      const lastOpen = Math.min(timeline.closedAtMs === null ? toDay : vnDayNumber(timeline.closedAtMs) - 1, toDay);
      for (let d = firstOpen; d <= lastOpen; d++) {
        const day = days[d - fromDay] as PeriodMeasures;
        day.open_end += 1;
        if (isOverdueAt(timeline, vnDayNumberStartMs(d + 1))) day.overdue_open += 1;
      }
    }
  }

  const daily: DailyRow[] = days.map((measures, index) => ({
    day: formatDay(fromDay + index),
    commune_code: communeCode,
    province_code: provinceCode,
    ...measures,
  }));
  const weekly: WeeklyRow[] = [];
  for (let week = 0; week < weekCount; week++) {
    const weekDays = days.slice(week * 7, week * 7 + 7);
    const lastDay = weekDays[weekDays.length - 1] as PeriodMeasures;
    const measures = emptyMeasures();
    for (const day of weekDays) {
      measures.received += day.received;
      measures.received_online += day.received_online;
      measures.received_counter += day.received_counter;
      measures.received_postal += day.received_postal;
      measures.resolved += day.resolved;
      measures.resolved_on_time += day.resolved_on_time;
      measures.returned += day.returned;
    }
    measures.open_end = lastDay.open_end;
    measures.overdue_open = lastDay.overdue_open;
    const hours = (weekHours[week] as number[]).sort((a, b) => a - b);
    weekly.push({
      week_start: formatDay(fromDay + week * 7),
      commune_code: communeCode,
      province_code: provinceCode,
      ...measures,
      on_time_rate: measures.resolved > 0 ? measures.resolved_on_time / measures.resolved : null,
      online_share: measures.received > 0 ? measures.received_online / measures.received : null,
      median_processing_hours: quantile(hours, 0.5),
      p90_processing_hours: quantile(hours, 0.9),
    });
  }
  const procedureWeekly = [...procedures.keys()].sort().flatMap((code) => procedures.get(code) ?? []);
  return { daily, weekly, procedureWeekly };
}
