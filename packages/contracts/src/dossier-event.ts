import { z } from 'zod';

export const DOSSIER_EVENT_SCHEMA_ID = 'dossier-event/1';

/** Lifecycle types of dossier-event-v1.md, in lifecycle order. */
export const DOSSIER_EVENT_TYPES = [
  'submitted',
  'received',
  'intake_refused',
  'processing',
  'supplement_requested',
  'supplement_received',
  'fee_requested',
  'deadline_extended',
  'withdrawn',
  'suspended',
  'resolved',
  'returned',
] as const;
export type DossierEventType = (typeof DOSSIER_EVENT_TYPES)[number];

export const CHANNELS = ['counter', 'online', 'postal'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Event types whose `due_at` is required (the legal return date is set or moved). */
export const EVENT_TYPES_WITH_DUE_AT: ReadonlySet<DossierEventType> = new Set(['received', 'deadline_extended']);

const rfc3339WithOffset = z.iso.datetime({ offset: true, local: false });

/**
 * The wire shape of `dossier-event/1`. Unknown fields are stripped (zod's default for objects), which is how
 * personal fields such as `ChuHoSo` never get further than the parser.
 */
export const dossierEventV1 = z
  .object({
    schema: z.literal(DOSSIER_EVENT_SCHEMA_ID),
    event_id: z.string().regex(/^[A-Za-z0-9._:-]{8,64}$/),
    event_type: z.enum(DOSSIER_EVENT_TYPES),
    occurred_at: rfc3339WithOffset,
    // printable: no control characters; length counted in code points
    dossier_id: z.string().regex(/^[^\p{Cc}]{1,64}$/u),
    commune_code: z.string().regex(/^[0-9]{5}$/),
    procedure_code: z.string().regex(/^[0-9]\.[0-9]{6}$/),
    channel: z.enum(CHANNELS),
    due_at: rfc3339WithOffset.optional(),
    officer_ref: z.string().min(1).max(64).optional(),
    source_system: z.string().min(1).max(64).optional(),
    status_code: z.number().int().min(1).max(10).optional(),
  })
  .meta({
    title: 'dossier-event/1',
    description: 'A dossier-processing event sent by a commune service center (dossier-event-v1.md).',
  });

export type DossierEventV1 = z.infer<typeof dossierEventV1>;

/** A validated event with its times parsed; what the rest of the pipeline handles. */
export interface DossierEvent {
  eventId: string;
  eventType: DossierEventType;
  occurredAtMs: number;
  dossierId: string;
  communeCode: string;
  provinceCode: string;
  procedureCode: string;
  channel: Channel;
  dueAtMs: number | null;
  officerRef: string | null;
  sourceSystem: string | null;
  statusCode: number | null;
}
