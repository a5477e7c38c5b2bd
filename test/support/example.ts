import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SHARED_DIR = join(import.meta.dirname, '..', '..', '..', 'shared');
export const SMALL_EVENTS = join(SHARED_DIR, 'examples', 'small', 'events.ndjson');

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
  return JSON.parse(readFileSync(join(SHARED_DIR, 'examples', 'small', 'truth.json'), 'utf8')) as Truth;
}

export function smallLines(): string[] {
  return readFileSync(SMALL_EVENTS, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}
