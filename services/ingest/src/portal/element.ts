import type { ElementBlocks, Reject } from '@commune-pulse/contracts';

/**
 * Every element of a portal source owns a block of 64 positions: its events from the first, its reject in the
 * last. A record derives 53 events at most (MAX_SUPPLEMENTS rounds of two, their return dates, and six more).
 */
export const PORTAL_BLOCKS: ElementBlocks = { format: 'portal-sync', positionsPerElement: 64 };
export const REJECT_SLOT = PORTAL_BLOCKS.positionsPerElement - 1;

/** An element larger than this is not a sync record (a record with attachments inlined, a runaway line). */
export const MAX_PORTAL_ELEMENT_BYTES = 1024 * 1024;

/** One element of a portal source, as read. */
export interface PortalElement {
  /** its ordinal in its source (line, array index, Kafka offset): ascending within a chunk */
  ordinal: number;
  /**
   * a record, an envelope or a dead letter as bytes or text (parsed here, so that the raw record with its
   * personal fields is garbage as soon as it is sanitized); null for a Kafka tombstone
   */
  value: Buffer | string | null;
  /** found before reading it (too large): its bytes are not kept, they may be personal */
  reject?: Reject;
  /** the Kafka message's timestamp, dating a bare record that came without an envelope */
  observedAtMs?: number | null;
}

/** An element too large to be a record: rejected without reading it. */
export function tooLargeElement(ordinal: number, length: number): PortalElement {
  return {
    ordinal,
    value: null,
    reject: {
      reason: 'too_large',
      detail: `the element has ${length} bytes; the limit is ${MAX_PORTAL_ELEMENT_BYTES}`,
    },
  };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** An element's JSON, or why it has none (its length at most: the bytes may be personal). */
export function parseElement(element: PortalElement): { ok: true; value: unknown } | { ok: false; reject: Reject } {
  if (element.reject) return { ok: false, reject: element.reject };
  if (element.value === null) {
    return { ok: false, reject: { reason: 'not_json', detail: 'the message has no value (a tombstone)' } };
  }
  let text: string;
  try {
    text = typeof element.value === 'string' ? element.value : UTF8.decode(element.value);
  } catch {
    return {
      ok: false,
      reject: { reason: 'not_utf8', detail: `the element is not UTF-8 (${element.value.length} bytes)` },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reject: { reason: 'not_json', detail: `the element is not JSON (length ${text.length})` } };
  }
}
