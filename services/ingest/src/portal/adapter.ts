import type { Source } from '@commune-pulse/contracts';
import type { UnitDirectory } from '@commune-pulse/portal';
import type { Warehouse } from '@commune-pulse/warehouse';
import type { IngestPipeline } from '../pipeline.ts';
import { mapPortalBatch, type UnmappedUnit } from './batch-mapping.ts';
import { PortalDossierStates } from './dossier-states.ts';
import type { PortalElement } from './element.ts';
import type { PortalOutcome } from './outcome.ts';

export { MAX_PORTAL_ELEMENT_BYTES, PORTAL_BLOCKS, type PortalElement, tooLargeElement } from './element.ts';
export { addPortalOutcome, emptyPortalOutcome, type PortalOutcome } from './outcome.ts';

/**
 * The one door from the portal's sync records into the ingest pipeline. Each element (a record of an export, a
 * journal line, a Kafka message) is read and sanitized, given its commune, mapped against its dossier's previous
 * state, and handed to `pipeline.storeChunk` as ordinary messages: the derived events as dossier-event/1 JSON,
 * the mapping rejects as pre-decided rejects whose value is the sanitized record (what the DLQ keeps). The
 * pipeline validates, stores exactly once (its ledger and event_id claims) and dead-letters as for any other
 * source; only afterwards does the dossiers' state move, so a chunk retried after a failure maps the same way.
 */

export interface PortalAdapterOptions {
  pipeline: IngestPipeline;
  warehouse: Warehouse;
  /** the unit mapping in force (a long-running door reloads it when a newer one is imported) */
  units: () => UnitDirectory | Promise<UnitDirectory>;
  /** `--commune`: every dossier record of the source is of this commune */
  communeOverride?: string | undefined;
  /** the province's key for officer references of bare records (records from the receiver are hashed already) */
  officerKey?: string | undefined;
  sourceSystem?: string;
}

/** The units a dossier record named that the mapping in force does not know, recorded once each. */
async function recordUnmapped(warehouse: Warehouse, rows: readonly UnmappedUnit[]): Promise<void> {
  if (rows.length === 0) return;
  const seen = await warehouse.query<{ key: string }>(
    `SELECT concat(province_code, '\\n', unit_code, '\\n', dossier_id) AS key FROM portal_unmapped_unit_rows
     WHERE dossier_id IN {ids:Array(String)}`,
    { ids: [...new Set(rows.map((row) => row.dossier_id))] },
  );
  const known = new Set(seen.map((row) => row.key));
  const now = new Date().toISOString();
  const fresh = new Map<string, object>();
  for (const row of rows) {
    const key = `${row.province_code}\n${row.unit_code}\n${row.dossier_id}`;
    if (!known.has(key)) fresh.set(key, { ...row, first_seen_at: now });
  }
  if (fresh.size > 0) await warehouse.insert('portal_unmapped_unit_rows', [...fresh.values()]);
}

export function createPortalAdapter(options: PortalAdapterOptions) {
  const { warehouse, pipeline } = options;
  const sourceSystem = options.sourceSystem ?? 'portal-sync';
  const states = new PortalDossierStates(warehouse);
  // Loading and mapping run one batch at a time (each batch sees the states the previous one left); storing
  // overlaps with the next batch's mapping.
  let mapping: Promise<unknown> = Promise.resolve();

  async function mapBatch(elements: readonly PortalElement[]) {
    const setting = {
      units: await options.units(),
      communeOverride: options.communeOverride,
      officerKey: options.officerKey,
      sourceSystem,
    };
    return mapPortalBatch(setting, states, elements);
  }

  /**
   * Maps and stores one chunk of a source partition's elements, ascending. The dossiers' states are written
   * after the chunk is stored, and a Kafka offset is committed only after both (by the consumer): a chunk read
   * again after a crash finds its positions in the ledger and maps against the states it was first mapped with.
   */
  async function storeElements(
    source: Source,
    partition: number,
    elements: readonly PortalElement[],
  ): Promise<PortalOutcome> {
    const mapped = mapping.then(() => mapBatch(elements));
    mapping = mapped.catch(() => {});
    const batch = await mapped;
    let failed = true;
    try {
      const stored = await pipeline.storeChunk({ source, partition, messages: batch.messages });
      await states.store(batch.states);
      await recordUnmapped(warehouse, batch.unmapped);
      failed = false;
      return { ...batch.outcome, ...stored, records: batch.outcome.records };
    } finally {
      states.release(batch.touched, failed);
    }
  }

  return { storeElements };
}

export type PortalAdapter = ReturnType<typeof createPortalAdapter>;
