import type { Warehouse } from '@commune-pulse/warehouse';

/** A row of `commune_weekly` as the import summary shows it. */
export type WeeklyFigures = Record<string, unknown>;

/**
 * The weekly figures (`commune_weekly`) of the communes and weeks a source's events fall in: what an import
 * changed, at most 200 rows by week and commune.
 */
export function weeklyFiguresOfSource(warehouse: Warehouse, sourceKey: number): Promise<WeeklyFigures[]> {
  return warehouse.query<WeeklyFigures>(
    `SELECT toString(week_start) AS week, commune_code AS commune, received, received_online AS online,
            resolved, resolved_on_time AS on_time, returned, open_end, overdue_open AS overdue,
            round(on_time_rate, 3) AS on_time_rate, round(median_processing_hours, 1) AS median_hours
     FROM commune_weekly
     WHERE (commune_code, week_start) IN (
       SELECT DISTINCT commune_code, toMonday(toDate(occurred_at, 'Asia/Ho_Chi_Minh'))
       FROM dossier_events_store WHERE source_key = {source:UInt64})
     ORDER BY week, commune
     LIMIT 200`,
    { source: sourceKey },
  );
}
