import type { Reject } from '@commune-pulse/contracts';
import {
  mapDossierRecord,
  mapHistoryRecord,
  PORTAL_NOTE_KINDS,
  type PortalDossierState,
  type PortalEnvelope,
  type PortalMapping,
  type PortalNoteKind,
  portalInputOf,
  readPortalRecord,
  type UnitDirectory,
  type UnitLookup,
} from '@commune-pulse/portal';
import { provinceOfCommune } from '@commune-pulse/reference-data';
import type { Warehouse } from '@commune-pulse/warehouse';
import { addOutcome, type BatchOutcome, emptyOutcome, type IngestPipeline, type SourceMessage } from '../pipeline.ts';

/**
 * The one door from the portal's sync records into the ingest pipeline. Each element (a record of an export, a
 * journal line, a Kafka message) is read and sanitized, given its commune, mapped against its dossier's previous
 * state, and handed to `pipeline.storeBatch` as ordinary messages: the derived events as dossier-event/1 JSON,
 * the mapping rejects as pre-decided rejects whose value is the sanitized record (what the DLQ keeps). The
 * pipeline validates, stores exactly once and dead-letters as for any other source; only afterwards does the
 * dossiers' state move, so a batch retried after a failure maps the same way again.
 */

/** An element larger than this is not a sync record (a record with attachments inlined, a runaway line). */
export const MAX_PORTAL_ELEMENT_BYTES = 1024 * 1024;

/** The element of a source too large to be a record: rejected without reading it. */
export function tooLargeElement(source: string, position: number, observedAtMs?: number | null): PortalItem {
  return {
    source,
    position,
    text: '',
    reject: { reason: 'too_large', detail: `the element is larger than ${MAX_PORTAL_ELEMENT_BYTES} bytes` },
    observedAtMs,
  };
}

/** Every element of a source owns this many positions: its events, then its reject in the last one. */
export const POSITIONS_PER_RECORD = 64;
const REJECT_SLOT = POSITIONS_PER_RECORD - 1;

export interface PortalItem {
  /** the pipeline source (a file by content hash, a Kafka partition, a journal segment) */
  source: string;
  /** the element's ordinal in its source (line, array index, Kafka offset) */
  position: number;
  /** the element's JSON: a record, an envelope or a dead letter (parsed here, so that the raw record with its
   * personal fields is garbage as soon as it is sanitized) */
  text: string;
  /** found before parsing (too large, a tombstone): the element's bytes are not kept, they may be personal */
  reject?: Reject;
  /** the Kafka message's timestamp, dating a bare record that came without an envelope */
  observedAtMs?: number | null;
}

export interface PortalOutcome extends BatchOutcome {
  records: number;
  /** events derived from the records, repeats included */
  derived: number;
  /** derived events already stored (records are sent again on each change): not sent to the pipeline */
  repeated: number;
  notes: Record<PortalNoteKind, number>;
  unmapped: number;
}

export function emptyPortalOutcome(): PortalOutcome {
  return {
    ...emptyOutcome(),
    records: 0,
    derived: 0,
    repeated: 0,
    notes: Object.fromEntries(PORTAL_NOTE_KINDS.map((kind) => [kind, 0])) as Record<PortalNoteKind, number>,
    unmapped: 0,
  };
}

export function addPortalOutcome(total: PortalOutcome, batch: PortalOutcome): PortalOutcome {
  const notes = { ...total.notes };
  for (const kind of PORTAL_NOTE_KINDS) notes[kind] += batch.notes[kind];
  return {
    ...addOutcome(total, batch),
    records: total.records + batch.records,
    derived: total.derived + batch.derived,
    repeated: total.repeated + batch.repeated,
    notes,
    unmapped: total.unmapped + batch.unmapped,
  };
}

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

/** A dossier as the adapter holds it while batches that touch it are in flight. */
interface DossierEntry {
  state: PortalDossierState | undefined;
  /** the state as last stored, to write only what changed */
  storedState: PortalDossierState | undefined;
  /** ids of the events stored or in flight: a repeated derivation is not sent again */
  eventIds: Set<string>;
  /** batches that touched it and are not finished */
  inFlight: number;
}

