import type { Source } from '@commune-pulse/contracts';
import type { Warehouse } from '@commune-pulse/warehouse';

/**
 * The write path's state in the warehouse (docs/design/exactly-once.md): the ledger of processed ranges, the
 * event_id claims, the rejects, the dead-letter marks. Every query here reads by a primary-key prefix.
 */

export interface LedgerRange {
  first: number;
  last: number;
  deliveries: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  unknownProcedure: number;
  late: number;
  deadLetters: number;
}

export interface Claim {
  eventId: string;
  fingerprint: number;
  sourceKey: number;
  partition: number;
  position: number;
}

export interface RejectRow {
  position: number;
  reason: string;
  detail: string;
  payloadSha256: string;
  payloadBytes: number;
}

export interface LedgerRow extends LedgerRange {
  /** the communes whose events this range stored, each with the earliest occurred_at among them */
  touchedCommunes: string[];
  touchedFromMs: number[];
  /** the latest occurred_at among them (0 when none): how far the data reaches */
  latestOccurredMs: number;
}

export interface StoredEventKey {
  communeCode: string;
  dossierId: string;
  eventId: string;
}

/**
 * An insert deduplication token that changes with the rows: a retry that writes other rows of the range (only
 * those an interrupted attempt did not) never matches it. The positions enter by count and sum: two different
 * sets of positions with the same first, last, count and sum do not occur in one range's retries.
 */
export function insertToken(kind: string, source: Source, partition: number, positions: readonly number[]): string {
  let sum = 0;
  for (const position of positions) {
    // (sum + position) % MAX_SAFE_INTEGER, the remainder taken only when it changes the value (it cost 3 % of an
    // import taken on every position)
    sum += position;
    if (sum >= Number.MAX_SAFE_INTEGER) sum %= Number.MAX_SAFE_INTEGER;
  }
  const first = positions[0] ?? 0;
  const last = positions[positions.length - 1] ?? 0;
  return `${kind}:${source.key}:${partition}:${first}-${last}:${positions.length}:${sum}`;
}

/**
 * A chunk's rows written as UTF-8 into one growing buffer as they are made: no string per row is kept alive
 * while the chunk waits on the warehouse, no long concatenation to flatten, and the embedded engine gets the
 * bytes without another copy (a chunk's text built with `+=` cost as much again to flatten and encode).
 */
export function createRowWriter(expectedBytes: number) {
  let bytes = Buffer.allocUnsafe(Math.max(64 * 1024, expectedBytes));
  let length = 0;
  return {
    /** Appends a row; returns where it ends (it starts where the previous one ended). */
    write(row: string): number {
      const worstCase = length + row.length * 3;
      if (worstCase > bytes.length) {
        const grown = Buffer.allocUnsafe(Math.max(worstCase, bytes.length * 2));
        bytes.copy(grown, 0, 0, length);
        bytes = grown;
      }
      length += bytes.write(row, length);
      return length;
    },
    get length() {
      return length;
    },
    rows: () => bytes.subarray(0, length),
  };
}

