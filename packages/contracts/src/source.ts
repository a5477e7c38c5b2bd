import { createHash } from 'node:crypto';

/**
 * Where deliveries come from. A Kafka topic is known by its cluster and its topic id, never by its name alone:
 * a topic deleted and created again is another source, and so is the same name on another cluster. A file is
 * known by the hash of its bytes, so the same content imported under another name is the same source.
 */
export type SourceIdentity =
  | {
      kind: 'kafka';
      clusterId: string;
      topic: string;
      /** the topic's UUID; `epoch-<n>` where the broker cannot tell it (see docs/design/exactly-once.md) */
      topicId: string;
    }
  | { kind: 'file'; sha256: string /** the path given at import, for people */; label: string }
  /**
   * An append-only journal segment (the portal receiver's): its bytes grow while it is read, so it is known by
   * the random id it was named with when it was created, not by a hash of its content.
   */
  | { kind: 'journal'; segmentId: string; label: string };

/**
 * Elements of another format than dossier-event/1 (the portal's sync records), which an adapter maps to events
 * itself: each element owns a block of positions (its events, then its reject), so position = element ×
 * positionsPerElement + slot. Such a source is never the same source as the same bytes read as events: the
 * blocks are part of its identity.
 */
export interface ElementBlocks {
  format: string;
  positionsPerElement: number;
}

export interface Source {
  readonly identity: SourceIdentity;
  /** the identity as one string: what the key is computed from */
  readonly name: string;
  /** 6 bytes of SHA-256 of the name: exact as a JavaScript number, stored as UInt64 */
  readonly key: number;
  /** the topic name or the file label */
  readonly label: string;
  /** set when each element of the source owns a block of positions */
  readonly blocks?: ElementBlocks;
}

/** A position of a source: Kafka partition and offset, or partition 0 and a 1-based line (or record) number. */
export interface SourcePosition {
  source: Source;
  partition: number;
  position: number;
}

/** The first 6 bytes of SHA-256, big-endian: the same number in SQL (`reinterpretAsUInt64(reverse(substring(SHA256(x), 1, 6)))`). */
export function hash48(text: string): number {
  return createHash('sha256').update(text).digest().readUIntBE(0, 6);
}

function identityName(identity: SourceIdentity): string {
  switch (identity.kind) {
    case 'kafka':
      return `kafka:${identity.clusterId}:${identity.topicId}`;
    case 'file':
      // 32 hex digits: the form the warehouse used before the ledger kept ranges, so earlier imports still match
      return `file:${identity.sha256.slice(0, 32)}`;
    case 'journal':
      return `journal:${identity.segmentId}`;
  }
}

export function sourceOf(identity: SourceIdentity, blocks?: ElementBlocks): Source {
  const base = identityName(identity);
  const name = blocks === undefined ? base : `${blocks.format}/${blocks.positionsPerElement}:${base}`;
  return {
    identity,
    name,
    key: hash48(name),
    label: identity.kind === 'kafka' ? identity.topic : identity.label,
    ...(blocks === undefined ? {} : { blocks }),
  };
}

/** The element a position belongs to: the Kafka offset or line where a reader finds the original. */
export function elementOf(source: Source, position: number): number {
  return source.blocks === undefined ? position : Math.floor(position / source.blocks.positionsPerElement);
}
