import type { ElementBlocks, Reject, Source } from '@commune-pulse/contracts';
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
 * state, and handed to `pipeline.storeChunk` as ordinary messages: the derived events as dossier-event/1 JSON,
 * the mapping rejects as pre-decided rejects whose value is the sanitized record (what the DLQ keeps). The
 * pipeline validates, stores exactly once (its ledger and event_id claims) and dead-letters as for any other
 * source; only afterwards does the dossiers' state move, so a chunk retried after a failure maps the same way.
 */

/**
 * Every element of a portal source owns a block of 64 positions: its events from the first, its reject in the
 * last. A record derives 53 events at most (MAX_SUPPLEMENTS rounds of two, their return dates, and six more).
 */
export const PORTAL_BLOCKS: ElementBlocks = { format: 'portal-sync', positionsPerElement: 64 };
const REJECT_SLOT = PORTAL_BLOCKS.positionsPerElement - 1;

/** An element larger than this is not a sync record (a record with attachments inlined, a runaway line). */
export const MAX_PORTAL_ELEMENT_BYTES = 1024 * 1024;

/** One element of a portal source, as read. */
export interface PortalElement {
  /** its ordinal in its source (line, array index, Kafka offset): ascending within a chunk */
  ordinal: number;
  /**
   * a record, an envelope or a dead letter as bytes or text (parsed here, so that the raw record with its
   * personal fields is garbage as soon as it is sanitized); null for a Kafka tombstone
   */
  value: Buffer | string | null;
  /** found before reading it (too large): its bytes are not kept, they may be personal */
  reject?: Reject;
  /** the Kafka message's timestamp, dating a bare record that came without an envelope */
  observedAtMs?: number | null;
}

/** An element too large to be a record: rejected without reading it. */
export function tooLargeElement(ordinal: number, length: number): PortalElement {
  return {
    ordinal,
    value: null,
    reject: {
      reason: 'too_large',
      detail: `the element has ${length} bytes; the limit is ${MAX_PORTAL_ELEMENT_BYTES}`,
    },
  };
}

export interface PortalOutcome extends BatchOutcome {
  /** elements read */
  records: number;
  /** events derived from the records; a record sent again derives its events again (duplicates, not stored) */
  derived: number;
  notes: Record<PortalNoteKind, number>;
  unmapped: number;
}

export function emptyPortalOutcome(): PortalOutcome {
  return {
    ...emptyOutcome(),
    records: 0,
    derived: 0,
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

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** An element's JSON, or why it has none (its length at most: the bytes may be personal). */
function parseElement(element: PortalElement): { ok: true; value: unknown } | { ok: false; reject: Reject } {
  if (element.reject) return { ok: false, reject: element.reject };
  if (element.value === null) {
    return { ok: false, reject: { reason: 'not_json', detail: 'the message has no value (a tombstone)' } };
  }
  let text: string;
  try {
    text = typeof element.value === 'string' ? element.value : UTF8.decode(element.value);
  } catch {
    return {
      ok: false,
      reject: { reason: 'not_utf8', detail: `the element is not UTF-8 (${element.value.length} bytes)` },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reject: { reason: 'not_json', detail: `the element is not JSON (length ${text.length})` } };
  }
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

  async function load(dossierIds: string[]): Promise<void> {
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
    for (const id of missing) dossiers.set(id, { state: undefined, storedState: undefined, inFlight: 0 });
    for (const row of rows) {
      const entry = dossiers.get(row.dossier_id) as DossierEntry;
      entry.state = stateOf(row);
      entry.storedState = entry.state;
    }
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

  async function mapBatch(elements: readonly PortalElement[]): Promise<Mapped> {
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
    const reads = elements.map((item) => {
      const parsed = parseElement(item);
      if (!parsed.ok) return { item, failure: parsed.reject, input: null, read: null };
      const { record, ...input } = portalInputOf(parsed.value);
      return { item, failure: undefined, input, read: readPortalRecord(record, { officerKey: options.officerKey }) };
    });
    const ids = new Set<string>();
    for (const { read } of reads) if (read?.ok) ids.add(read.record.dossierId);
    await load([...ids]);

    const reject = (item: PortalElement, value: string | null, key: string | null, found: Reject) => {
      messages.push({
        position: item.ordinal * PORTAL_BLOCKS.positionsPerElement + REJECT_SLOT,
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
      // Events derived again (a record sent again) go to the pipeline too: its claims count them as duplicates.
      for (const [index, event] of mapped.events.entries()) {
        outcome.derived += 1;
        messages.push({
          position: item.ordinal * PORTAL_BLOCKS.positionsPerElement + index,
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
    const { messages, outcome, touched, states, unmapped } = await mapped;
    let failed = true;
    try {
      const stored = await pipeline.storeChunk({ source, partition, messages });
      // ReplacingMergeTree by dossier, versioned by seen_at: a state written again changes nothing.
      if (states.length > 0) await warehouse.insert('portal_dossiers_rows', states.map(rowOf));
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

  return { storeElements };
}

export type PortalAdapter = ReturnType<typeof createPortalAdapter>;
