import type { SanitizedRecord } from './records.ts';

/** The portal's three sync calls: create a dossier, update it, sync its processing history. */
export const PORTAL_CALLS = ['ThemMoi', 'CapNhat', 'DongBoTienTrinh'] as const;
export type PortalCall = (typeof PORTAL_CALLS)[number];

/**
 * One record of an accepted sync call, as the receiver makes it durable (a line of its journal, a message on
 * portal-dossiers.v1 keyed by MaHoSo) and as `simulate --format portal` writes a sync log: the sanitized
 * record, the call it came in, the sender's province and when the call arrived. The arrival time dates what
 * a record shows only by comparison with the dossier's previous record (a moved return date).
 */
export interface PortalEnvelope {
  portal_call: PortalCall;
  /** the sending province (its token), when the record came through the receiver */
  province_code?: string | undefined;
  /** RFC 3339 */
  received_at: string;
  record: SanitizedRecord;
}

/** What the mapping needs of one input element, whatever wrapped it. */
export interface PortalInput {
  record: unknown;
  call: PortalCall | null;
  provinceCode: string | null;
  observedAtMs: number | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Unwraps an element of an export, a journal line, a Kafka message or a dead letter (`{topic, headers,
 * value}` as the local DLQ file writes it, so that dead letters can be imported again once fixed): an envelope
 * gives its record, call, province and arrival time; anything else is taken as a bare record.
 */
export function portalInputOf(value: unknown): PortalInput {
  if (isObject(value) && typeof value.topic === 'string' && isObject(value.headers) && 'value' in value) {
    if (typeof value.value !== 'string')
      return { record: value.value, call: null, provinceCode: null, observedAtMs: null };
    try {
      return portalInputOf(JSON.parse(value.value));
    } catch {
      return { record: value.value, call: null, provinceCode: null, observedAtMs: null };
    }
  }
  if (isObject(value) && 'record' in value && typeof value.portal_call === 'string') {
    const at = typeof value.received_at === 'string' ? Date.parse(value.received_at) : Number.NaN;
    return {
      record: value.record,
      call: (PORTAL_CALLS as readonly string[]).includes(value.portal_call) ? (value.portal_call as PortalCall) : null,
      provinceCode: typeof value.province_code === 'string' ? value.province_code : null,
      observedAtMs: Number.isFinite(at) ? at : null,
    };
  }
  return { record: value, call: null, provinceCode: null, observedAtMs: null };
}
