import { regexes, type z } from 'zod';
import {
  CHANNELS,
  DOSSIER_EVENT_SCHEMA_ID,
  DOSSIER_EVENT_TYPES,
  type DossierEvent,
  type DossierEventV1,
  dossierEventV1,
  EVENT_TYPES_WITH_DUE_AT,
} from './dossier-event.ts';
import type { Reject, RejectReason } from './reject.ts';

export const MAX_EVENT_BYTES = 64 * 1024;
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** The earliest instant an event or a due date may carry: older dates are typing errors, not dossiers. */
export const EARLIEST_EVENT_MS = Date.parse('2000-01-01T00:00:00Z');
/** The latest due date the warehouse can store (DateTime64 ends in 2299). */
export const LATEST_DUE_MS = Date.parse('2299-12-31T00:00:00Z');

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

const STRING_FIELDS = ['event_id', 'dossier_id', 'officer_ref', 'source_system'] as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function reject(reason: RejectReason, detail: string): ValidationResult {
  return { ok: false, reject: { reason, detail } };
}

/** What a value is, without the value: its JSON type, and its length where it has one. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} item(s)`;
  if (typeof value === 'string') return `a string of ${[...value].length} character(s)`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
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
  // zod's messages name the rule (pattern, length, allowed options), never the value
  return reject(reason, `${field}: ${first?.message ?? 'invalid'}; got ${describeValue(input[field])}${others}`);
}

const EVENT_ID = /^[A-Za-z0-9._:-]{8,64}$/;
const DOSSIER_ID = /^[^\p{Cc}]{1,64}$/u;
const COMMUNE_CODE = /^[0-9]{5}$/;
const PROCEDURE_CODE = /^[0-9]\.[0-9]{6}$/;
const DATETIME = regexes.datetime({ offset: true, local: false });
const EVENT_TYPES: ReadonlySet<unknown> = new Set(DOSSIER_EVENT_TYPES);
const CHANNEL_SET: ReadonlySet<unknown> = new Set(CHANNELS);

const optionalText = (value: unknown) =>
  value === undefined || (typeof value === 'string' && value.length >= 1 && value.length <= 64);

/**
 * The common case without zod: the same rules as `dossierEventV1` written out, for an event that meets them
 * all (zod costs about twice JSON.parse per event). Anything it does not accept goes to zod, which has the last
 * word and the error messages; a property test holds the two to the same answers.
 */
export function wireFastPath(input: Record<string, unknown>): DossierEventV1 | null {
  const { event_id, event_type, occurred_at, dossier_id, commune_code, procedure_code, channel, due_at } = input;
  const { officer_ref, source_system, status_code } = input;
  if (
    input.schema !== DOSSIER_EVENT_SCHEMA_ID ||
    typeof event_id !== 'string' ||
    !EVENT_ID.test(event_id) ||
    !EVENT_TYPES.has(event_type) ||
    typeof occurred_at !== 'string' ||
    !DATETIME.test(occurred_at) ||
    typeof dossier_id !== 'string' ||
    !DOSSIER_ID.test(dossier_id) ||
    typeof commune_code !== 'string' ||
    !COMMUNE_CODE.test(commune_code) ||
    typeof procedure_code !== 'string' ||
    !PROCEDURE_CODE.test(procedure_code) ||
    !CHANNEL_SET.has(channel) ||
    (due_at !== undefined && (typeof due_at !== 'string' || !DATETIME.test(due_at))) ||
    !optionalText(officer_ref) ||
    !optionalText(source_system) ||
    (status_code !== undefined &&
      (typeof status_code !== 'number' || !Number.isInteger(status_code) || status_code < 1 || status_code > 10))
  ) {
    return null;
  }
  const wire: DossierEventV1 = {
    schema: DOSSIER_EVENT_SCHEMA_ID,
    event_id,
    event_type: event_type as DossierEventV1['event_type'],
    occurred_at,
    dossier_id,
    commune_code,
    procedure_code,
    channel: channel as DossierEventV1['channel'],
  };
  if (due_at !== undefined) wire.due_at = due_at as string;
  if (officer_ref !== undefined) wire.officer_ref = officer_ref as string;
  if (source_system !== undefined) wire.source_system = source_system as string;
  if (status_code !== undefined) wire.status_code = status_code as number;
  return wire;
}

/** JSON.parse's message quotes the text around the error; only the position is kept. */
function jsonErrorDetail(error: unknown): string {
  const position = /position (\d+)/.exec(String((error as Error)?.message))?.[1];
  return position === undefined
    ? 'the body is not valid JSON'
    : `the body is not valid JSON (error at character ${position})`;
}