/** The ledger of processed ranges of each source and partition, and the sources themselves. */
function createPositionLedger(warehouse: Warehouse) {
  const registered = new Set<number>();
  return {
    /** Records the source's identity once per process (ReplacingMergeTree: repeats are harmless). */
    async registerSource(source: Source): Promise<void> {
      if (registered.has(source.key)) return;
      const { identity } = source;
      await warehouse.insert('ingest_sources', [
        {
          source_key: source.key,
          identity: source.name,
          kind: identity.kind,
          label: source.label,
          cluster_id: identity.kind === 'kafka' ? identity.clusterId : '',
          topic_id: identity.kind === 'kafka' ? identity.topicId : '',
        },
      ]);
      registered.add(source.key);
    },

    /** The ledger ranges of a partition that overlap [first, last]. */
    async coveredRanges(source: Source, partition: number, first: number, last: number): Promise<LedgerRange[]> {
      const rows = await warehouse.query<{
        first_position: number;
        last_position: number;
        deliveries: number;
        accepted: number;
        duplicates: number;
        rejected: number;
        rejected_by_reason: Record<string, number>;
        unknown_procedure: number;
        late: number;
        dead_letters: number;
      }>(
        `SELECT first_position, last_position, deliveries, accepted, duplicates, rejected, rejected_by_reason,
                unknown_procedure, late, dead_letters
         FROM ingest_ledger
         WHERE source_key = {key:UInt64} AND partition = {partition:UInt32}
           AND first_position <= {last:UInt64} AND last_position >= {first:UInt64}
         ORDER BY first_position`,
        { key: source.key, partition, first, last },
      );
      return rows.map((row) => ({
        first: Number(row.first_position),
        last: Number(row.last_position),
        deliveries: Number(row.deliveries),
        accepted: Number(row.accepted),
        duplicates: Number(row.duplicates),
        rejected: Number(row.rejected),
        rejectedByReason: Object.fromEntries(
          Object.entries(row.rejected_by_reason).map(([reason, count]) => [reason, Number(count)]),
        ),
        unknownProcedure: Number(row.unknown_procedure),
        late: Number(row.late),
        deadLetters: Number(row.dead_letters),
      }));
    },

    /** The largest position the ledger holds for a partition (null when none): compared with a high watermark. */
    async lastRecordedPosition(source: Source, partition: number): Promise<number | null> {
      const [row] = await warehouse.query<{ last: number | null }>(
        `SELECT max(last_position) AS last FROM ingest_ledger
         WHERE source_key = {key:UInt64} AND partition = {partition:UInt32} HAVING count() > 0`,
        { key: source.key, partition },
      );
      return row?.last === undefined || row.last === null ? null : Number(row.last);
    },

    async insertLedgerRow(source: Source, partition: number, row: LedgerRow, token: string): Promise<void> {
      await warehouse.insert(
        'ingest_ledger',
        [
          {
            source_key: source.key,
            partition,
            first_position: row.first,
            last_position: row.last,
            deliveries: row.deliveries,
            accepted: row.accepted,
            duplicates: row.duplicates,
            rejected: row.rejected,
            rejected_by_reason: row.rejectedByReason,
            unknown_procedure: row.unknownProcedure,
            late: row.late,
            dead_letters: row.deadLetters,
            touched_communes: row.touchedCommunes,
            touched_from_ms: row.touchedFromMs,
            latest_occurred_ms: row.latestOccurredMs,
          },
        ],
        { dedupToken: token },
      );
    },

    /** The retention of the position ledger, applied at start when it differs from the table's. */
    async applyRetention(days: number): Promise<void> {
      const [row] = await warehouse.query<{ create_table_query: string }>(
        "SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = 'ingest_ledger'",
      );
      const current = /INTERVAL (\d+) DAY/.exec(row?.create_table_query ?? '')?.[1];
      if (current !== undefined && Number(current) === days) return;
      await warehouse.command(
        `ALTER TABLE ingest_ledger MODIFY TTL toDateTime(recorded_at) + INTERVAL ${Math.trunc(days)} DAY`,
      );
      await warehouse.command(
        `ALTER TABLE derived_chunks MODIFY TTL toDateTime(derived_at) + INTERVAL ${Math.trunc(days) + 1} DAY`,
      );
    },
  };
}

/** The event_id claims and the stored events they guard. */
function createClaimStore(warehouse: Warehouse) {
  return {
    async claimsFor(eventIds: readonly string[]): Promise<Map<string, Claim>> {
      const claims = new Map<string, Claim>();
      if (eventIds.length === 0) return claims;
      const rows = await warehouse.query<{
        event_id: string;
        fingerprint: number;
        source_key: number;
        partition: number;
        position: number;
      }>(
        `SELECT event_id, fingerprint, source_key, partition, position FROM event_id_claims
         WHERE event_id IN {ids:Array(String)}`,
        { ids: eventIds },
      );
      for (const row of rows) {
        // Several claims of one id exist only after the cross-process race the design states; the first wins.
        if (claims.has(row.event_id)) continue;
        claims.set(row.event_id, {
          eventId: row.event_id,
          fingerprint: Number(row.fingerprint),
          sourceKey: Number(row.source_key),
          partition: Number(row.partition),
          position: Number(row.position),
        });
      }
      return claims;
    },

    async insertClaims(
      rows: readonly { eventId: string; fingerprint: number; partition: number; position: number }[],
      source: Source,
      token: string,
    ): Promise<void> {
      const text = createRowWriter(rows.length * 64);
      for (const row of rows) {
        text.write(
          `[${JSON.stringify(row.eventId)},${row.fingerprint},${source.key},${row.partition},${row.position}]\n`,
        );
      }
      await warehouse.insert('event_id_claims', text.rows(), {
        dedupToken: token,
        compactColumns: ['event_id', 'fingerprint', 'source_key', 'partition', 'position'],
      });
    },

    async deleteClaims(source: Source, partition: number, positions: readonly number[]): Promise<void> {
      if (positions.length === 0) return;
      await warehouse.command(
        `DELETE FROM event_id_claims
         WHERE source_key = {key:UInt64} AND partition = {partition:UInt32} AND position IN {positions:Array(UInt64)}`,
        { key: source.key, partition, positions },
      );
    },

    /** Of these events, those in dossier_events_store (by its primary key). */
    async storedEvents(keys: readonly StoredEventKey[]): Promise<Set<string>> {
      const stored = new Set<string>();
      if (keys.length === 0) return stored;
      const rows = await warehouse.query<{ event_id: string }>(
        `SELECT event_id FROM dossier_events_store
         WHERE (commune_code, dossier_id, event_id) IN
               (SELECT tupleElement(k, 1), tupleElement(k, 2), tupleElement(k, 3)
                FROM (SELECT arrayJoin(arrayZip({communes:Array(String)}, {dossiers:Array(String)}, {ids:Array(String)})) AS k))`,
        {
          communes: keys.map((key) => key.communeCode),
          dossiers: keys.map((key) => key.dossierId),
          ids: keys.map((key) => key.eventId),
        },
      );
      for (const row of rows) stored.add(row.event_id);
      return stored;
    },

    /** Rows as JSON arrays in the order of `columns`, one a line, as UTF-8 bytes. */
    async insertEvents(rows: Buffer, columns: readonly string[], token: string): Promise<void> {
      await warehouse.insert('dossier_events_store', rows, { dedupToken: token, compactColumns: columns });
    },
  };
}

