import type { Warehouse } from '@commune-pulse/warehouse';

/**
 * data_quality has one row per ledger chunk (migration 0009). A materialized view writes it with the ledger's
 * insert; a process killed between the two leaves the chunk out, and no restart inserts that ledger row again.
 * This completes it from the ledger: the chunks without a row get theirs, with the view's figures. A chunk
 * written by both collapses (ReplacingMergeTree, read with FINAL). Returns the chunks completed. The columns are
 * the view's (`ingest_ledger_to_data_quality_chunks`, migration 0009): a change to one is a change to both.
 */
export async function completeDataQuality(warehouse: Warehouse): Promise<number> {
  const missing = await warehouse.query<Record<string, unknown>>(
    `SELECT toDate(recorded_at, 'Asia/Ho_Chi_Minh') AS day, source_key, partition, first_position,
            deliveries, accepted AS events_accepted, duplicates, rejected, rejected_by_reason,
            unknown_procedure AS unknown_procedure_events, late AS late_events
     FROM ingest_ledger
     WHERE (day, source_key, partition, first_position) NOT IN
           (SELECT day, source_key, partition, first_position FROM data_quality_chunks
            WHERE day >= (SELECT toDate(min(recorded_at), 'Asia/Ho_Chi_Minh') FROM ingest_ledger))`,
  );
  await warehouse.insert('data_quality_chunks', missing);
  return missing.length;
}