function parseInstant(field: 'occurred_at' | 'due_at', text: string, latestMs: number): number | Reject {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return { reason: 'invalid_timestamp', detail: `${field}: not a real instant` };
  if (ms < EARLIEST_EVENT_MS) return { reason: 'invalid_timestamp', detail: `${field}: before 2000-01-01` };
  if (ms > latestMs) return { reason: 'invalid_timestamp', detail: `${field}: after 2299-12-31` };
  return ms;
}

/**
 * Validates one message body against dossier-event/1 and the registry. Pure: the clock and the registry come
 * from the context. Unknown fields are dropped here and never reach storage. Details never quote a value.
 */
export function validateDossierEvent(body: string | Uint8Array, context: ValidationContext): ValidationResult {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > MAX_EVENT_BYTES) {
    return reject('too_large', `the body has ${size} bytes; the limit is ${MAX_EVENT_BYTES}`);
  }
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = utf8.decode(body);
    } catch {
      return reject('not_utf8', `the body (${size} bytes) is not valid UTF-8`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return reject('not_json', jsonErrorDetail(error));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
    return reject('not_object', `the body is ${kind}, not a JSON object`);
  }
  const input = parsed as Record<string, unknown>;
  // no array per event unless a field is missing
  let missing: string[] | undefined;
  for (const field of REQUIRED_FIELDS) {
    if (input[field] !== undefined) continue;
    missing ??= [];
    missing.push(field);
  }
  if (missing !== undefined) {
    return reject('missing_field', `required field(s) absent: ${missing.join(', ')}`);
  }
  let wire = wireFastPath(input);
  if (wire === null) {
    const result = dossierEventV1.safeParse(input);
    if (!result.success) return rejectFromIssues(result.error.issues, input);
    wire = result.data;
  }
  // A lone UTF-16 surrogate (`"\ud83d"` in the JSON) passes the patterns but is not text the warehouse stores.
  for (const field of STRING_FIELDS) {
    const value = wire[field];
    if (value !== undefined && !value.isWellFormed()) {
      return reject(FIELD_REASONS[field] as RejectReason, `${field}: contains an unpaired UTF-16 surrogate`);
    }
  }

  const occurredAtMs = parseInstant('occurred_at', wire.occurred_at, Number.POSITIVE_INFINITY);
  if (typeof occurredAtMs !== 'number') return { ok: false, reject: occurredAtMs };
  if (occurredAtMs > context.nowMs + MAX_CLOCK_SKEW_MS) {
    const minutes = Math.round((occurredAtMs - context.nowMs) / 60_000);
    return reject(
      'future_timestamp',
      `occurred_at is ${minutes} minute(s) ahead of the ingest clock; the limit is ${MAX_CLOCK_SKEW_MS / 60_000}`,
    );
  }
  let dueAtMs: number | null = null;
  if (wire.due_at !== undefined) {
    const due = parseInstant('due_at', wire.due_at, LATEST_DUE_MS);
    if (typeof due !== 'number') return { ok: false, reject: due };
    dueAtMs = due;
  }
  if (EVENT_TYPES_WITH_DUE_AT.has(wire.event_type) && dueAtMs === null) {
    return reject('missing_due_at', `due_at is required on a ${wire.event_type} event`);
  }
  if (wire.event_type === 'received' && dueAtMs !== null && dueAtMs < occurredAtMs) {
    return reject('due_before_occurred', 'due_at is before occurred_at on a received event');
  }
  const provinceCode = context.provinceOfCommune(wire.commune_code);
  if (provinceCode === undefined) {
    return reject('unknown_commune', 'commune_code is not a commune-level unit of the registry');
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

/**
 * A 53-bit hash of a string (exact as a JavaScript number): two 32-bit multiply-xor lanes over its UTF-16 code
 * units, each finished with a murmur-style mix. Not cryptographic; an order of magnitude cheaper than SHA-256,
 * which matters at one per event.
 */
export function hash53(text: string): number {
  let a = 0x9e3779b9 ^ text.length;
  let b = 0x85ebca6b;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  b ^= b >>> 15;
  b = Math.imul(b, 0x2c1b3c6d);
  b ^= b >>> 12;
  b = Math.imul(b, 0x297a2d39);
  b ^= b >>> 15;
  return (b & 0x1fffff) * 0x100000000 + (a >>> 0);
}

/**
 * A fingerprint of what is stored of an event (its fields, province aside: it follows from the commune). Equal
 * fingerprints under one event_id are a duplicate; different ones, a conflicting reuse of the id. 0 is reserved
 * for claims whose content is unknown (events carried over from a warehouse of the earlier schema).
 */
export function eventFingerprint(event: DossierEvent): number {
  return (
    hash53(
      `${event.eventType}|${event.occurredAtMs}|${event.dossierId}|${event.communeCode}|${event.procedureCode}|` +
        `${event.channel}|${event.dueAtMs ?? ''}|${event.officerRef ?? ''}|${event.sourceSystem ?? ''}|${event.statusCode ?? ''}`,
    ) || 1
  );
}
