import { z } from 'zod';
import { TOPICS } from './topics.ts';

// The warehouse stores valid_from as a ClickHouse Date: a day outside its range would be clamped on insert,
// silently moving the row, so such a day is refused here instead.
export const STAFFING_FIRST_DAY = '1970-01-01';
export const STAFFING_LAST_DAY = '2149-06-06';
/**
 * Plausibility ceilings of a roster row: a commune's public administrative service center has a few dozen staff
 * and counters at most; a value beyond these is a typing error, and it would hide the commune's real pressure.
 */
export const STAFFING_MAX_FTE = 500;
export const STAFFING_MAX_COUNTERS = 200;

/**
 * One staffing roster row (spec/reference-inputs.md, `staffing.csv`), as it arrives on `commune-staffing.v1`:
 * the CSV's columns as JSON fields, numbers as JSON numbers. Unknown fields are stripped.
 */
export const communeStaffingRow = z
  .object({
    commune_code: z.string().regex(/^[0-9]{5}$/, 'must be a 5-digit commune code'),
    valid_from: z.iso.date().refine((day) => day >= STAFFING_FIRST_DAY && day <= STAFFING_LAST_DAY, {
      message: `must be a day from ${STAFFING_FIRST_DAY} to ${STAFFING_LAST_DAY}`,
    }),
    civil_servants: z.number().min(0).max(STAFFING_MAX_FTE),
    contract_staff: z.number().min(0).max(STAFFING_MAX_FTE),
    support_fte: z.number().min(0).max(STAFFING_MAX_FTE),
    counters: z.number().int().min(0).max(STAFFING_MAX_COUNTERS),
  })
  .meta({
    title: 'commune-staffing row',
    description:
      'Staff working on dossiers at a commune-level unit from valid_from until its next row: civil servants, ' +
      'contract staff and support staff in FTE, and counters open (reference-inputs.md). Key: commune_code.',
  });

export type CommuneStaffingRow = z.infer<typeof communeStaffingRow>;

// TOPICS (topics.ts) names the dossier DLQ only; staffing rejects get their own topic so that replaying one
// kind of dead letter never feeds the other kind's consumer.
export const COMMUNE_STAFFING_DLQ_TOPIC = `${TOPICS.communeStaffing}.dlq`;

export const STAFFING_REJECT_REASONS = [
  'too_large',
  'not_json',
  'not_object',
  'missing_field',
  'invalid_field',
  'unknown_commune',
] as const;
export type StaffingRejectReason = (typeof STAFFING_REJECT_REASONS)[number];

export const MAX_STAFFING_MESSAGE_BYTES = 16 * 1024;

/** The fields of a roster row, all required: the message's JSON fields and the columns of `staffing.csv`. */
export const STAFFING_FIELDS = [
  'commune_code',
  'valid_from',
  'civil_servants',
  'contract_staff',
  'support_fte',
  'counters',
] as const satisfies readonly (keyof CommuneStaffingRow)[];
export type StaffingField = (typeof STAFFING_FIELDS)[number];

export type StaffingValidation =
  | { ok: true; row: CommuneStaffingRow }
  | { ok: false; reason: StaffingRejectReason; detail: string };

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Validates one `commune-staffing.v1` message body. Pure: the registry comes from the caller. The detail names
 * every problem so that the sending province fixes the message in one go.
 */
export function validateStaffingMessage(
  body: string | Uint8Array,
  isKnownCommune: (communeCode: string) => boolean,
): StaffingValidation {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > MAX_STAFFING_MESSAGE_BYTES) {
    return {
      ok: false,
      reason: 'too_large',
      detail: `the body has ${size} bytes; the limit is ${MAX_STAFFING_MESSAGE_BYTES}`,
    };
  }
  let parsed: unknown;
  try {
    const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'not_json', detail: `the body is not valid JSON: ${(error as Error).message}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
    return { ok: false, reason: 'not_object', detail: `the body is ${kind}, not a JSON object` };
  }
  const input = parsed as Record<string, unknown>;
  const missing = STAFFING_FIELDS.filter((field) => input[field] === undefined);
  if (missing.length > 0) {
    return { ok: false, reason: 'missing_field', detail: `required field(s) absent: ${missing.join(', ')}` };
  }
  const result = communeStaffingRow.safeParse(input);
  if (!result.success) {
    const detail = result.error.issues
      .map((issue) => {
        const field = String(issue.path[0] ?? '');
        return `${field}: ${issue.message}; got ${shown(input[field])}`;
      })
      .join('; ');
    return { ok: false, reason: 'invalid_field', detail };
  }
  if (!isKnownCommune(result.data.commune_code)) {
    return {
      ok: false,
      reason: 'unknown_commune',
      detail: `commune_code ${result.data.commune_code} is not a commune-level unit of the registry`,
    };
  }
  return { ok: true, row: result.data };
}
