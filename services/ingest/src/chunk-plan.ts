import {
  type DossierEvent,
  eventFingerprint,
  type Reject,
  type ValidationContext,
  validateDossierEvent,
} from '@commune-pulse/contracts';

import type { LedgerRow } from './ledger.ts';
/**
 * The pure part of storing a chunk: what each delivery is, given the claims already stored. No I/O here; the
 * pipeline reads the claims, calls these, and writes what they decide.
 */

/** One delivery from a source: a Kafka message or a line of a file. */
export interface SourceMessage {
  /** Kafka offset or 1-based line number */
  position: number;
  value: Buffer | string | null;
  /** the Kafka message key, kept for the DLQ */
  key?: Buffer | string | null;
  /** decided before validation: a file line too long to read, for instance */
  reject?: Reject;
}

export type Validated =
  | { message: SourceMessage; ok: true; event: DossierEvent; fingerprint: number }
  | { message: SourceMessage; ok: false; reject: Reject };

/** Validates every message; whatever goes wrong with one message is a reject of that message only. */
export function validateMessages(messages: readonly SourceMessage[], context: ValidationContext): Validated[] {
  return messages.map((message): Validated => {
    try {
      if (message.reject) return { message, ok: false, reject: message.reject };
      if (message.value === null) {
        return { message, ok: false, reject: { reason: 'not_json', detail: 'the message has no value (a tombstone)' } };
      }
      const result = validateDossierEvent(message.value, context);
      if (!result.ok) return { message, ok: false, reject: result.reject };
      return { message, ok: true, event: result.event, fingerprint: eventFingerprint(result.event) };
    } catch (error) {
      // The error's message could quote the input: only its kind is kept.
      const kind = error instanceof Error ? error.name : typeof error;
      return { message, ok: false, reject: { reason: 'unprocessable', detail: `validation failed with ${kind}` } };
    }
  });
}

/** A stored claim of an event_id: its content's fingerprint and the position that claimed it. */
export interface ClaimRef {
  fingerprint: number;
  sourceKey: number;
  partition: number;
  position: number;
}

const UNKNOWN_CONTENT = 0;

export type Verdict =
  /** not stored anywhere: to claim and store */
  | { kind: 'new'; event: DossierEvent; fingerprint: number }
  /** claimed by this very position before a crash: stored now if the store lacks it */
  | { kind: 'resumed'; event: DossierEvent; fingerprint: number }
  /** the same content under an event_id already stored (or earlier in the chunk) */
  | { kind: 'duplicate'; eventId: string }
  | { kind: 'rejected'; reject: Reject };

export interface Classified {
  message: SourceMessage;
  verdict: Verdict;
}

export function classifyDeliveries(
  validated: readonly Validated[],
  claims: ReadonlyMap<string, ClaimRef>,
  here: { sourceKey: number; partition: number },
): Classified[] {
  const firstInChunk = new Map<string, number>();
  return validated.map((delivery): Classified => {
    const { message } = delivery;
    if (!delivery.ok) return { message, verdict: { kind: 'rejected', reject: delivery.reject } };
    const { event, fingerprint } = delivery;
    const earlier = firstInChunk.get(event.eventId);
    const claim = claims.get(event.eventId);
    const knownFingerprint = earlier ?? claim?.fingerprint;
    // What later copies in the chunk are compared with: the stored content where there is one.
    if (earlier === undefined) firstInChunk.set(event.eventId, claim?.fingerprint ?? fingerprint);
    if (earlier === undefined && claim === undefined) return { message, verdict: { kind: 'new', event, fingerprint } };
    if (
      earlier === undefined &&
      claim !== undefined &&
      claim.sourceKey === here.sourceKey &&
      claim.partition === here.partition &&
      claim.position === message.position
    ) {
      return { message, verdict: { kind: 'resumed', event, fingerprint } };
    }
    // fingerprint 0: a claim carried over from the earlier schema, content unknown, taken as the same
    if (knownFingerprint === fingerprint || knownFingerprint === UNKNOWN_CONTENT) {
      return { message, verdict: { kind: 'duplicate', eventId: event.eventId } };
    }
    return {
      message,
      verdict: {
        kind: 'rejected',
        reject: {
          reason: 'conflicting_duplicate',
          detail: 'event_id is already stored with different content (type, times, dossier, commune or fields)',
        },
      },
    };
  });
}

/** An event accepted from a chunk, as the ledger counts it. */
export interface AcceptedEvent {
  item: Classified;
  event: DossierEvent;
  unknownProcedure: boolean;
  late: boolean;
}

/**
 * The ledger row of a chunk's fresh positions (its counts, the communes it touched with the earliest event of
 * each, how far its events reach) and its rejects: those of validation and claims, and the accepted events the
 * warehouse refused as data (`refused`, by position). Pure.
 */
export function summarizeFresh(
  fresh: readonly SourceMessage[],
  classified: readonly Classified[],
  accepted: readonly AcceptedEvent[],
  refused: ReadonlySet<number>,
): { ledgerRow: LedgerRow; rejects: { message: SourceMessage; reject: Reject }[] } {
  const rejects: { message: SourceMessage; reject: Reject }[] = [];
  const ledgerRow: LedgerRow = {
    first: (fresh[0] as SourceMessage).position,
    last: (fresh[fresh.length - 1] as SourceMessage).position,
    deliveries: fresh.length,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    rejectedByReason: {},
    unknownProcedure: 0,
    late: 0,
    deadLetters: 0,
    touchedCommunes: [],
    touchedFromMs: [],
    latestOccurredMs: 0,
  };
  const touched = new Map<string, number>();
  for (const { item, event, unknownProcedure, late } of accepted) {
    if (refused.has(item.message.position)) {
      rejects.push({
        message: item.message,
        reject: {
          reason: 'store_refused',
          detail: 'the warehouse refused the event as data; the original bytes are in the DLQ',
        },
      });
      continue;
    }
    ledgerRow.accepted += 1;
    if (unknownProcedure) ledgerRow.unknownProcedure += 1;
    if (late) ledgerRow.late += 1;
    touched.set(event.communeCode, Math.min(touched.get(event.communeCode) ?? Infinity, event.occurredAtMs));
    ledgerRow.latestOccurredMs = Math.max(ledgerRow.latestOccurredMs, event.occurredAtMs);
  }
  for (const { message, verdict } of classified) {
    if (verdict.kind === 'duplicate') ledgerRow.duplicates += 1;
    if (verdict.kind === 'rejected') rejects.push({ message, reject: verdict.reject });
  }
  for (const { reject } of rejects) {
    ledgerRow.rejected += 1;
    ledgerRow.rejectedByReason[reject.reason] = (ledgerRow.rejectedByReason[reject.reason] ?? 0) + 1;
  }
  ledgerRow.deadLetters = rejects.length;
  ledgerRow.touchedCommunes = [...touched.keys()];
  ledgerRow.touchedFromMs = [...touched.values()];
  return { ledgerRow, rejects };
}
