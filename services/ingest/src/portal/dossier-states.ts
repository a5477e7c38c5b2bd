import type { PortalDossierState, PortalNoteKind } from '@commune-pulse/portal';
import type { Warehouse } from '@commune-pulse/warehouse';

/** A dossier as the adapter holds it while batches that touch it are in flight. */
export interface DossierEntry {
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

/** Dossiers kept in memory between batches at most; finished ones are let go first. */
const CACHE_LIMIT = 200_000;
const FINISHED_STATUSES = new Set([3, 7, 8, 10]);

/**
 * The portal dossiers' states as the adapter maps against them (portal_dossiers_rows): read from the warehouse
 * when a batch first touches a dossier, held while batches that touched it are in flight, written once a chunk
 * is stored. After a failure a dossier is read again, so that its batch is mapped anew against what was stored.
 */
export class PortalDossierStates {
  private readonly warehouse: Warehouse;
  private readonly dossiers = new Map<string, DossierEntry>();

  constructor(warehouse: Warehouse) {
    this.warehouse = warehouse;
  }

  /** Reads the dossiers not held yet (a dossier the warehouse has not seen gets no state). */
  async load(dossierIds: string[]): Promise<void> {
    const missing = dossierIds.filter((id) => !this.dossiers.has(id));
    if (missing.length === 0) return;
    const rows = await this.warehouse.query<StateRow>(
      `SELECT dossier_id, commune_code, province_code, procedure_code, channel, status_code, ended,
              toUnixTimestamp64Milli(received_due_at) AS received_due_ms,
              arrayMap(d -> toUnixTimestamp64Milli(d), known_due_at) AS known_due_ms,
              toUnixTimestamp64Milli(seen_at) AS seen_ms, notes
       FROM portal_dossiers_rows FINAL WHERE dossier_id IN {ids:Array(String)}`,
      { ids: missing },
    );
    for (const id of missing) this.dossiers.set(id, { state: undefined, storedState: undefined, inFlight: 0 });
    for (const row of rows) {
      const entry = this.dossiers.get(row.dossier_id) as DossierEntry;
      entry.state = stateOf(row);
      entry.storedState = entry.state;
    }
  }

  /** A dossier loaded for the batch being mapped. */
  entry(dossierId: string): DossierEntry {
    return this.dossiers.get(dossierId) as DossierEntry;
  }

  /** The states of the touched dossiers that differ from what was last stored. */
  changed(touched: Iterable<string>): PortalDossierState[] {
    const states: PortalDossierState[] = [];
    for (const id of touched) {
      const entry = this.entry(id);
      if (entry.state && !sameState(entry.state, entry.storedState)) states.push(entry.state);
    }
    return states;
  }

  /** Writes states (ReplacingMergeTree by dossier, versioned by seen_at: a state written again changes nothing). */
  async store(states: readonly PortalDossierState[]): Promise<void> {
    if (states.length > 0) await this.warehouse.insert('portal_dossiers_rows', states.map(rowOf));
    for (const state of states) {
      const entry = this.dossiers.get(state.dossierId);
      if (entry) entry.storedState = state;
    }
  }

  /** A batch is done with its dossiers; the cache is trimmed when it has grown past its limit. */
  release(touched: Iterable<string>, failed: boolean): void {
    const { dossiers } = this;
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
}
