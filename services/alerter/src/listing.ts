import type { Warehouse } from '@commune-pulse/warehouse';
import type { AlertState } from './core.ts';

// The alerts as an operator lists them, and an alert found by the prefix of its id.

export interface AlertListing {
  alert_id: string;
  rule: string;
  level: string;
  commune_code: string;
  province_code: string;
  episode: number;
  episode_start: string;
  state: AlertState;
  pending_at: string | null;
  fired_at: string | null;
  resolved_at: string | null;
  value: number | null;
  threshold: number | null;
  resolved_value: number | null;
  last_period_kind: string;
  last_period_start: string;
  acked_at: string | null;
  acked_by: string | null;
  ack_note: string | null;
}

export async function listAlerts(
  warehouse: Warehouse,
  filter: { states?: readonly AlertState[]; province?: string; commune?: string; rule?: string; limit?: number },
): Promise<AlertListing[]> {
  const where: string[] = [];
  if (filter.states) where.push('state IN {states:Array(String)}');
  if (filter.province) where.push('province_code = {province:String}');
  if (filter.commune) where.push('commune_code = {commune:String}');
  if (filter.rule) where.push('rule = {rule:String}');
  const rows = await warehouse.query<AlertListing>(
    `SELECT alert_id, rule, level, commune_code, province_code, episode, toString(episode_start) AS episode_start,
            state, pending_at, fired_at, resolved_at, value, threshold, resolved_value, last_period_kind,
            toString(last_period_start) AS last_period_start, acked_at, acked_by, ack_note
     FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY coalesce(fired_at, pending_at) DESC, alert_id
     LIMIT {limit:UInt32}`,
    {
      states: filter.states ? [...filter.states] : [],
      province: filter.province ?? '',
      commune: filter.commune ?? '',
      rule: filter.rule ?? '',
      limit: filter.limit ?? 1_000,
    },
  );
  return rows.map((row) => ({ ...row, episode: Number(row.episode) }));
}

/** The alerts whose id starts with a prefix (ids are shown in full; 6+ characters are enough to name one). */
export async function findAlertIds(warehouse: Warehouse, prefix: string): Promise<string[]> {
  const rows = await warehouse.query<{ alert_id: string }>(
    'SELECT DISTINCT alert_id FROM alert_transitions WHERE startsWith(alert_id, {prefix:String}) LIMIT 5',
    { prefix },
  );
  return rows.map((row) => row.alert_id);
}
