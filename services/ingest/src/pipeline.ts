import { createHash } from 'node:crypto';
import {
  type DossierEvent,
  type Reject,
  type RejectReason,
  type ValidationContext,
  validateDossierEvent,
} from '@commune-pulse/contracts';
import type { Warehouse } from '@commune-pulse/warehouse';

/** One delivery from a source: a Kafka message or a line of a file. */
export interface SourceMessage {
  /** `kafka:<topic>:<partition>` or `file:<sha256 of the file>` */
  source: string;
  /** Kafka offset or 1-based line number */
  position: number;
  value: Buffer | string | null;
  /** the Kafka message key, kept for the DLQ */
  key?: Buffer | string | null;
  /**
   * Decided before validation by the adapter of another source format (the portal's sync records): the message
   * is counted, recorded and dead-lettered as rejected for this reason, its value being what goes to the DLQ.
   */
  reject?: Reject;
}

export interface RejectedMessage {
  message: SourceMessage;
  reject: Reject;
}

/** Where rejects go besides `rejected_events`: the DLQ topic, or a file when no broker is configured. */
export interface DeadLetterSink {
  send(rejected: readonly RejectedMessage[]): Promise<void>;
  close?(): Promise<void>;
}

export interface BatchOutcome {
  deliveries: number;
  accepted: number;
  duplicates: number;
  /** deliveries of positions stored before (a retried batch, a file imported again), counted in duplicates */
  redelivered: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  /** accepted events whose procedure code the catalog does not know (they take the default standard time) */
  unknownProcedures: number;
  /** events that arrived more than a day behind the newest event already seen from the same source */
  late: number;
}

export function emptyOutcome(): BatchOutcome {
  return {
    deliveries: 0,
    accepted: 0,
    duplicates: 0,
    redelivered: 0,
    rejected: 0,
    rejectedByReason: {},
    unknownProcedures: 0,
    late: 0,
  };
}

export function addOutcome(total: BatchOutcome, batch: BatchOutcome): BatchOutcome {
  const rejectedByReason = { ...total.rejectedByReason };
  for (const [reason, count] of Object.entries(batch.rejectedByReason) as [RejectReason, number][]) {
    rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + count;
  }
  return {
    deliveries: total.deliveries + batch.deliveries,
    accepted: total.accepted + batch.accepted,
    duplicates: total.duplicates + batch.duplicates,
    redelivered: total.redelivered + batch.redelivered,
    rejected: total.rejected + batch.rejected,
    rejectedByReason,
    unknownProcedures: total.unknownProcedures + batch.unknownProcedures,
    late: total.late + batch.late,
  };
}

export interface IngestPipelineOptions {
  warehouse: Warehouse;
  provinceOfCommune: ValidationContext['provinceOfCommune'];
  isKnownProcedure: (procedureCode: string) => boolean;
  deadLetters: DeadLetterSink;
  now?: () => number;
}

const LATE_AFTER_MS = 24 * 3_600_000;

