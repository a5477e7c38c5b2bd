import { PORTAL_NOTE_KINDS, type PortalNoteKind } from '@commune-pulse/portal';
import { addOutcome, type BatchOutcome, emptyOutcome } from '../pipeline.ts';

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
