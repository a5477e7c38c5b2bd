// Helpers for this package's tests: run a simulation to completion and read its lines back.
import { type SimulationOptions, type SimulationSummary, simulateEvents } from './generate.ts';

export type WireEvent = {
  schema: string;
  event_id: string;
  event_type: string;
  occurred_at: string;
  dossier_id: string;
  commune_code: string;
  procedure_code: string;
  channel: string;
  due_at?: string;
  officer_ref?: string;
  source_system?: string;
  status_code?: number;
};

export function runSimulation(options: SimulationOptions): { lines: string[]; summary: SimulationSummary } {
  const lines: string[] = [];
  const stream = simulateEvents(options);
  let result = stream.next();
  while (result.done !== true) {
    lines.push(result.value);
    result = stream.next();
  }
  return { lines, summary: result.value };
}

export function parseLines(lines: readonly string[]): WireEvent[] {
  return lines.map((line) => JSON.parse(line) as WireEvent);
}

export type Timeline = {
  communeCode: string;
  channel: string;
  procedureCode: string;
  submittedMs?: number;
  receivedMs?: number;
  receivedDueMs?: number;
  /** The latest due date: the received one, or the last extension's. */
  dueMs?: number;
  resolvedMs?: number;
  returnedMs?: number;
  types: string[];
  times: number[];
};

/** Each dossier's events in stream order (the clean stream is in occurred order). */
export function timelines(events: readonly WireEvent[]): Map<string, Timeline> {
  const byDossier = new Map<string, Timeline>();
  for (const event of events) {
    let timeline = byDossier.get(event.dossier_id);
    if (timeline === undefined) {
      timeline = {
        communeCode: event.commune_code,
        channel: event.channel,
        procedureCode: event.procedure_code,
        types: [],
        times: [],
      };
      byDossier.set(event.dossier_id, timeline);
    }
    const ms = Date.parse(event.occurred_at);
    timeline.types.push(event.event_type);
    timeline.times.push(ms);
    if (event.event_type === 'submitted') timeline.submittedMs = ms;
    if (event.event_type === 'received') {
      timeline.receivedMs = ms;
      timeline.receivedDueMs = Date.parse(event.due_at as string);
      timeline.dueMs = timeline.receivedDueMs;
    }
    if (event.event_type === 'deadline_extended') timeline.dueMs = Date.parse(event.due_at as string);
    if (event.event_type === 'resolved') timeline.resolvedMs = ms;
    if (event.event_type === 'returned') timeline.returnedMs = ms;
  }
  return byDossier;
}

/** Local (Vietnam) hour-of-day offset of an instant in milliseconds since midnight. */
export function localOffsetMs(epochMs: number): number {
  const local = epochMs + 7 * 3_600_000;
  return local - Math.floor(local / 86_400_000) * 86_400_000;
}

export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))] as number;
}