function payloadBytes(value: SourceMessage['value']): Buffer {
  if (value === null) return Buffer.alloc(0);
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/**
 * Validate, drop unknown fields, deduplicate and store one batch. The same code serves Kafka partitions and
 * file imports; the caller commits its position only after `storeBatch` resolves.
 *
 * Exactly once: positions already recorded in `ingest_deliveries` (a batch retried after a crash, a file
 * imported again) are recognised by a primary-key range lookup and stored nothing; the inserts carry
 * deduplication tokens derived from the source positions, so an identical retry is dropped by the engine;
 * the deliveries go in last, as the mark that a position's events are stored; and an event stored twice all
 * the same (a producer's redelivery at another position) is collapsed by event_id in `dossier_events`.
 */
export function createIngestPipeline(options: IngestPipelineOptions) {
  const now = options.now ?? Date.now;
  const newestSeenBySource = new Map<string, number>();

  async function storedPositions(messages: readonly SourceMessage[]): Promise<Set<number>> {
    const stored = new Set<number>();
    const bySource = new Map<string, number[]>();
    for (const message of messages) {
      const positions = bySource.get(message.source) ?? [];
      positions.push(message.position);
      bySource.set(message.source, positions);
    }
    for (const [source, positions] of bySource) {
      const rows = await options.warehouse.query<{ position: number }>(
        `SELECT DISTINCT position FROM ingest_deliveries
         WHERE source = {source:String} AND position BETWEEN {first:UInt64} AND {last:UInt64}`,
        { source, first: Math.min(...positions), last: Math.max(...positions) },
      );
      for (const row of rows) stored.add(Number(row.position));
    }
    return stored;
  }

  /**
   * `newSource`: the caller knows no position of these sources was stored before (a file's first import), so
   * the lookup is skipped.
   */
  async function storeBatch(
    messages: readonly SourceMessage[],
    dedupToken: string,
    batchOptions: { newSource?: boolean } = {},
  ): Promise<BatchOutcome> {
    const outcome = emptyOutcome();
    const nowMs = now();
    const ingestedAt = nowMs;
    const context: ValidationContext = { nowMs, provinceOfCommune: options.provinceOfCommune };
    const alreadyStored = batchOptions.newSource ? new Set<number>() : await storedPositions(messages);
    const rejected: RejectedMessage[] = [];
    // Rows are serialised as they are made: the chunk never holds both the objects and their NDJSON.
    let inputRows = '';
    const add = (row: object) => {
      inputRows += `${JSON.stringify(row)}\n`;
    };
    const idsInBatch = new Set<string>();
    for (const message of messages) {
      outcome.deliveries += 1;
      const result = message.reject
        ? ({ ok: false, reject: message.reject } as const)
        : message.value === null
          ? ({ ok: false, reject: { reason: 'not_json', detail: 'the message has no value (a tombstone)' } } as const)
          : validateDossierEvent(message.value, context);
      const seenBefore = alreadyStored.has(message.position);
      if (!result.ok) {
        outcome.rejected += 1;
        outcome.rejectedByReason[result.reject.reason] = (outcome.rejectedByReason[result.reject.reason] ?? 0) + 1;
        // A position stored before was sent to the DLQ then; it is counted, not sent again.
        if (!seenBefore) rejected.push({ message, reject: result.reject });
        continue;
      }
      const event = result.event;
      if (seenBefore || idsInBatch.has(event.eventId)) {
        outcome.duplicates += 1;
        if (seenBefore) outcome.redelivered += 1;
        if (!seenBefore)
          add(inputRow(message, event, ingestedAt, { store: false, unknownProcedure: false, late: false }));
        continue;
      }
      idsInBatch.add(event.eventId);
      const newest = newestSeenBySource.get(message.source) ?? Number.NEGATIVE_INFINITY;
      const late = event.occurredAtMs < newest - LATE_AFTER_MS;
      if (event.occurredAtMs > newest) newestSeenBySource.set(message.source, event.occurredAtMs);
      const unknownProcedure = !options.isKnownProcedure(event.procedureCode);
      outcome.accepted += 1;
      if (unknownProcedure) outcome.unknownProcedures += 1;
      if (late) outcome.late += 1;
      add(inputRow(message, event, ingestedAt, { store: true, unknownProcedure, late }));
    }
    for (const { message, reject } of rejected) {
      const bytes = payloadBytes(message.value);
      add({
        source: message.source,
        position: message.position,
        ingested_at: ingestedAt,
        outcome: 'rejected',
        store_event: 0,
        reason: reject.reason,
        detail: reject.detail,
        payload_sha256: createHash('sha256').update(bytes).digest('hex'),
        payload_bytes: bytes.byteLength,
      });
    }
    // Rejects reach the DLQ before their positions are recorded and committed: a crash here re-sends them (at
    // least once), while rejected_events stays exact through its source-position key.
    if (rejected.length > 0) await options.deadLetters.send(rejected);
    // One insert: the events, then (through the materialized views) the deliveries that mark them stored.
    await options.warehouse.insert('ingest_input', inputRows, { dedupToken });
    return outcome;
  }

  return { storeBatch, warehouse: options.warehouse };
}

/** A row of ingest_input: the event's columns, where it came from, and whether to store the event. */
function inputRow(
  message: SourceMessage,
  event: DossierEvent,
  ingestedAt: number,
  flags: { store: boolean; unknownProcedure: boolean; late: boolean },
) {
  return {
    event_id: event.eventId,
    event_type: event.eventType,
    occurred_at: event.occurredAtMs,
    dossier_id: event.dossierId,
    commune_code: event.communeCode,
    province_code: event.provinceCode,
    procedure_code: event.procedureCode,
    channel: event.channel,
    due_at: event.dueAtMs,
    officer_ref: event.officerRef,
    source_system: event.sourceSystem,
    status_code: event.statusCode,
    ingested_at: ingestedAt,
    source: message.source,
    position: message.position,
    outcome: 'accepted',
    store_event: flags.store ? 1 : 0,
    unknown_procedure: flags.unknownProcedure ? 1 : 0,
    late: flags.late ? 1 : 0,
  };
}

export type IngestPipeline = ReturnType<typeof createIngestPipeline>;
