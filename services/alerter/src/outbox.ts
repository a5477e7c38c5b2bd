import type { Warehouse } from '@commune-pulse/warehouse';
import { iso, tokenOf } from './records.ts';
import type { Channel } from './routing.ts';

// The outbox (alert_outbox): the deliveries of transitions, their status, and the attempts to send them.

export type DeliveryStatus = 'pending' | 'sent' | 'silenced' | 'dropped';
const STATUS_RANK: Record<DeliveryStatus, number> = { pending: 0, sent: 2, silenced: 2, dropped: 2 };

export interface OutboxRow {
  delivery_id: string;
  transition_id: string;
  alert_id: string;
  rule: string;
  commune_code: string;
  channel: Channel;
  recipient: string;
  mode: 'immediate' | 'digest';
  due_at_ms: number;
  transition_at_ms: number;
  payload: string;
  status: DeliveryStatus;
  detail: string;
  created_at_ms: number;
}

function outboxRecord(row: OutboxRow, updatedAtMs: number) {
  return {
    delivery_id: row.delivery_id,
    transition_id: row.transition_id,
    alert_id: row.alert_id,
    rule: row.rule,
    commune_code: row.commune_code,
    channel: row.channel,
    recipient: row.recipient,
    mode: row.mode,
    due_at: iso(row.due_at_ms),
    transition_at: iso(row.transition_at_ms),
    payload: row.payload,
    status: row.status,
    status_rank: STATUS_RANK[row.status],
    detail: row.detail,
    created_at: iso(row.created_at_ms),
    updated_at: iso(updatedAtMs),
  };
}

/** New deliveries: a delivery already in the outbox keeps its status (a pending row never outranks it). */
export async function insertOutbox(warehouse: Warehouse, rows: readonly OutboxRow[], nowMs: number): Promise<void> {
  if (rows.length === 0) return;
  await warehouse.insert(
    'alert_outbox',
    rows.map((row) => outboxRecord(row, nowMs)),
    { dedupToken: tokenOf(['alert_outbox', ...rows.map((row) => row.delivery_id)]) },
  );
}

export async function setDeliveryStatus(
  warehouse: Warehouse,
  rows: readonly OutboxRow[],
  status: Exclude<DeliveryStatus, 'pending'>,
  detail: string,
  nowMs: number,
): Promise<void> {
  if (rows.length === 0) return;
  await warehouse.insert(
    'alert_outbox',
    rows.map((row) => outboxRecord({ ...row, status, detail }, nowMs)),
  );
}

const OUTBOX_COLUMNS = `delivery_id, transition_id, alert_id, rule, commune_code, channel, recipient, mode,
  toUnixTimestamp64Milli(due_at) AS due_at_ms, toUnixTimestamp64Milli(transition_at) AS transition_at_ms, payload,
  status, detail, toUnixTimestamp64Milli(created_at) AS created_at_ms`;

function toOutbox(row: OutboxRow): OutboxRow {
  return {
    ...row,
    due_at_ms: Number(row.due_at_ms),
    transition_at_ms: Number(row.transition_at_ms),
    created_at_ms: Number(row.created_at_ms),
  };
}

export async function dueDeliveries(warehouse: Warehouse, nowMs: number, limit = 500): Promise<OutboxRow[]> {
  const rows = await warehouse.query<OutboxRow>(
    `SELECT ${OUTBOX_COLUMNS} FROM alert_outbox FINAL
     WHERE status = 'pending' AND due_at <= fromUnixTimestamp64Milli({now:Int64})
     ORDER BY due_at, delivery_id LIMIT {limit:UInt32}`,
    { now: nowMs, limit },
  );
  return rows.map(toOutbox);
}

export async function loadDelivery(warehouse: Warehouse, id: string): Promise<OutboxRow | null> {
  const rows = await warehouse.query<OutboxRow>(
    `SELECT ${OUTBOX_COLUMNS} FROM alert_outbox FINAL WHERE delivery_id = {id:String}`,
    { id },
  );
  return rows[0] ? toOutbox(rows[0]) : null;
}

export async function recordAttempts(
  warehouse: Warehouse,
  attempts: readonly { delivery_id: string; ok: boolean; error: string; duration_ms: number }[],
  nowMs: number,
): Promise<void> {
  if (attempts.length === 0) return;
  await warehouse.insert(
    'alert_delivery_attempts',
    attempts.map((attempt) => ({
      delivery_id: attempt.delivery_id,
      attempted_at: iso(nowMs),
      ok: attempt.ok ? 1 : 0,
      error: attempt.error.slice(0, 1_000),
      duration_ms: Math.max(0, Math.round(attempt.duration_ms)),
    })),
  );
}

export async function failedAttempts(
  warehouse: Warehouse,
  ids: readonly string[],
): Promise<Map<string, { attempts: number; last_ms: number }>> {
  if (ids.length === 0) return new Map();
  const rows = await warehouse.query<{ delivery_id: string; attempts: number; last_ms: number }>(
    `SELECT delivery_id, countIf(ok = 0) AS attempts, toUnixTimestamp64Milli(max(attempted_at)) AS last_ms
     FROM alert_delivery_attempts WHERE delivery_id IN {ids:Array(String)} GROUP BY delivery_id`,
    { ids: [...ids] },
  );
  return new Map(
    rows.map((row) => [row.delivery_id, { attempts: Number(row.attempts), last_ms: Number(row.last_ms) }]),
  );
}
