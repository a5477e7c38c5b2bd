import { createHash } from 'node:crypto';
import {
  type Channel,
  DOSSIER_EVENT_SCHEMA_ID,
  type DossierEventType,
  type DossierEventV1,
  type Reject,
} from '@commune-pulse/contracts';
import type { PortalDossierRecord, PortalHistoryRecord } from './records.ts';

/**
 * From the portal's sync records to dossier-event/1. Pure: the dossier's previous state comes in, the next one
 * goes out. What a record's own dates prove (submitted, received, refused, supplements, resolved, returned) is
 * derived from the record alone, so the same record sent again, or an export imported again, derives the same
 * events with the same ids; a moved return date is a transition, found by comparing with the previous record.
 * The statuses the record carries no date for (processing, fee requested, withdrawn, suspended) come from the
 * processing history, whose steps are dated.
 */

/** What the mapping remembers of a dossier between its records (stored in portal_dossiers). */
export interface PortalDossierState {
  dossierId: string;
  communeCode: string;
  provinceCode: string;
  procedureCode: string;
  channel: Channel;
  statusCode: number;
  /** the last record carried NgayKetThucXuLy */
  ended: boolean;
  /** the return date set at reception */
  receivedDueAtMs: number | null;
  /** every return date events were derived for: the reception's and each extension's */
  knownDueAtMs: number[];
  /** the version of the last record applied: its call's arrival, or its latest date when it came bare */
  seenAtMs: number;
  /** the lossy cases met on its records */
  notes: PortalNoteKind[];
}

/** Lossy cases the data-quality figures count (portal_mapping_notes). */
export const PORTAL_NOTE_KINDS = ['collapsed_status', 'undated_due_change'] as const;
export type PortalNoteKind = (typeof PORTAL_NOTE_KINDS)[number];

export interface PortalMapping {
  events: DossierEventV1[];
  reject: Reject | null;
  notes: PortalNoteKind[];
  /** the dossier's state after this record; null when the record changes nothing of it (history, older records) */
  state: PortalDossierState | null;
}

export interface DossierMapContext {
  communeCode: string;
  provinceCode: string;
  /** when the record's call arrived; null for a bare record of an export */
  observedAtMs: number | null;
  sourceSystem: string;
}

/** TrangThaiHoSo of each event type (dossier-event-v1.md); the two without a code have none. */
const STATUS_OF: Partial<Record<DossierEventType, number>> = {
  submitted: 1,
  received: 2,
  intake_refused: 3,
  processing: 4,
  supplement_requested: 5,
  fee_requested: 6,
  withdrawn: 7,
  suspended: 8,
  resolved: 9,
  returned: 10,
};

/** History steps that date a status the dossier record has no date field for. */
const HISTORY_TYPES: Partial<Record<number, DossierEventType>> = {
  4: 'processing',
  6: 'fee_requested',
  7: 'withdrawn',
  8: 'suspended',
};

/**
 * The event id: a hash of the dossier, the kind of change and what tells it apart (its date; for a moved return
 * date, the new date), so that every derivation of the same change gives the same id.
 */
export function portalEventId(dossierId: string, type: DossierEventType, discriminatorMs: number): string {
  return `pt-${createHash('sha256').update(`${dossierId}\u0000${type}\u0000${discriminatorMs}`).digest('hex').slice(0, 32)}`;
}

interface Identity {
  dossierId: string;
  communeCode: string;
  procedureCode: string;
  channel: Channel;
  sourceSystem: string;
}

