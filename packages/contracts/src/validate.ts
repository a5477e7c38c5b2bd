import type { z } from 'zod';
import { type DossierEvent, dossierEventV1, EVENT_TYPES_WITH_DUE_AT } from './dossier-event.ts';
import type { Reject, RejectReason } from './reject.ts';

export const MAX_EVENT_BYTES = 64 * 1024;
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface ValidationContext {
  /** The ingest clock; events more than 5 minutes ahead of it are rejected. */
  nowMs: number;
  /** Province code of a commune-level unit, or undefined when the registry does not know it. */
  provinceOfCommune: (communeCode: string) => string | undefined;
}

export type ValidationResult = { ok: true; event: DossierEvent } | { ok: false; reject: Reject };

const FIELD_REASONS: Record<string, RejectReason> = {
  schema: 'unsupported_schema',
  event_id: 'invalid_event_id',
  event_type: 'unknown_event_type',
  occurred_at: 'invalid_timestamp',
  due_at: 'invalid_timestamp',
  dossier_id: 'invalid_dossier_id',
  commune_code: 'invalid_commune_code',
  procedure_code: 'invalid_procedure_code',
  channel: 'invalid_channel',
  officer_ref: 'invalid_optional_field',
  source_system: 'invalid_optional_field',
  status_code: 'invalid_optional_field',
};

const REQUIRED_FIELDS = [
  'schema',
  'event_id',
  'event_type',
  'occurred_at',
  'dossier_id',
  'commune_code',
  'procedure_code',
  'channel',
] as const;

function reject(reason: RejectReason, detail: string): ValidationResult {
  return { ok: false, reject: { reason, detail } };
}

/** A short, safe rendering of an offending value for the detail text. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function rejectFromIssues(issues: z.core.$ZodIssue[], input: Record<string, unknown>): ValidationResult {
  // The schema version decides how the rest is read, so a wrong version is the reason even when other
  // fields are off too.
  const ordered = [...issues].sort((a, b) => (a.path[0] === 'schema' ? -1 : b.path[0] === 'schema' ? 1 : 0));
  const first = ordered[0];
  const field = String(first?.path[0] ?? '');
  const others = ordered.length > 1 ? ` (and ${ordered.length - 1} more problem(s))` : '';
  if (field === '' || !(field in FIELD_REASONS)) {
    return reject('not_object', `the event does not have the dossier-event/1 shape${others}`);
  }
  const reason = FIELD_REASONS[field] as RejectReason;
  return reject(reason, `${field}: ${first?.message ?? 'invalid'}; got ${shown(input[field])}${others}`);
}

/**
 * Validates one message body against dossier-event/1 and the registry. Pure: the clock and the registry come
 * from the context. Unknown fields are dropped here and never reach storage.
 */
export function validateDossierEvent(body: string | Uint8Array, context: ValidationContext): ValidationResult {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > MAX_EVENT_BYTES) {
    return reject('too_large', `the body has ${size} bytes; the limit is ${MAX_EVENT_BYTES}`);
  }
  let parsed: unknown;
  try {
    const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
    parsed = JSON.parse(text);
  } catch (error) {
    return reject('not_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
    return reject('not_object', `the body is ${kind}, not a JSON object`);
  }
  const input = parsed as Record<string, unknown>;
  const missing = REQUIRED_FIELDS.filter((field) => input[field] === undefined);
  if (missing.length > 0) {
    return reject('missing_field', `required field(s) absent: ${missing.join(', ')}`);
  }
  const result = dossierEventV1.safeParse(input);
  if (!result.success) return rejectFromIssues(result.error.issues, input);
  const wire = result.data;

  const occurredAtMs = Date.parse(wire.occurred_at);
  if (!Number.isFinite(occurredAtMs)) {
    return reject('invalid_timestamp', `occurred_at: not a real instant; got ${shown(wire.occurred_at)}`);
  }
  if (occurredAtMs > context.nowMs + MAX_CLOCK_SKEW_MS) {
    return reject(
      'future_timestamp',
      `occurred_at ${wire.occurred_at} is ahead of the ingest clock ${new Date(context.nowMs).toISOString()} by more than 5 minutes`,
    );
  }
  let dueAtMs: number | null = null;
  if (wire.due_at !== undefined) {
    dueAtMs = Date.parse(wire.due_at);
    if (!Number.isFinite(dueAtMs)) {
      return reject('invalid_timestamp', `due_at: not a real instant; got ${shown(wire.due_at)}`);
    }
  }
  if (EVENT_TYPES_WITH_DUE_AT.has(wire.event_type) && dueAtMs === null) {
    return reject('missing_due_at', `due_at is required on a ${wire.event_type} event`);
  }
  if (wire.event_type === 'received' && dueAtMs !== null && dueAtMs < occurredAtMs) {
    return reject('due_before_occurred', `due_at ${wire.due_at} is before occurred_at ${wire.occurred_at}`);
  }
  const provinceCode = context.provinceOfCommune(wire.commune_code);
  if (provinceCode === undefined) {
    return reject('unknown_commune', `commune_code ${wire.commune_code} is not a commune-level unit of the registry`);
  }
  return {
    ok: true,
    event: {
      eventId: wire.event_id,
      eventType: wire.event_type,
      occurredAtMs,
      dossierId: wire.dossier_id,
      communeCode: wire.commune_code,
      provinceCode,
      procedureCode: wire.procedure_code,
      channel: wire.channel,
      dueAtMs,
      officerRef: wire.officer_ref ?? null,
      sourceSystem: wire.source_system ?? null,
      statusCode: wire.status_code ?? null,
    },
  };
}
