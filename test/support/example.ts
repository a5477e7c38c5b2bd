import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The small example stream and its truth, kept in the repository (test/fixtures/small/README.md). */
export const SMALL_DIR = join(import.meta.dirname, '..', 'fixtures', 'small');
export const SMALL_EVENTS = join(SMALL_DIR, 'events.ndjson');
export const SMALL_TRUTH = join(SMALL_DIR, 'truth.json');

export interface MeasuresRow {
  commune_code: string;
  received: number;
  received_online: number;
  received_counter: number;
  received_postal: number;
  resolved: number;
  resolved_on_time: number;
  returned: number;
}

export interface Truth {
  window: { start: string; days: number };
  communes: string[];
  lines: number;
  accepted_events: number;
  invalid_lines: number;
  duplicate_lines: number;
  daily: (MeasuresRow & { day: string })[];
  weekly: (MeasuresRow & { week_start: string })[];
  open_end: Record<string, number>;
  overdue_open_end: Record<string, number>;
  pii_strings: string[];
}

export function smallTruth(): Truth {
  return JSON.parse(readFileSync(SMALL_TRUTH, 'utf8')) as Truth;
}

export function smallLines(): string[] {
  return readFileSync(SMALL_EVENTS, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/**
 * The small example repeated `copies` times as distinct events (ids suffixed per copy), invalid lines kept
 * invalid: a bigger stream whose truth is the small truth times `copies`.
 */
export function scaledLines(copies: number): string[] {
  const lines = smallLines();
  const out: string[] = [];
  for (let copy = 0; copy < copies; copy++) {
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        out.push(line);
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        out.push(line);
        continue;
      }
      const event = { ...(value as Record<string, unknown>) };
      for (const field of ['event_id', 'dossier_id']) {
        const text = event[field];
        if (typeof text === 'string' && text !== '') event[field] = `${text}.c${copy}`;
      }
      out.push(JSON.stringify(event));
    }
  }
  return out;
}

export function scaledTruth(copies: number): Truth {
  const truth = smallTruth();
  const scale = <T extends MeasuresRow>(row: T): T => {
    const scaled: Record<string, unknown> = { ...(row as object) };
    for (const [key, value] of Object.entries(row)) if (typeof value === 'number') scaled[key] = value * copies;
    return scaled as unknown as T;
  };
  const scaleMap = (map: Record<string, number>) =>
    Object.fromEntries(Object.entries(map).map(([key, value]) => [key, value * copies]));
  return {
    ...truth,
    lines: truth.lines * copies,
    accepted_events: truth.accepted_events * copies,
    invalid_lines: truth.invalid_lines * copies,
    duplicate_lines: truth.duplicate_lines * copies,
    daily: truth.daily.map(scale),
    weekly: truth.weekly.map(scale),
    open_end: scaleMap(truth.open_end),
    overdue_open_end: scaleMap(truth.overdue_open_end),
  };
}

/**
 * The small example moved by whole weeks so that its week (2026-W47) becomes the ISO week before `nowMs`:
 * what a scheduler computing "the week that ended" finds. Weekdays and Vietnam times of day are kept.
 */
export function smallLinesInPreviousWeek(nowMs: number): { lines: string[]; weekStart: string } {
  const day = 86_400_000;
  const vnDays = Math.floor((nowMs + 7 * 3_600_000) / day);
  const monday = vnDays - ((vnDays + 3) % 7);
  const previousMonday = monday - 7;
  const exampleMonday = Date.parse('2026-11-16T00:00:00Z') / day;
  const shiftMs = (previousMonday - exampleMonday) * day;
  const shift = (text: unknown) => {
    if (typeof text !== 'string') return text;
    const ms = Date.parse(text);
    if (!Number.isFinite(ms) || !/[Zz]|[+-]\d{2}:\d{2}$/.test(text)) return text;
    return new Date(ms + shiftMs).toISOString();
  };
  const lines = smallLines().map((line) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return line;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return line;
    const event = { ...(value as Record<string, unknown>) };
    // the far-future reject stays far in the future
    if (typeof event.occurred_at === 'string' && event.occurred_at.startsWith('2031')) return line;
    event.occurred_at = shift(event.occurred_at);
    if ('due_at' in event) event.due_at = shift(event.due_at);
    return JSON.stringify(event);
  });
  return { lines, weekStart: new Date(previousMonday * day).toISOString().slice(0, 10) };
}
