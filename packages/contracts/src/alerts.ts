import { z } from 'zod';
import { PRESSURE_LEVELS } from './pressure.ts';

export const ALERT_STATES = ['pending', 'firing', 'resolved', 'cancelled'] as const;
export const ALERT_LEVELS = ['critical', 'high', 'warning'] as const;

const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`));

/** The indicator figures of the period that changed the alert's state, as the alert shows them. */
export const alertFigures = z.object({
  pressure_index: z.number().nonnegative().nullable(),
  pressure_level: z.enum(PRESSURE_LEVELS).nullable(),
  required_fte: z.number().nonnegative(),
  actual_fte: z.number().nonnegative().nullable(),
  received: z.number().int().nonnegative(),
  /** dossiers resolved in the window; null when the rule did not need the count */
  resolved: z.number().int().nonnegative().nullable(),
  on_time_rate: z.number().min(0).max(1).nullable(),
  open_end: z.number().int().nonnegative(),
  overdue_open: z.number().int().nonnegative(),
  backlog_weeks: z.number().nonnegative().nullable(),
});

/**
 * A message on commune-alerts.v1 (key `rule:commune_code`): an alert that started firing or resolved. The same
 * object, with its delivery id, is the body of a webhook.
 */
export const communeAlertMessage = z
  .object({
    alert_id: hex(16),
    transition_id: hex(32),
    rule: z.string().regex(/^[a-z][a-z0-9_]*$/),
    level: z.enum(ALERT_LEVELS),
    state: z.enum(['firing', 'resolved']),
    previous_state: z.enum(ALERT_STATES),
    /** the n-th episode of this rule on this commune; an episode fires at most once and resolves at most once */
    episode: z.number().int().positive(),
    episode_start: z.iso.date(),
    commune_code: z.string().regex(/^[0-9]{5}$/),
    commune_name: z.string(),
    province_code: z.string().regex(/^[0-9]{2}$/),
    province_name: z.string(),
    period_kind: z.enum(['week', 'rolling7d']),
    period_start: z.iso.date(),
    window_end: z.iso.datetime(),
    /** the ISO week to ask `pnpm cli explain` about: the period's week, or the one holding most of the window */
    iso_week: z.string().regex(/^\d{4}-W\d{2}$/),
    /** the rule's measure in that period (backlog_weeks null: a backlog that nothing resolves) */
    value: z.number().nullable(),
    threshold: z.number(),
    /** the condition that was met, e.g. `pressure_index >= 1.2 for 14 days` */
    condition: z.string(),
    figures: alertFigures,
    /** the end of the indicator window that caused the change */
    at: z.iso.datetime(),
    run_id: z.string(),
    explain_command: z.string(),
    /** true when a silence covers the commune: notifications were held back, the change is still published */
    silenced: z.boolean(),
  })
  .meta({ title: 'commune-alerts.v1 message', description: 'An alert state change (firing or resolved).' });

export type CommuneAlertMessage = z.infer<typeof communeAlertMessage>;

/** A webhook body: the alert message and the delivery id (also in the X-Commune-Pulse-Delivery header). */
export const alertWebhookBody = communeAlertMessage
  .extend({ delivery_id: hex(32) })
  .meta({ title: 'alert webhook body', description: 'POSTed to a webhook, signed with HMAC-SHA256.' });

export type AlertWebhookBody = z.infer<typeof alertWebhookBody>;
