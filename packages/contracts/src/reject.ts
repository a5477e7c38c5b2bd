import { z } from 'zod';

/**
 * Reasons of the national portal's sync records (HoSoDongBoDVC, QuaTrinhXuLyDongBoDVC) that cannot be turned
 * into dossier events, decided by the portal adapter before validation. Their details name the field and the
 * rule, never a value.
 */
export const PORTAL_REJECT_REASONS = [
  'portal_not_record',
  'portal_missing_field',
  'portal_invalid_field',
  'portal_invalid_date',
  'portal_dates_contradict_status',
  'portal_status_backwards',
  'portal_unmapped_unit',
  'portal_foreign_commune',
  'portal_unknown_dossier',
] as const;
export type PortalRejectReason = (typeof PORTAL_REJECT_REASONS)[number];

/**
 * One reason per kind of bad input. A reject carries the reason (for counting and routing) and a detail that
 * a person at the sending province can act on.
 */
export const REJECT_REASONS = [
  'too_large',
  'not_utf8',
  'not_json',
  'not_object',
  'missing_field',
  'unsupported_schema',
  'invalid_event_id',
  'unknown_event_type',
  'invalid_timestamp',
  'future_timestamp',
  'invalid_dossier_id',
  'invalid_commune_code',
  'unknown_commune',
  'invalid_procedure_code',
  'invalid_channel',
  'missing_due_at',
  'due_before_occurred',
  'invalid_optional_field',
  'conflicting_duplicate',
  'unprocessable',
  'store_refused',
  ...PORTAL_REJECT_REASONS,
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const REJECT_REASON_DESCRIPTIONS: Record<RejectReason, string> = {
  too_large: 'the message body (or file line) is larger than the limit',
  not_utf8: 'the body is not valid UTF-8',
  not_json: 'the body is not valid JSON',
  not_object: 'the body is JSON but not an object',
  missing_field: 'a required field is absent',
  unsupported_schema: 'the schema field is not "dossier-event/1"',
  invalid_event_id: 'event_id is not 8–64 characters of [A-Za-z0-9._:-]',
  unknown_event_type: 'event_type is not one of the lifecycle types',
  invalid_timestamp:
    'occurred_at or due_at is not an RFC 3339 time with an offset, or is before 2000-01-01 or after 2299',
  future_timestamp: 'occurred_at is more than 5 minutes ahead of the ingest clock',
  invalid_dossier_id: 'dossier_id is not 1–64 printable characters',
  invalid_commune_code: 'commune_code is not a 5-digit string',
  unknown_commune: 'commune_code is not a commune-level unit of the registry',
  invalid_procedure_code: 'procedure_code does not match ^[0-9]\\.[0-9]{6}$',
  invalid_channel: 'channel is not counter, online or postal',
  missing_due_at: 'due_at is required on received and deadline_extended events',
  due_before_occurred: 'due_at is before occurred_at of the received event',
  invalid_optional_field: 'officer_ref, source_system or status_code is malformed',
  conflicting_duplicate: 'the event_id is already stored with different content',
  unprocessable: 'validating the message failed unexpectedly; it is kept in the DLQ for inspection',
  store_refused: 'the warehouse refused to store the event (a data error isolated from its chunk)',
  portal_not_record: 'a portal element is neither a dossier record (HoSoDongBoDVC) nor a history record',
  portal_missing_field: 'a portal record lacks a field the mapping needs (MaHoSo, MaTTHC, KenhThucHien, …)',
  portal_invalid_field: 'a portal record field breaks its rule (KenhThucHien 1–3, TrangThaiHoSo 1–10, …)',
  portal_invalid_date: 'a portal date is not a real instant written yyyyMMddHHmmss',
  portal_dates_contradict_status: "a portal record's dates contradict its status (TrangThaiHoSo)",
  portal_status_backwards: 'a portal record moves its dossier back to an earlier status',
  portal_unmapped_unit: "the record's unit code has no commune in the unit mapping",
  portal_foreign_commune: "the record's unit belongs to another province than the sender's",
  portal_unknown_dossier: 'a history record for a dossier no dossier record has introduced',
};

export const rejectReason = z.enum(REJECT_REASONS);

/**
 * The detail names a field, its JSON type and length and the rule it breaks: never a value, which could be
 * personal (the DLQ keeps the original bytes for whoever may read them).
 */
export interface Reject {
  reason: RejectReason;
  detail: string;
}

/** Row of `rejected_events`: never the payload, only a hash of it. */
export const rejectedEventRow = z
  .object({
    rejected_at: z.string(),
    reason: rejectReason,
    detail: z.string(),
    source: z.string(),
    position: z.number().int(),
    payload_sha256: z.string().regex(/^[0-9a-f]{64}$/),
    payload_bytes: z.number().int(),
  })
  .meta({ title: 'rejected_events row' });

export const DLQ_HEADERS = {
  reason: 'dlq_reason',
  detail: 'dlq_detail',
  sourceTopic: 'dlq_source_topic',
  sourcePartition: 'dlq_source_partition',
  sourceOffset: 'dlq_source_offset',
  sourceFile: 'dlq_source_file',
  sourceLine: 'dlq_source_line',
} as const;

/** Where a rejected element came from: a Kafka position, or a file's line (or record) number. */
export type RejectOrigin =
  | { kind: 'kafka'; topic: string; partition: number; offset: string | number }
  | { kind: 'file'; file: string; line: number };

/** The dlq_source_* headers of a dead letter, from its typed origin. */
export function dlqSourceHeaders(origin: RejectOrigin): Record<string, string> {
  return origin.kind === 'kafka'
    ? {
        [DLQ_HEADERS.sourceTopic]: origin.topic,
        [DLQ_HEADERS.sourcePartition]: String(origin.partition),
        [DLQ_HEADERS.sourceOffset]: String(origin.offset),
      }
    : { [DLQ_HEADERS.sourceFile]: origin.file, [DLQ_HEADERS.sourceLine]: String(origin.line) };
}
