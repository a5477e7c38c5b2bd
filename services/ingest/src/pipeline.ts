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

function sqlTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function eventRow(event: DossierEvent, ingestedAt: string) {
  return {
    event_id: event.eventId,
    event_type: event.eventType,
    occurred_at: sqlTime(event.occurredAtMs),
    dossier_id: event.dossierId,
    commune_code: event.communeCode,
    province_code: event.provinceCode,
    procedure_code: event.procedureCode,
    channel: event.channel,
    due_at: sqlTime(event.dueAtMs),
    officer_ref: event.officerRef,
    source_system: event.sourceSystem,
    status_code: event.statusCode,
    ingested_at: ingestedAt,
  };
}

function payloadBytes(value: SourceMessage['value']): Buffer {
  if (value === null) return Buffer.alloc(0);
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/**
 * Validate, drop unknown fields, deduplicate and store one batch. The same code serves Kafka partitions and
 * file imports; the caller commits its position only after `storeBatch` resolves.
 *
 * Exactly once: the batch's inserts carry deduplication tokens derived from the source positions, so an
 * identical retry is dropped by the engine; events already stored are filtered by event_id before insert, so
 * a retry cut differently (a consumer that restarted) adds nothing either; deliveries are keyed by source
 * position, so every count derived from them is exact however often a position is retried.
 */
export function createIngestPipeline(options: IngestPipelineOptions) {
  const now = options.now ?? Date.now;
  const newestSeenBySource = new Map<string, number>();

  async function findStored(events: DossierEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    // The primary key starts with (commune_code, dossier_id): filtering on both prunes the lookup to the
    // granules of this batch's dossiers instead of scanning every event_id.
    const rows = await options.warehouse.query<{ event_id: string }>(
      `SELECT event_id FROM dossier_events
       WHERE commune_code IN {communes:Array(String)} AND dossier_id IN {dossiers:Array(String)}
         AND event_id IN {ids:Array(String)}`,
      {
        communes: [...new Set(events.map((e) => e.communeCode))],
        dossiers: [...new Set(events.map((e) => e.dossierId))],
        ids: events.map((e) => e.eventId),
      },
    );
    return new Set(rows.map((row) => row.event_id));
  }

  async function storeBatch(messages: readonly SourceMessage[], dedupToken: string): Promise<BatchOutcome> {
    const outcome = emptyOutcome();
    const nowMs = now();
    const ingestedAt = new Date(nowMs).toISOString();
    const context: ValidationContext = { nowMs, provinceOfCommune: options.provinceOfCommune };
    const rejected: RejectedMessage[] = [];
    const candidates: { event: DossierEvent; message: SourceMessage; late: boolean }[] = [];
    for (const message of messages) {
      outcome.deliveries += 1;
      const result =
        message.value === null
          ? ({ ok: false, reject: { reason: 'not_json', detail: 'the message has no value (a tombstone)' } } as const)
          : validateDossierEvent(message.value, context);
      if (!result.ok) {
        rejected.push({ message, reject: result.reject });
        continue;
      }
      const newest = newestSeenBySource.get(message.source) ?? Number.NEGATIVE_INFINITY;
      const late = result.event.occurredAtMs < newest - LATE_AFTER_MS;
      if (result.event.occurredAtMs > newest) newestSeenBySource.set(message.source, result.event.occurredAtMs);
      candidates.push({ event: result.event, message, late });
    }

    const stored = await findStored(candidates.map((c) => c.event));
    const fresh: DossierEvent[] = [];
    const freshIds = new Set<string>();
    const deliveryRows: object[] = [];
    for (const { event, message, late } of candidates) {
      const isNew = !stored.has(event.eventId) && !freshIds.has(event.eventId);
      const unknownProcedure = !options.isKnownProcedure(event.procedureCode);
      if (isNew) {
        freshIds.add(event.eventId);
        fresh.push(event);
        outcome.accepted += 1;
        if (unknownProcedure) outcome.unknownProcedures += 1;
        if (late) outcome.late += 1;
      } else {
        outcome.duplicates += 1;
      }
      deliveryRows.push({
        source: message.source,
        position: message.position,
        ingested_at: ingestedAt,
        outcome: 'accepted',
        event_id: event.eventId,
        commune_code: event.communeCode,
        occurred_at: sqlTime(event.occurredAtMs),
        unknown_procedure: unknownProcedure ? 1 : 0,
        late: late ? 1 : 0,
        reason: '',
        detail: '',
        payload_sha256: '',
        payload_bytes: 0,
      });
    }
    for (const { message, reject } of rejected) {
      outcome.rejected += 1;
      outcome.rejectedByReason[reject.reason] = (outcome.rejectedByReason[reject.reason] ?? 0) + 1;
      const bytes = payloadBytes(message.value);
      deliveryRows.push({
        source: message.source,
        position: message.position,
        ingested_at: ingestedAt,
        outcome: 'rejected',
        event_id: '',
        commune_code: '',
        occurred_at: null,
        unknown_procedure: 0,
        late: 0,
        reason: reject.reason,
        detail: reject.detail,
        payload_sha256: createHash('sha256').update(bytes).digest('hex'),
        payload_bytes: bytes.byteLength,
      });
    }

    // Rejects reach the DLQ before the position is committed: a crash here re-sends them (at least once),
    // while rejected_events stays exact through its source-position key.
    if (rejected.length > 0) await options.deadLetters.send(rejected);
    await options.warehouse.insert('ingest_deliveries', deliveryRows, { dedupToken: `${dedupToken}:deliveries` });
    await options.warehouse.insert(
      'dossier_events',
      fresh.map((event) => eventRow(event, ingestedAt)),
      { dedupToken: `${dedupToken}:events` },
    );
    return outcome;
  }

  return { storeBatch };
}

export type IngestPipeline = ReturnType<typeof createIngestPipeline>;