interface StateRow {
  dossier_id: string;
  commune_code: string;
  province_code: string;
  procedure_code: string;
  channel: string;
  status_code: number;
  ended: number;
  received_due_ms: number | null;
  known_due_ms: number[];
  seen_ms: number;
  notes: string[];
}

function stateOf(row: StateRow): PortalDossierState {
  return {
    dossierId: row.dossier_id,
    communeCode: row.commune_code,
    provinceCode: row.province_code,
    procedureCode: row.procedure_code,
    channel: row.channel as PortalDossierState['channel'],
    statusCode: Number(row.status_code),
    ended: Number(row.ended) === 1,
    receivedDueAtMs: row.received_due_ms === null ? null : Number(row.received_due_ms),
    knownDueAtMs: row.known_due_ms.map(Number),
    seenAtMs: Number(row.seen_ms),
    notes: row.notes as PortalNoteKind[],
  };
}

/** A row of portal_dossiers_rows; times as epoch milliseconds, as DateTime64(3) reads them. */
function rowOf(state: PortalDossierState) {
  return {
    dossier_id: state.dossierId,
    commune_code: state.communeCode,
    province_code: state.provinceCode,
    procedure_code: state.procedureCode,
    channel: state.channel,
    status_code: state.statusCode,
    ended: state.ended ? 1 : 0,
    received_due_at: state.receivedDueAtMs,
    known_due_at: state.knownDueAtMs,
    notes: state.notes,
    seen_at: state.seenAtMs,
  };
}

function sameState(a: PortalDossierState | undefined, b: PortalDossierState | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return (
    a.seenAtMs === b.seenAtMs &&
    a.statusCode === b.statusCode &&
    a.ended === b.ended &&
    a.communeCode === b.communeCode &&
    a.procedureCode === b.procedureCode &&
    a.channel === b.channel &&
    a.receivedDueAtMs === b.receivedDueAtMs &&
    a.knownDueAtMs.join() === b.knownDueAtMs.join() &&
    a.notes.join() === b.notes.join()
  );
}

/** Dossiers kept in memory between batches at most; finished ones are let go first. */
const CACHE_LIMIT = 200_000;
const FINISHED_STATUSES = new Set([3, 7, 8, 10]);