function makeEvent(
  identity: Identity,
  type: DossierEventType,
  atMs: number,
  extra: { dueAtMs?: number | null; officerRef?: string | null; discriminatorMs?: number } = {},
): DossierEventV1 {
  const event: DossierEventV1 = {
    schema: DOSSIER_EVENT_SCHEMA_ID,
    event_id: portalEventId(identity.dossierId, type, extra.discriminatorMs ?? atMs),
    event_type: type,
    occurred_at: new Date(atMs).toISOString(),
    dossier_id: identity.dossierId,
    commune_code: identity.communeCode,
    procedure_code: identity.procedureCode,
    channel: identity.channel,
    source_system: identity.sourceSystem,
  };
  if (extra.dueAtMs !== undefined && extra.dueAtMs !== null) event.due_at = new Date(extra.dueAtMs).toISOString();
  if (extra.officerRef) event.officer_ref = extra.officerRef;
  const status = STATUS_OF[type];
  if (status !== undefined) event.status_code = status;
  return event;
}

/** A record's version when it came bare: its latest date (a later state of a dossier carries later dates). */
function latestDate(record: PortalDossierRecord): number {
  let latest = Number.NEGATIVE_INFINITY;
  const dates = [
    record.submittedAtMs,
    record.receivedAtMs,
    record.refusedAtMs,
    record.endedAtMs,
    record.returnedAtMs,
    ...record.supplements.flatMap((s) => [s.requestedAtMs, s.receivedAtMs]),
  ];
  for (const date of dates) if (date !== null && date > latest) latest = date;
  return latest === Number.NEGATIVE_INFINITY ? 0 : latest;
}

/** Whether a dossier may go from the previous record's status to this one's. */
function moveAllowed(previous: PortalDossierState, record: PortalDossierRecord): boolean {
  const from = previous.statusCode;
  const to = record.statusCode;
  if (from === 3 || from === 7 || from === 8) return to === from;
  if (from === 10) return to === 10;
  // 9 with an end date is a resolution; 9 without one is a sender's 5, 6 or 8 collapsed into 9.
  if (from === 9 && previous.ended) return to === 9 || to === 10;
  if (from !== 1) return to !== 1;
  return true;
}

