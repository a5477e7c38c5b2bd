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
  | { kind: 'file'; sha256: string /** the path given at import, for people */; label: string };

export interface Source {
  readonly identity: SourceIdentity;
  /** the identity as one string: what the key is computed from */
  readonly name: string;
  /** 6 bytes of SHA-256 of the name: exact as a JavaScript number, stored as UInt64 */
  readonly key: number;
  /** the topic name or the file label */
  readonly label: string;
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
  }
}

export function sourceOf(identity: SourceIdentity): Source {
  const name = identityName(identity);
  return {
    identity,
    name,
    key: hash48(name),
    label: identity.kind === 'kafka' ? identity.topic : identity.label,
  };
}
