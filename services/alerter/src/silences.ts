import { randomUUID } from 'node:crypto';
import type { Warehouse } from '@commune-pulse/warehouse';
import type { OutboxRow } from './outbox.ts';
import { iso } from './records.ts';

// Silences and acknowledgements.

export interface Silence {
  silence_id: string;
  commune_code: string;
  /** '' for every rule */
  rule: string;
  until_ms: number;
  reason: string;
  created_by: string;
  created_at_ms: number;
}

export async function addSilence(
  warehouse: Warehouse,
  silence: Omit<Silence, 'silence_id' | 'created_at_ms'>,
  nowMs: number,
): Promise<Silence> {
  const stored: Silence = { ...silence, silence_id: randomUUID(), created_at_ms: nowMs };
  await warehouse.insert('alert_silences', [
    {
      silence_id: stored.silence_id,
      commune_code: stored.commune_code,
      rule: stored.rule,
      until: iso(stored.until_ms),
      reason: stored.reason,
      created_by: stored.created_by,
      created_at: iso(stored.created_at_ms),
    },
  ]);
  return stored;
}

/** Silences that end after an instant (the candidates for deliveries of changes since then). */
export async function silencesEndingAfter(warehouse: Warehouse, afterMs: number): Promise<Silence[]> {
  const rows = await warehouse.query<Silence>(
    `SELECT silence_id, commune_code, rule, toUnixTimestamp64Milli(until) AS until_ms, reason, created_by,
            toUnixTimestamp64Milli(created_at) AS created_at_ms
     FROM alert_silences FINAL WHERE until > fromUnixTimestamp64Milli({after:Int64}) ORDER BY created_at`,
    { after: afterMs },
  );
  return rows.map((row) => ({ ...row, until_ms: Number(row.until_ms), created_at_ms: Number(row.created_at_ms) }));
}

/**
 * Whether a silence holds back a delivery: same commune, its rule or all rules, and the silence was in
 * force at some time between the change and now (created before now, ending after the change).
 */
export function silenceFor(
  silences: readonly Silence[],
  delivery: Pick<OutboxRow, 'commune_code' | 'rule' | 'transition_at_ms'>,
  nowMs: number,
): Silence | undefined {
  return silences.find(
    (silence) =>
      silence.commune_code === delivery.commune_code &&
      (silence.rule === '' || silence.rule === delivery.rule) &&
      silence.created_at_ms <= nowMs &&
      silence.until_ms > delivery.transition_at_ms,
  );
}

export async function acknowledge(
  warehouse: Warehouse,
  alert: string,
  by: string,
  note: string,
  nowMs: number,
): Promise<void> {
  await warehouse.insert('alert_acks', [{ alert_id: alert, acked_at: iso(nowMs), acked_by: by, note }]);
}
