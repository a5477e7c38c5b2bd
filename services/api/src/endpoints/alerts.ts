import { z } from 'zod';
import {
  communeCode,
  type Endpoint,
  format,
  IN_SCOPE,
  named,
  noParams,
  provinceCode,
  scopeParams,
} from '../endpoint.ts';

const alertRow = z.object({
  alert_id: z.string(),
  rule: z.string(),
  level: z.string(),
  commune_code: z.string(),
  commune_name: z.string(),
  province_code: z.string(),
  province_name: z.string(),
  state: z.string(),
  fired_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
});

export const alerts: Endpoint = {
  id: 'alerts',
  method: 'GET',
  path: '/api/v1/alerts',
  summary: 'Alerts',
  description:
    'Alerts on communes of your provinces, newest first: firing, resolved (or pending, cancelled, all), for a province or a commune. CSV with ?format=csv.',
  query: z.object({
    state: z.enum(['firing', 'resolved', 'pending', 'cancelled', 'all']).default('firing'),
    province: provinceCode.optional(),
    commune: communeCode.optional(),
    limit: z.coerce.number().int().min(1).max(5_000).default(500),
    format,
  }),
  params: noParams,
  response: z.object({ items: z.array(alertRow) }),
  scope: 'province',
  csvRows: (result: { items: Record<string, unknown>[] }) => result.items,
  async handler({ warehouse, scope, query }) {
    const q = query as { state: string; province?: string; commune?: string; limit: number };
    const rows = await warehouse.query<z.infer<typeof alertRow>>(
      `SELECT alert_id, rule, level, commune_code, province_code, state,
              if(isNull(fired_at), NULL, toString(fired_at)) AS fired_at,
              if(isNull(resolved_at), NULL, toString(resolved_at)) AS resolved_at, value, threshold
       FROM alerts
       WHERE ${IN_SCOPE} ${q.state === 'all' ? '' : 'AND state = {state:String}'}
         ${q.province === undefined ? '' : 'AND province_code = {province:String}'}
         ${q.commune === undefined ? '' : 'AND commune_code = {commune:String}'}
       ORDER BY updated_at DESC, alert_id
       LIMIT {limit:UInt32}`,
      { ...scopeParams(scope), ...q },
    );
    return { items: rows.map(named) };
  },
};
