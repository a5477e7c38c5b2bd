import { z } from 'zod';
import { type Endpoint, format, noParams } from '../endpoint.ts';

export const dataQuality: Endpoint = {
  id: 'data-quality',
  method: 'GET',
  path: '/api/v1/data-quality',
  summary: 'Data quality per ingest day',
  description:
    'What arrived each day and what became of it: deliveries, events accepted, duplicates, rejected by reason, unknown procedures, late events, communes without staffing. National figures: not for a province token. CSV with ?format=csv.',
  query: z.object({ from: z.iso.date().optional(), to: z.iso.date().optional(), format }),
  params: noParams,
  response: z.object({ items: z.array(z.record(z.string(), z.unknown())) }),
  scope: 'national',
  csvRows: (result: { items: Record<string, unknown>[] }) =>
    result.items.map((row) => ({ ...row, rejected_by_reason: JSON.stringify(row.rejected_by_reason ?? {}) })),
  async handler({ warehouse, query }) {
    const q = query as { from?: string; to?: string };
    const rows = await warehouse.query<Record<string, unknown>>(
      `SELECT toString(day) AS day, deliveries, events_accepted, duplicates, rejected, rejected_by_reason,
              unknown_procedure_events, late_events, communes_without_staffing
       FROM (SELECT * FROM data_quality WHERE day >= {from:Date} AND day <= {to:Date})
       ORDER BY day`,
      { from: q.from ?? '1970-01-01', to: q.to ?? '2149-06-06' },
    );
    return { items: rows };
  },
};