/** Events of a dossier record, and the dossier's next state. */
export function mapDossierRecord(
  record: PortalDossierRecord,
  previous: PortalDossierState | undefined,
  context: DossierMapContext,
): PortalMapping {
  const version = context.observedAtMs ?? latestDate(record);
  // An older record than the last one applied (out of order, or replayed) adds what its dates prove and no more.
  const current = previous === undefined || version >= previous.seenAtMs;
  if (previous !== undefined && current && !moveAllowed(previous, record)) {
    return {
      events: [],
      reject: {
        reason: 'portal_status_backwards',
        detail:
          'TrangThaiHoSo: earlier in the lifecycle than the last record of this dossier (rule: a dossier never ' +
          'moves back; finished, refused, withdrawn and suspended dossiers stay so)',
      },
      notes: [],
      state: null,
    };
  }
  const identity: Identity = {
    dossierId: record.dossierId,
    communeCode: previous?.communeCode ?? context.communeCode,
    procedureCode: record.procedureCode,
    channel: record.channel,
    sourceSystem: context.sourceSystem,
  };
  const events: DossierEventV1[] = [];
  const notes: PortalNoteKind[] = [];
  const add = (type: DossierEventType, atMs: number | null, extra?: Parameters<typeof makeEvent>[3]) => {
    if (atMs !== null) events.push(makeEvent(identity, type, atMs, extra));
  };
  const status = record.statusCode;
  const collapsed = status === 9 && record.endedAtMs === null;
  if (collapsed) notes.push('collapsed_status');

  if (record.channel === 'online' || status === 1) add('submitted', record.submittedAtMs);
  // The return date set at reception: the first supplement round remembers it once a later one replaced it.
  const receivedDue = previous?.receivedDueAtMs ?? record.supplements[0]?.previousDueAtMs ?? record.dueAtMs;
  if (status === 3) add('intake_refused', record.refusedAtMs);
  else add('received', record.receivedAtMs, { dueAtMs: receivedDue });
  // An open supplement round is what a collapsed 9 can be shown to be. Its request carries 5 all the same: every
  // record that shows the round derives the same event, and the event_id claims take a copy with other content
  // for a conflict. The collapse is counted in the notes (portal_mapping_notes).
  for (const supplement of record.supplements) {
    add('supplement_requested', supplement.requestedAtMs);
    add('supplement_received', supplement.receivedAtMs);
  }

  const known = new Set(previous?.knownDueAtMs ?? []);
  if (receivedDue !== null) known.add(receivedDue);
  if (record.receivedAtMs !== null && status !== 3) {
    const moves = [
      ...record.supplements.map((supplement) => ({ dueAtMs: supplement.newDueAtMs, supplement })),
      { dueAtMs: record.dueAtMs, supplement: null },
    ];
    // A return date the dossier has not had before was moved between the previous record and this one: dated by
    // this record's call when there is one, else by the supplement round that restarted the clock.
    const transition = previous !== undefined && current && context.observedAtMs !== null;
    for (const { dueAtMs, supplement } of moves) {
      if (dueAtMs === null || known.has(dueAtMs)) continue;
      known.add(dueAtMs);
      const roundAt = supplement ? (supplement.receivedAtMs ?? supplement.requestedAtMs) : null;
      let atMs: number | null;
      if (transition) atMs = Math.max(context.observedAtMs as number, roundAt ?? Number.NEGATIVE_INFINITY);
      else atMs = roundAt ?? (current ? context.observedAtMs : null);
      if (atMs === null) {
        notes.push('undated_due_change');
        continue;
      }
      add('deadline_extended', atMs, { dueAtMs, discriminatorMs: dueAtMs });
    }
  }

  if (status === 7) add('withdrawn', record.endedAtMs);
  if (status === 8) add('suspended', record.endedAtMs);
  if (status === 9 || status === 10) add('resolved', record.endedAtMs);
  if (status === 10) add('returned', record.returnedAtMs);

  const allNotes = [...new Set([...(previous?.notes ?? []), ...notes])].sort();
  const noteAdded = allNotes.length > (previous?.notes.length ?? 0);
  if (!current) {
    return { events, reject: null, notes, state: noteAdded && previous ? { ...previous, notes: allNotes } : null };
  }
  const state: PortalDossierState = {
    dossierId: record.dossierId,
    communeCode: identity.communeCode,
    provinceCode: previous?.provinceCode ?? context.provinceCode,
    procedureCode: record.procedureCode,
    channel: record.channel,
    statusCode: status,
    ended: record.endedAtMs !== null,
    receivedDueAtMs: record.receivedAtMs === null ? (previous?.receivedDueAtMs ?? null) : receivedDue,
    knownDueAtMs: [...known].sort((a, b) => a - b),
    seenAtMs: Math.max(version, previous?.seenAtMs ?? Number.NEGATIVE_INFINITY),
    notes: allNotes,
  };
  return { events, reject: null, notes, state };
}

/** Events of a history step: the statuses a dossier record carries no date for. */
export function mapHistoryRecord(
  record: PortalHistoryRecord,
  previous: PortalDossierState | undefined,
  sourceSystem: string,
): PortalMapping {
  if (previous === undefined) {
    return {
      events: [],
      reject: {
        reason: 'portal_unknown_dossier',
        detail: 'MaHoSo: no dossier record introduced this dossier (rule: ThemMoi before DongBoTienTrinh)',
      },
      notes: [],
      state: null,
    };
  }
  const type = HISTORY_TYPES[record.statusCode];
  if (type === undefined) return { events: [], reject: null, notes: [], state: null };
  const identity: Identity = {
    dossierId: record.dossierId,
    communeCode: previous.communeCode,
    procedureCode: previous.procedureCode,
    channel: previous.channel,
    sourceSystem,
  };
  return {
    events: [makeEvent(identity, type, record.atMs, { officerRef: record.officerRef })],
    reject: null,
    notes: [],
    state: null,
  };
}
