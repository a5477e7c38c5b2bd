import { z } from 'zod';
import { type Endpoint, format, noParams } from '../endpoint.ts';

export const sql: Endpoint = {
  id: 'sql',
  method: 'POST',
  path: '/api/v1/sql',
  summary: 'Read-only SQL (analysts)',
  description:
    'One SELECT, WITH … SELECT or DESCRIBE over the tables and views of the warehouse, parsed by the engine and refused if it writes or reaches outside; limited in time, memory and rows (SQL_MAX_*). Analyst tokens only. JSON rows, or CSV with "format": "csv".',
  query: noParams,
  params: noParams,
  body: z.object({
    sql: z
      .string()
      .min(1)
      .max(256 * 1024),
    format,
  }),
  response: z.object({ rows: z.array(z.record(z.string(), z.unknown())), statement: z.string() }),
  scope: 'sql',
  csvRows: (result: { rows: Record<string, unknown>[] }) => result.rows,
  async handler({ reader, body }) {
    const { sql: text } = body as { sql: string };
    const { text: output, checked } = await reader.query(text, 'JSONEachRow');
    const rows = output
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { rows, statement: checked.sql };
  },
};