export function createPortalAdapter(options: PortalAdapterOptions) {
  const { warehouse, pipeline } = options;
  const sourceSystem = options.sourceSystem ?? 'portal-sync';
  const dossiers = new Map<string, DossierEntry>();
  // Loading and mapping run one batch at a time (each batch sees the states the previous one left); storing
  // overlaps with the next batch's mapping.
  let mapping: Promise<unknown> = Promise.resolve();

  async function load(dossierIds: string[], communeOf: Map<string, string>): Promise<void> {
    const missing = dossierIds.filter((id) => !dossiers.has(id));
    if (missing.length === 0) return;
    const rows = await warehouse.query<StateRow>(
      `SELECT dossier_id, commune_code, province_code, procedure_code, channel, status_code, ended,
              toUnixTimestamp64Milli(received_due_at) AS received_due_ms,
              arrayMap(d -> toUnixTimestamp64Milli(d), known_due_at) AS known_due_ms,
              toUnixTimestamp64Milli(seen_at) AS seen_ms, notes
       FROM portal_dossiers_rows FINAL WHERE dossier_id IN {ids:Array(String)}`,
      { ids: missing },
    );
    for (const id of missing)
      dossiers.set(id, { state: undefined, storedState: undefined, eventIds: new Set(), inFlight: 0 });
    for (const row of rows) {
      const entry = dossiers.get(row.dossier_id) as DossierEntry;
      entry.state = stateOf(row);
      entry.storedState = entry.state;
      communeOf.set(row.dossier_id, row.commune_code);
    }
    // Events of these dossiers already stored (by an earlier import, another sync call with the same record):
    // looked up by the events' primary key, commune then dossier.
    const known = missing.filter((id) => communeOf.has(id));
    if (known.length === 0) return;
    const stored = await warehouse.query<{ dossier_id: string; event_id: string }>(
      `SELECT dossier_id, event_id FROM dossier_events_rows
       WHERE commune_code IN {communes:Array(String)} AND dossier_id IN {ids:Array(String)}`,
      { communes: [...new Set(known.map((id) => communeOf.get(id) as string))], ids: known },
    );
    for (const row of stored) dossiers.get(row.dossier_id)?.eventIds.add(row.event_id);
  }

  function release(touched: Iterable<string>, failed: boolean) {
    for (const id of touched) {
      const entry = dossiers.get(id);
      if (!entry) continue;
      entry.inFlight -= 1;
      // After a failure the dossier is read again from the warehouse: the batch will be mapped anew.
      if (failed && entry.inFlight === 0) dossiers.delete(id);
    }
    if (dossiers.size <= CACHE_LIMIT) return;
    for (const [id, entry] of dossiers) {
      if (entry.inFlight === 0 && FINISHED_STATUSES.has(entry.state?.statusCode ?? 0)) dossiers.delete(id);
    }
    for (const [id, entry] of dossiers) {
      if (dossiers.size <= CACHE_LIMIT / 2) break;
      if (entry.inFlight === 0) dossiers.delete(id);
    }
  }

  interface Mapped {
    messages: SourceMessage[];
    outcome: PortalOutcome;
    touched: Set<string>;
    states: PortalDossierState[];
    unmapped: { province_code: string; unit_code: string; dossier_id: string }[];
  }

  async function mapBatch(items: readonly PortalItem[]): Promise<Mapped> {
    const units = await options.units();
    const communeFor = (unitCode: string | null, senderProvince: string | null): UnitLookup => {
      if (options.communeOverride !== undefined) {
        const province = provinceOfCommune(options.communeOverride) ?? '';
        return { ok: true, communeCode: options.communeOverride, provinceCode: province };
      }
      return units.lookup(unitCode, senderProvince);
    };
    const outcome = emptyPortalOutcome();
    const messages: SourceMessage[] = [];
    const touched = new Set<string>();
    const unmapped: Mapped['unmapped'] = [];
    const reads = items.map((item) => {
      let parsed: unknown;
      let failure = item.reject;
      if (failure === undefined) {
        try {
          parsed = JSON.parse(item.text);
        } catch {
          failure = { reason: 'not_json', detail: `the element is not JSON (length ${item.text.length})` };
        }
      }
      if (failure !== undefined) return { item, failure, input: null, read: null };
      const { record, ...input } = portalInputOf(parsed);
      return { item, failure, input, read: readPortalRecord(record, { officerKey: options.officerKey }) };
    });
    // Every dossier of the batch, with the commune its records name when the dossier is new.
    const communeOf = new Map<string, string>();
    const ids = new Set<string>();
    for (const { input, read } of reads) {
      if (!read?.ok || input === null) continue;
      ids.add(read.record.dossierId);
      if (read.record.kind === 'dossier') {
        const found = communeFor(read.record.unitCode, input.provinceCode);
        if (found.ok) communeOf.set(read.record.dossierId, found.communeCode);
      }
    }
    await load([...ids], communeOf);

    const reject = (item: PortalItem, value: string | null, key: string | null, found: Reject) => {
      messages.push({
        source: item.source,
        position: item.position * POSITIONS_PER_RECORD + REJECT_SLOT,
        value,
        key,
        reject: found,
      });
    };
    for (const { item, failure, input, read } of reads) {
      outcome.records += 1;
      if (failure !== undefined || read === null || input === null) {
        reject(item, null, null, failure as Reject);
        continue;
      }
      const observedAtMs = input.observedAtMs ?? item.observedAtMs ?? null;
      // What the DLQ keeps: the sanitized record (in its envelope when it came in one), never the raw element.
      const sanitized = read.sanitized ?? {};
      const value = () =>
        input.call === null || observedAtMs === null
          ? JSON.stringify(sanitized)
          : JSON.stringify({
              portal_call: input.call,
              province_code: input.provinceCode ?? undefined,
              received_at: new Date(observedAtMs).toISOString(),
              record: sanitized,
            } satisfies PortalEnvelope);
      if (!read.ok) {
        reject(item, value(), null, read.reject);
        continue;
      }
      const record = read.record;
      const entry = dossiers.get(record.dossierId) as DossierEntry;
      if (!touched.has(record.dossierId)) {
        touched.add(record.dossierId);
        entry.inFlight += 1;
      }
      let mapped: PortalMapping;
      const foreign = (): Reject => ({
        reason: 'portal_foreign_commune',
        detail: 'MaHoSo: the dossier is of another province (rule: a province sends its own communes only)',
      });
      if (record.kind === 'history') {
        if (input.provinceCode !== null && entry.state && entry.state.provinceCode !== input.provinceCode) {
          reject(item, value(), record.dossierId, foreign());
          continue;
        }
        mapped = mapHistoryRecord(record, entry.state, sourceSystem);
      } else {
        const place = entry.state
          ? { ok: true as const, communeCode: entry.state.communeCode, provinceCode: entry.state.provinceCode }
          : communeFor(record.unitCode, input.provinceCode);
        if (!place.ok) {
          if (place.unmapped) {
            outcome.unmapped += 1;
            unmapped.push({
              province_code: input.provinceCode ?? '',
              unit_code: record.unitCode ?? '',
              dossier_id: record.dossierId,
            });
          }
          reject(item, value(), record.dossierId, place.reject);
          continue;
        }
        if (input.provinceCode !== null && place.provinceCode !== input.provinceCode) {
          reject(item, value(), record.dossierId, foreign());
          continue;
        }
        mapped = mapDossierRecord(record, entry.state, {
          communeCode: place.communeCode,
          provinceCode: place.provinceCode,
          observedAtMs,
          sourceSystem: input.provinceCode === null ? sourceSystem : `${sourceSystem}-${input.provinceCode}`,
        });
      }
      if (mapped.reject) {
        reject(item, value(), record.dossierId, mapped.reject);
        continue;
      }
      for (const note of mapped.notes) outcome.notes[note] += 1;
      if (mapped.state) entry.state = mapped.state;
      for (const [index, event] of mapped.events.entries()) {
        outcome.derived += 1;
        if (entry.eventIds.has(event.event_id)) {
          outcome.repeated += 1;
          continue;
        }
        entry.eventIds.add(event.event_id);
        messages.push({
          source: item.source,
          position: item.position * POSITIONS_PER_RECORD + index,
          value: JSON.stringify(event),
          key: record.dossierId,
        });
      }
    }
    const states: PortalDossierState[] = [];
    for (const id of touched) {
      const entry = dossiers.get(id) as DossierEntry;
      if (entry.state && !sameState(entry.state, entry.storedState)) states.push(entry.state);
    }
    return { messages, outcome, touched, states, unmapped };
  }

  /**
   * Maps and stores one batch of elements. `dedupToken` names the batch as the pipeline's does (its source and
   * positions), so a retried batch is recognised by the engine.
   */
  async function storeItems(
    items: readonly PortalItem[],
    dedupToken: string,
    batchOptions: { newSource?: boolean } = {},
  ): Promise<PortalOutcome> {
    const mapped = mapping.then(() => mapBatch(items));
    mapping = mapped.catch(() => {});
    const { messages, outcome, touched, states, unmapped } = await mapped;
    let failed = true;
    try {
      const stored = await pipeline.storeBatch(messages, dedupToken, batchOptions);
      if (states.length > 0) {
        await warehouse.insert('portal_dossiers_rows', states.map(rowOf), { dedupToken: `${dedupToken}:state` });
      }
      for (const state of states) {
        const entry = dossiers.get(state.dossierId);
        if (entry) entry.storedState = state;
      }
      await recordUnmapped(unmapped);
      failed = false;
      return { ...outcome, ...stored, records: outcome.records };
    } finally {
      release(touched, failed);
    }
  }

  async function recordUnmapped(rows: { province_code: string; unit_code: string; dossier_id: string }[]) {
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

  return { storeItems };
}

export type PortalAdapter = ReturnType<typeof createPortalAdapter>;
