import { z } from 'zod';

/**
 * One reason per kind of bad input. A reject carries the reason (for counting and routing) and a detail that
 * a person at the sending province can act on.
 */
export const EVENT_REJECT_REASONS = [
  'too_large',
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
] as const;

/**
 * Reasons of the national portal's sync records (HoSoDongBoDVC, QuaTrinhXuLyDongBoDVC) that cannot be turned
 * into dossier events; their details name the field and the rule, never a value (the unit code of an unmapped
 * unit aside: it is what the ministry must map).
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

export const REJECT_REASONS = [...EVENT_REJECT_REASONS, ...PORTAL_REJECT_REASONS] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
export type PortalRejectReason = (typeof PORTAL_REJECT_REASONS)[number];

export const REJECT_REASON_DESCRIPTIONS: Record<RejectReason, string> = {
  too_large: 'the message body is larger than the limit',
  not_json: 'the body is not valid UTF-8 JSON',
  not_object: 'the body is JSON but not an object',
  missing_field: 'a required field is absent',
  unsupported_schema: 'the schema field is not "dossier-event/1"',
  invalid_event_id: 'event_id is not 8–64 characters of [A-Za-z0-9._:-]',
  unknown_event_type: 'event_type is not one of the lifecycle types',
  invalid_timestamp: 'occurred_at or due_at is not an RFC 3339 time with an offset',
  future_timestamp: 'occurred_at is more than 5 minutes ahead of the ingest clock',
  invalid_dossier_id: 'dossier_id is not 1–64 printable characters',
  invalid_commune_code: 'commune_code is not a 5-digit string',
  unknown_commune: 'commune_code is not a commune-level unit of the registry',
  invalid_procedure_code: 'procedure_code does not match ^[0-9]\\.[0-9]{6}$',
  invalid_channel: 'channel is not counter, online or postal',
  missing_due_at: 'due_at is required on received and deadline_extended events',
  due_before_occurred: 'due_at is before occurred_at of the received event',
  invalid_optional_field: 'officer_ref, source_system or status_code is malformed',
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

export interface Reject {
  reason: RejectReason;
  detail: string;
}

/** Where a rejected or accepted message came from: a Kafka position or a file line. */
export interface SourcePosition {
  /** `kafka:<topic>:<partition>` or `file:<path>` */
  source: string;
  /** Kafka offset or 1-based line number */
  position: number;
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
