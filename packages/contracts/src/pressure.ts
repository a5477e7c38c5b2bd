import { z } from 'zod';

export const PRESSURE_LEVELS = ['low', 'normal', 'elevated', 'high', 'critical'] as const;

/** A message on commune-pressure.v1: one commune's indicator row for one period (outputs.md). */
export const communePressureMessage = z
  .object({
    period_kind: z.enum(['week', 'rolling7d']),
    period_start: z.iso.date(),
    window_end: z.iso.datetime(),
    commune_code: z.string().regex(/^[0-9]{5}$/),
    province_code: z.string().regex(/^[0-9]{2}$/),
    received: z.number().int().nonnegative(),
    workload_minutes: z.number().nonnegative(),
    required_fte: z.number().nonnegative(),
    actual_fte: z.number().nonnegative().nullable(),
    wisn_ratio: z.number().nonnegative().nullable(),
    pressure_index: z.number().nonnegative().nullable(),
    level: z.enum(PRESSURE_LEVELS).nullable(),
    missing_staffing: z.boolean(),
    counters_needed: z.number().int().nonnegative().nullable(),
    counters_open: z.number().int().nonnegative().nullable(),
    open_end: z.number().int().nonnegative(),
    overdue_open: z.number().int().nonnegative(),
    on_time_rate: z.number().min(0).max(1).nullable(),
    online_share: z.number().min(0).max(1).nullable(),
    backlog_weeks: z.number().nonnegative().nullable(),
    forecast_received_next: z.number().nonnegative().nullable(),
    proposed_staff: z.number().int().nonnegative().nullable(),
    params_version: z.string(),
    run_id: z.string(),
    computed_at: z.iso.datetime(),
  })
  .meta({ title: 'commune-pressure.v1 message', description: 'One commune indicator row for one period.' });

export type CommunePressureMessage = z.infer<typeof communePressureMessage>;
