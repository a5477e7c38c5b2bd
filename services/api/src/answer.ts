import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { csvField } from '@commune-pulse/reference-data';
import { type GuardedReader, QueryLimitExceeded, SqlRefused, type Warehouse } from '@commune-pulse/warehouse';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblem, type Endpoint, type FileAnswer } from './endpoint.ts';
import type { Scope } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    scope?: Scope;
    rows?: number;
  }
}

/** What a handler is given besides the request: the warehouse, the analysts' guarded reader, the reports folder. */
export interface EndpointServices {
  warehouse: Warehouse;
  reader: GuardedReader;
  reportsDir: string;
}

/** A strong ETag of what is sent: its SHA-256. */
export const etag = (content: string | Buffer) =>
  `"${createHash('sha256').update(content).digest('base64url').slice(0, 27)}"`;

/** A problem answer (RFC 9457). */
export const problem = (reply: FastifyReply, status: number, title: string, detail: string) =>
  reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send({ type: 'about:blank', title, status, detail });

function rowsCsv(rows: readonly Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown) => {
    if (value === null || value === undefined) return '';
    if (typeof value === 'number') return String(value);
    if (typeof value === 'object') return csvField(JSON.stringify(value));
    return csvField(String(value));
  };
  const lines = [columns.map(csvField).join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))];
  // UTF-8 with a byte-order mark, CRLF: as the weekly report's CSVs, so that spreadsheets read Vietnamese.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function rowCount(result: unknown): number {
  if (result === null || typeof result !== 'object') return 0;
  for (const key of ['items', 'rows', 'weeks', 'most_pressured']) {
    const value = (result as Record<string, unknown>)[key];
    if (Array.isArray(value)) return value.length;
  }
  return 1;
}

/** A part of the request read by its schema; a 400 naming every issue when it does not fit. */
function parse(schema: Endpoint['query'], value: unknown, where: string): unknown {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || where}: ${issue.message}`);
    throw new ApiProblem(400, 'Bad request', `${where}: ${detail.join('; ')}`);
  }
  return parsed.data;
}

/** One request to one endpoint: refused outside its scope, its parts parsed, the handler called, its result sent. */
export async function answer(
  endpoint: Endpoint,
  request: FastifyRequest,
  reply: FastifyReply,
  services: EndpointServices,
) {
  const scope = request.scope as Scope;
  if (endpoint.scope === 'national' && scope.provinceCode !== undefined) {
    return problem(reply, 403, 'Forbidden', `${endpoint.path} holds national figures: not for a province's token`);
  }
  if (endpoint.scope === 'sql' && !scope.sql) {
    return problem(reply, 403, 'Forbidden', 'SQL is for analyst tokens (pnpm cli tokens create --role analyst)');
  }
  const query = parse(endpoint.query, request.query, 'query');
  const params = parse(endpoint.params, request.params, 'path');
  const body = endpoint.body === undefined ? undefined : parse(endpoint.body, request.body, 'body');
  const result = await endpoint.handler({ ...services, scope, query, params, body } as Parameters<
    Endpoint['handler']
  >[0]);
  const wanted = (query as { format?: string }).format ?? (body as { format?: string } | undefined)?.format;
  return send(endpoint, result, wanted, request, reply);
}

/** The handler's result as the file it names, as CSV when asked and offered, else as JSON; weekly ones with an ETag. */
function send(
  endpoint: Endpoint,
  result: unknown,
  wanted: string | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (result !== null && typeof result === 'object' && 'file' in result) {
    const { file } = result as FileAnswer;
    request.rows = 1;
    return reply
      .type(file.contentType)
      .header('content-disposition', `attachment; filename="${encodeURIComponent(file.downloadName)}"`)
      .send(createReadStream(file.path));
  }
  request.rows = rowCount(result);
  let payload: string;
  if (wanted === 'csv' && endpoint.csvRows !== undefined) {
    payload = rowsCsv((endpoint.csvRows as (r: unknown) => Record<string, unknown>[])(result));
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${endpoint.id}.csv"`);
  } else {
    payload = JSON.stringify(result);
    reply.type('application/json; charset=utf-8');
  }
  if (endpoint.weekly) {
    // Weekly figures change only when a week is estimated again: a client may keep them a minute, and ask again
    // with the ETag for a 304.
    const tag = etag(payload);
    reply.header('etag', tag).header('cache-control', 'private, max-age=60');
    if (request.headers['if-none-match'] === tag) return reply.code(304).send();
  }
  return reply.send(payload);
}

/** A thrown error as a problem: the caller's own as 4xx, any other logged and answered 500. */
export function answerError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ApiProblem) return problem(reply, error.status, error.title, error.message);
  if (error instanceof SqlRefused) return problem(reply, 400, 'SQL refused', error.message);
  if (error instanceof QueryLimitExceeded) return problem(reply, 422, 'Query over its limits', error.message);
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return problem(reply, status, 'Bad request', (error as Error).message);
  }
  request.log.error({ err: error, url: request.url }, 'request failed');
  return problem(reply, 500, 'Internal error', 'the request failed on the server; it was logged');
}