/** The rejects of each position and the marks of dead letters sent. */
function createRejectStore(warehouse: Warehouse) {
  return {
    async rejectsAt(source: Source, partition: number, first: number, last: number): Promise<RejectRow[]> {
      const rows = await warehouse.query<{
        position: number;
        reason: string;
        detail: string;
        payload_sha256: string;
        payload_bytes: number;
      }>(
        `SELECT position, reason, detail, payload_sha256, payload_bytes FROM ingest_rejects
         WHERE source_key = {key:UInt64} AND partition = {partition:UInt32}
           AND position BETWEEN {first:UInt64} AND {last:UInt64}`,
        { key: source.key, partition, first, last },
      );
      return rows.map((row) => ({
        position: Number(row.position),
        reason: row.reason,
        detail: row.detail,
        payloadSha256: row.payload_sha256,
        payloadBytes: Number(row.payload_bytes),
      }));
    },

    async insertRejects(source: Source, partition: number, rows: readonly RejectRow[], token: string): Promise<void> {
      await warehouse.insert(
        'ingest_rejects',
        rows.map((row) => ({
          source_key: source.key,
          partition,
          position: row.position,
          reason: row.reason,
          detail: row.detail,
          payload_sha256: row.payloadSha256,
          payload_bytes: row.payloadBytes,
        })),
        { dedupToken: token },
      );
    },

    /** The ranges of [first, last] whose dead letters reached this sink. */
    async markedRanges(
      sink: string,
      source: Source,
      partition: number,
      first: number,
      last: number,
    ): Promise<{ first: number; last: number }[]> {
      const rows = await warehouse.query<{ first_position: number; last_position: number }>(
        `SELECT first_position, last_position FROM dead_letter_marks
         WHERE sink = {sink:String} AND source_key = {key:UInt64} AND partition = {partition:UInt32}
           AND first_position <= {last:UInt64} AND last_position >= {first:UInt64}`,
        { sink, key: source.key, partition, first, last },
      );
      return rows.map((row) => ({ first: Number(row.first_position), last: Number(row.last_position) }));
    },

    /** `source` null: the baseline mark of a sink used for the first time. */
    async insertMark(
      sink: string,
      source: Source | null,
      partition: number,
      range: { first: number; last: number },
      sinkBytes: number,
    ): Promise<void> {
      await warehouse.insert('dead_letter_marks', [
        {
          sink,
          source_key: source?.key ?? 0,
          partition,
          first_position: range.first,
          last_position: range.last,
          sink_bytes: sinkBytes,
        },
      ]);
    },

    /** The sink's size recorded by its last mark (a DLQ file's length), or null when it has none. */
    async lastMarkedSize(sink: string): Promise<number | null> {
      const [row] = await warehouse.query<{ bytes: number }>(
        'SELECT max(sink_bytes) AS bytes FROM dead_letter_marks WHERE sink = {sink:String} HAVING count() > 0',
        { sink },
      );
      return row === undefined ? null : Number(row.bytes);
    },
  };
}

/** The write path's state: positions, claims, rejects and marks, each read by a primary-key prefix. */
export function createLedger(warehouse: Warehouse) {
  return { ...createPositionLedger(warehouse), ...createClaimStore(warehouse), ...createRejectStore(warehouse) };
}

export type Ledger = ReturnType<typeof createLedger>;
