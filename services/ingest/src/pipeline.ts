import { createHash } from 'node:crypto';
import type { OffsetInTransaction } from '@commune-pulse/bus';
import type { DossierEvent, Reject, RejectReason, Source, ValidationContext } from '@commune-pulse/contracts';
import { createSerialSection } from '@commune-pulse/runtime';
import { isDataRefusal, type Warehouse } from '@commune-pulse/warehouse';
import {
  type AcceptedEvent,
  type Classified,
  classifyDeliveries,
  type SourceMessage,
  summarizeFresh,
  validateMessages,
} from './chunk-plan.ts';
import type { DeadLetterItem, DeadLetterSink } from './dead-letters.ts';
import { createLedger, createRowWriter, insertToken, type LedgerRange, type RejectRow } from './ledger.ts';

export type { SourceMessage } from './chunk-plan.ts';

/** A run of consecutive positions of one source partition, cut anywhere. */
export interface SourceChunk {
  source: Source;
  partition: number;
  /** in ascending position order */
  messages: readonly SourceMessage[];
}

export interface BatchOutcome {
  /** deliveries read, each counted once per read */
  deliveries: number;
  /**
   * Events stored for the first time by this run, each counted once: by the chunk whose ledger row records it
   * (a range this process recorded before a retried attempt is counted from its ledger row, never twice). One
   * definition on every path: a file import, the Kafka consumer and the portal adapter all report the sum of
   * their chunks' outcomes; positions processed before (a file imported again, a chunk read again after a
   * rebalance or restart) are `redelivered`, never accepted.
   */
  accepted: number;
  /** deliveries of an event_id already stored with the same content */
  duplicates: number;
  /** positions processed before (a chunk read again after a restart, a file imported again): nothing done */
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

function outcomeOfRange(range: LedgerRange): BatchOutcome {
  return {
    deliveries: range.deliveries,
    accepted: range.accepted,
    duplicates: range.duplicates,
    redelivered: 0,
    rejected: range.rejected,
    rejectedByReason: range.rejectedByReason as BatchOutcome['rejectedByReason'],
    unknownProcedures: range.unknownProcedure,
    late: range.late,
  };
}

export interface IngestPipelineOptions {
  warehouse: Warehouse;
  provinceOfCommune: ValidationContext['provinceOfCommune'];
  isKnownProcedure: (procedureCode: string) => boolean;
  deadLetters: DeadLetterSink;
  /** the clock future timestamps are judged by; stored times come from the warehouse */
  now?: () => number;
}

const LATE_AFTER_MS = 24 * 3_600_000;

function payloadBytes(value: SourceMessage['value']): Buffer {
  if (value === null) return Buffer.alloc(0);
  return typeof value === 'string' ? Buffer.from(value) : value;
}

function rejectRow(message: SourceMessage, reject: Reject): RejectRow {
  const bytes = payloadBytes(message.value);
  return {
    position: message.position,
    reason: reject.reason,
    // Details are built without values; well-formed all the same, whatever a future detail may carry.
    detail: reject.detail.toWellFormed(),
    payloadSha256: createHash('sha256').update(bytes).digest('hex'),
    payloadBytes: bytes.byteLength,
  };
}

const quote = JSON.stringify;
const nullable = (value: string | number | null) => (value === null ? 'null' : quote(value));

/** The columns of an event row, in the order `eventLine` writes them. */
export const EVENT_COLUMNS = [
  'event_id',
  'event_type',
  'occurred_at',
  'dossier_id',
  'commune_code',
  'province_code',
  'procedure_code',
  'channel',
  'due_at',
  'officer_ref',
  'source_system',
  'status_code',
  'source_key',
  'partition',
  'position',
  'unknown_procedure',
  'late',
] as const;

/**
 * One row of dossier_events_store as a JSON array (the hot loop of every chunk). The enumerated fields were
 * validated against their patterns, so they go in without escaping.
 */
function eventLine(
  event: DossierEvent,
  chunk: SourceChunk,
  position: number,
  unknownProcedure: boolean,
  late: boolean,
) {
  return (
    `[${quote(event.eventId)},"${event.eventType}",${event.occurredAtMs},${quote(event.dossierId)},` +
    `"${event.communeCode}","${event.provinceCode}","${event.procedureCode}","${event.channel}",` +
    `${nullable(event.dueAtMs)},${nullable(event.officerRef)},${nullable(event.sourceSystem)},` +
    `${nullable(event.statusCode)},${chunk.source.key},${chunk.partition},${position},${unknownProcedure ? 1 : 0},${late ? 1 : 0}]\n`
  );
}

function inAny(ranges: readonly { first: number; last: number }[], position: number): boolean {
  return ranges.some((range) => range.first <= position && position <= range.last);
}

/** An event to store: its row is bytes [start, end) of the chunk's rows (`createRowWriter`). */
interface EventToStore {
  position: number;
  start: number;
  end: number;
}

type Ledger = ReturnType<typeof createLedger>;

/**
 * Inserts the events (their rows are consecutive in `rows`); rows the warehouse refuses as data are isolated by
 * halving and returned.
 */
async function storeIsolating(
  ledger: Ledger,
  chunk: SourceChunk,
  rows: Buffer,
  events: readonly EventToStore[],
): Promise<EventToStore[]> {
  if (events.length === 0) return [];
  const positions = events.map((event) => event.position);
  try {
    await ledger.insertEvents(
      rows.subarray((events[0] as EventToStore).start, (events[events.length - 1] as EventToStore).end),
      EVENT_COLUMNS,
      insertToken('events', chunk.source, chunk.partition, positions),
    );
    return [];
  } catch (error) {
    if (!isDataRefusal(error)) throw error;
    if (events.length === 1) return [...events];
    const half = Math.ceil(events.length / 2);
    return [
      ...(await storeIsolating(ledger, chunk, rows, events.slice(0, half))),
      ...(await storeIsolating(ledger, chunk, rows, events.slice(half))),
    ];
  }
}

/**
 * Looks the validated events' ids up in the claims and claims the new ones (the caller holds the claim lock);
 * for events an interrupted attempt claimed from this very position, says which of them were stored.
 */
async function claimNewEvents(ledger: Ledger, chunk: SourceChunk, validated: ReturnType<typeof validateMessages>) {
  const unique = new Set<string>();
  for (const item of validated) if (item.ok) unique.add(item.event.eventId);
  const ids = [...unique];
  const claims = await ledger.claimsFor(ids);
  const classified = classifyDeliveries(validated, claims, { sourceKey: chunk.source.key, partition: chunk.partition });
  const eventOf = (item: Classified) => (item.verdict as { event: DossierEvent }).event;
  const resumed = classified.filter((item) => item.verdict.kind === 'resumed');
  const alreadyStored = await ledger.storedEvents(
    resumed.map((item) => {
      const event = eventOf(item);
      return { communeCode: event.communeCode, dossierId: event.dossierId, eventId: event.eventId };
    }),
  );
  const newOnes = classified.filter((item) => item.verdict.kind === 'new');
  await ledger.insertClaims(
    newOnes.map((item) => ({
      eventId: eventOf(item).eventId,
      fingerprint: (item.verdict as { fingerprint: number }).fingerprint,
      partition: chunk.partition,
      position: item.message.position,
    })),
    chunk.source,
    insertToken(
      'claims',
      chunk.source,
      chunk.partition,
      newOnes.map((item) => item.message.position),
    ),
  );
  return { classified, alreadyStored };
}

/** The dead letters of a covered range whose send was never marked (a crash between ledger and mark). */
async function unsentLetters(ledger: Ledger, sinkId: string, chunk: SourceChunk, covered: readonly LedgerRange[]) {
  const letters: DeadLetterItem[] = [];
  const ranges: { first: number; last: number }[] = [];
  if (!covered.some((range) => range.deadLetters > 0)) return { letters, ranges };
  const byPosition = new Map(chunk.messages.map((message) => [message.position, message]));
  const first = chunk.messages[0]?.position ?? 0;
  const last = chunk.messages[chunk.messages.length - 1]?.position ?? 0;
  for (const range of covered) {
    if (range.deadLetters === 0) continue;
    const span = { first: Math.max(range.first, first), last: Math.min(range.last, last) };
    const marked = await ledger.markedRanges(sinkId, chunk.source, chunk.partition, span.first, span.last);
    const rejects = await ledger.rejectsAt(chunk.source, chunk.partition, span.first, span.last);
    const before = letters.length;
    for (const row of rejects) {
      const message = byPosition.get(row.position);
      if (message === undefined || inAny(marked, row.position)) continue;
      letters.push({
        source: chunk.source,
        partition: chunk.partition,
        message,
        reject: { reason: row.reason as RejectReason, detail: row.detail },
      });
    }
    if (letters.length > before) ranges.push(span);
  }
  return { letters, ranges };
}

/** Records the rejects, except positions an interrupted attempt recorded already. */
async function recordRejects(
  ledger: Ledger,
  chunk: SourceChunk,
  range: { first: number; last: number },
  rejects: readonly { message: SourceMessage; reject: Reject }[],
): Promise<void> {
  if (rejects.length === 0) return;
  const { source, partition } = chunk;
  const recorded = new Set(
    (await ledger.rejectsAt(source, partition, range.first, range.last)).map((row) => row.position),
  );
  const rows = rejects.filter(({ message }) => !recorded.has(message.position));
  await ledger.insertRejects(
    source,
    partition,
    rows.map(({ message, reject }) => rejectRow(message, reject)),
    insertToken(
      'rejects',
      source,
      partition,
      rows.map(({ message }) => message.position),
    ),
  );
}

/** The accepted events, each judged late or of an unknown procedure, and the rows of those to store. */
function acceptedEvents(
  chunk: SourceChunk,
  classified: readonly Classified[],
  alreadyStored: Set<string>,
  judge: { newestSeenBySource: Map<number, number>; isKnownProcedure: (procedureCode: string) => boolean },
) {
  const { newestSeenBySource } = judge;
  const accepted: AcceptedEvent[] = [];
  const toStore: EventToStore[] = [];
  const rows = createRowWriter(classified.length * 320);
  for (const item of classified) {
    const { verdict } = item;
    if (verdict.kind !== 'new' && verdict.kind !== 'resumed') continue;
    const { event } = verdict;
    const newest = newestSeenBySource.get(chunk.source.key) ?? Number.NEGATIVE_INFINITY;
    const late = event.occurredAtMs < newest - LATE_AFTER_MS;
    if (event.occurredAtMs > newest) newestSeenBySource.set(chunk.source.key, event.occurredAtMs);
    const unknownProcedure = !judge.isKnownProcedure(event.procedureCode);
    accepted.push({ item, event, unknownProcedure, late });
    if (verdict.kind === 'new' || !alreadyStored.has(event.eventId)) {
      const position = item.message.position;
      const start = rows.length;
      const end = rows.write(eventLine(event, chunk, position, unknownProcedure, late));
      toStore.push({ position, start, end });
    }
  }
  return { accepted, toStore, rows: rows.rows() };
}

/**
 * Stores chunks exactly once (docs/design/exactly-once.md): skips positions the ledger covers, claims event ids,
 * stores the new events, records rejects and the ledger row, then sends the dead letters and marks them. The same
 * code serves Kafka partitions and file imports; a Kafka caller commits its offset after `storeChunk` resolves.
 */
export function createIngestPipeline(options: IngestPipelineOptions) {
  const now = options.now ?? Date.now;
  const { warehouse, deadLetters } = options;
  const ledger = createLedger(warehouse);
  // Checking then claiming event ids, and sending dead letters then marking them, never interleave in a process.
  const claimSection = createSerialSection();
  const deadLetterSection = createSerialSection();
  const newestSeenBySource = new Map<number, number>();
  // Ledger rows this pipeline inserted: if an insert's acknowledgement was lost, the retry finds the range covered
  // and counts it as this run's work, not as a redelivery.
  const recordedHere = new Set<string>();
  const rangeKey = (chunk: SourceChunk, range: { first: number }) =>
    `${chunk.source.key}:${chunk.partition}:${range.first}`;
  let ready: Promise<void> | null = null;

  function prepare(source: Source): Promise<void> {
    ready ??= (async () => {
      if (!deadLetters.recover) return;
      const marked = await ledger.lastMarkedSize(deadLetters.id);
      await deadLetters.recover(marked);
      // A sink used for the first time: its size now is the baseline an unmarked send is cut back to.
      if (marked === null)
        await ledger.insertMark(deadLetters.id, null, 0, { first: 0, last: 0 }, await deadLetters.size());
    })();
    return ready.then(() => ledger.registerSource(source));
  }

  /** Steps 2–6 for the positions the ledger does not cover: validate, claim, store, rejects, ledger row. */
  async function storeFresh(chunk: SourceChunk, fresh: readonly SourceMessage[]) {
    const { source, partition } = chunk;
    const validated = validateMessages(fresh, { nowMs: now(), provinceOfCommune: options.provinceOfCommune });
    const { classified, alreadyStored } = await claimSection.run(() => claimNewEvents(ledger, chunk, validated));
    const { accepted, toStore, rows } = acceptedEvents(chunk, classified, alreadyStored, {
      newestSeenBySource,
      isKnownProcedure: options.isKnownProcedure,
    });

    // Rows the warehouse refuses as data become rejects and give their claims back.
    const refused = new Set((await storeIsolating(ledger, chunk, rows, toStore)).map((event) => event.position));
    if (refused.size > 0) await ledger.deleteClaims(source, partition, [...refused]);

    const { ledgerRow, rejects } = summarizeFresh(fresh, classified, accepted, refused);
    await recordRejects(ledger, chunk, ledgerRow, rejects);

    // The ledger row: from here on the range is covered.
    recordedHere.add(rangeKey(chunk, ledgerRow));
    await ledger.insertLedgerRow(
      source,
      partition,
      ledgerRow,
      insertToken(
        'ledger',
        source,
        partition,
        fresh.map((message) => message.position),
      ),
    );
    recordedHere.delete(rangeKey(chunk, ledgerRow));
    return { ledgerRow, rejects };
  }

  async function storeChunk(chunk: SourceChunk, commit?: { offset?: OffsetInTransaction }): Promise<BatchOutcome> {
    const { source, partition, messages } = chunk;
    let outcome = emptyOutcome();
    if (messages.length === 0) return outcome;
    await prepare(source);
    const first = (messages[0] as SourceMessage).position;
    const last = (messages[messages.length - 1] as SourceMessage).position;

    // 1. Positions the ledger covers were processed before: nothing is stored or counted again.
    const covered = await ledger.coveredRanges(source, partition, first, last);
    const fresh: SourceMessage[] = [];
    for (const message of messages) {
      const range = covered.find(
        (candidate) => candidate.first <= message.position && message.position <= candidate.last,
      );
      if (range === undefined) fresh.push(message);
      else if (!recordedHere.has(rangeKey(chunk, range))) {
        outcome.deliveries += 1;
        outcome.redelivered += 1;
      }
    }
    for (const range of covered) {
      if (recordedHere.delete(rangeKey(chunk, range))) outcome = addOutcome(outcome, outcomeOfRange(range));
    }

    // 2–6. Validate, claim (locked), store, rejects, ledger row.
    const letters: DeadLetterItem[] = [];
    const markRanges: { first: number; last: number }[] = [];
    if (fresh.length > 0) {
      const { ledgerRow, rejects } = await storeFresh(chunk, fresh);
      outcome = addOutcome(outcome, outcomeOfRange(ledgerRow));
      for (const { message, reject } of rejects) letters.push({ source, partition, message, reject });
      if (rejects.length > 0) markRanges.push({ first: ledgerRow.first, last: ledgerRow.last });
    }

    // 7. Dead letters (with the offset, in one transaction, where the sink can), then their mark.
    await deadLetterSection.run(async () => {
      const unsent = await unsentLetters(ledger, deadLetters.id, chunk, covered);
      letters.push(...unsent.letters);
      markRanges.push(...unsent.ranges);
      if (letters.length === 0 && markRanges.length === 0) return;
      const size = await deadLetters.send(
        source,
        partition,
        letters,
        deadLetters.transactional ? commit?.offset : undefined,
      );
      for (const range of markRanges) await ledger.insertMark(deadLetters.id, source, partition, range, size);
    });
    return outcome;
  }

  return { storeChunk, warehouse };
}

export type IngestPipeline = ReturnType<typeof createIngestPipeline>;
