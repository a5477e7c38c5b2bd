import { communeByCode, provinceByCode, weekStartOfLabel } from '@commune-pulse/reference-data';
import type { GuardedReader, Warehouse } from '@commune-pulse/warehouse';
import { PRESSURE_LEVELS } from '@commune-pulse/workload';
import { z } from 'zod';
import { readCache } from './read-cache.ts';
import type { Scope } from './tokens.ts';

/**
 * What an endpoint of the API is, declared once: its path, parameters and answer (zod: validation and OpenAPI come
 * from the same schemas), who may call it, and the handler. Every query of every handler is limited to the
 * caller's provinces in its own WHERE clause (`province_code IN {provinces:Array(String)}`): the scope is part of
 * the SQL, not a check beside it.
 */
export interface EndpointContext<Q, P, B> {
  warehouse: Warehouse;
  reader: GuardedReader;
  reportsDir: string;
  scope: Scope;
  query: Q;
  params: P;
  body: B;
}

/** What the answer is when it is not JSON data: a file to send. */
export interface FileAnswer {
  file: { path: string; contentType: string; downloadName: string };
}

export interface Endpoint<
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  id: string;
  method: 'GET' | 'POST';
  /** Fastify form: `/api/v1/communes/:code/history`. */
  path: string;
  summary: string;
  description: string;
  query: Q;
  params: P;
  body?: B;
  response: z.ZodType;
  /**
   * `province`: limited to the caller's provinces in its queries. `national`: national figures only, refused to a
   * province's token. `sql`: the analyst's SQL, refused to every other role.
   */
  scope: 'province' | 'national' | 'sql';
  /** Rows a CSV answer holds (`?format=csv`), when the endpoint offers one. */
  csvRows?: (result: never) => Record<string, unknown>[];
  /** Weekly figures: answered with an ETag and cache headers. */
  weekly?: boolean;
  handler(context: EndpointContext<z.infer<Q>, z.infer<P>, z.infer<B>>): Promise<unknown>;
}

/** A request the caller can fix, or data that is not there for them. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  constructor(status: number, title: string, detail: string) {
    super(detail);
    this.status = status;
    this.title = title;
  }
}

export const notFound = (detail: string) => new ApiProblem(404, 'Not found', detail);

export const weekLabel = z
  .string()
  .regex(/^\d{4}-W\d{2}$/, 'an ISO week such as 2026-W47')
  .refine((label) => {
    try {
      weekStartOfLabel(label);
      return true;
    } catch {
      return false;
    }
  }, 'not a week of that year');
export const communeCode = z.string().regex(/^[0-9]{5}$/, 'a 5-digit commune code');
export const provinceCode = z.string().regex(/^[0-9]{2}$/, 'a 2-digit province code');
export const format = z.enum(['json', 'csv']).default('json');
export const level = z.enum(PRESSURE_LEVELS);
export const noParams = z.object({});

export function scopeParams(scope: Scope) {
  return { provinces: [...scope.provinces] };
}
export const IN_SCOPE = 'province_code IN {provinces:Array(String)}';

// The latest week changes when the estimator stores a new one (weekly): a few seconds' delay is harmless, and the
// calls a page sends together ask for it once.
const latestWeeks = readCache<string>(5_000);

/** The latest week with weekly indicators in the caller's provinces, when none is asked for. */
export async function resolveWeek(warehouse: Warehouse, scope: Scope, week: string | undefined): Promise<string> {
  if (week !== undefined) return weekStartOfLabel(week);
  return latestWeeks(scope.provinces.join(','), async () => {
    const [row] = await warehouse.query<{ week_start: string }>(
      `SELECT toString(max(period_start)) AS week_start FROM pressure_indicators
       WHERE period_kind = 'week' AND ${IN_SCOPE}`,
      scopeParams(scope),
    );
    if (row === undefined || row.week_start === '1970-01-01') throw notFound('no week has been estimated yet');
    return row.week_start;
  });
}

export function named<T extends { commune_code: string; province_code: string }>(row: T) {
  return {
    ...row,
    commune_name: communeByCode(row.commune_code)?.name ?? row.commune_code,
    province_name: provinceByCode(row.province_code)?.name ?? row.province_code,
  };
}
