import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CheckedStatement,
  limitMessage,
  type QueryLimits,
  SqlRefused,
  SqlSyntaxError,
} from '@commune-pulse/warehouse/sql-guard';
import { type GatewayRole, isLimited, isWriter } from './access.ts';
import { readBody } from './body.ts';
import type { WarehouseEngine } from './engine.ts';
import {
  contentTypeForFormat,
  errorResponse,
  GatewayError,
  parseMultipartForm,
  parseRequestParameters,
  summaryHeader,
} from './protocol.ts';
import { fileReadingOption } from './role-policy.ts';
import { routeStatement } from './route.ts';
import type { StatementCheck } from './verdicts.ts';

/** What answering a query needs from the gateway that received it. */
export interface QueryService {
  engine: WarehouseEngine;
  check: StatementCheck;
  maxBodyBytes: number;
  queryLimits: QueryLimits;
  /** The limit settings of a limited role, as the engine takes them. */
  limited: readonly (readonly [string, string])[];
  /** The headers of every answer: the server's display name and time zone. */
  fixedHeaders: Record<string, string>;
}

export function sendError(
  fixedHeaders: Record<string, string>,
  response: ServerResponse,
  queryId: string,
  error: unknown,
  closeConnection: boolean,
): void {
  if (response.headersSent || response.destroyed) return;
  const { status, code, body } = errorResponse(error);
  response.writeHead(status, {
    ...fixedHeaders,
    'Content-Type': 'text/plain; charset=UTF-8',
    'Content-Length': Buffer.byteLength(body),
    'X-ClickHouse-Query-Id': queryId,
    'X-ClickHouse-Exception-Code': String(code),
    ...(closeConnection ? { Connection: 'close' } : {}),
  });
  response.end(body);
}

export function sendOk(response: ServerResponse): void {
  response.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': 4 });
  response.end('Ok.\n');
}

/** The statement as the role may run it, or the refusal ClickHouse would answer (syntax error, access denied). */
async function checkedFor(
  service: QueryService,
  role: GatewayRole,
  sql: string,
  params: Record<string, string>,
): Promise<CheckedStatement> {
  try {
    return await service.check(role, sql, params);
  } catch (error) {
    if (error instanceof SqlSyntaxError) throw new GatewayError(400, 62, 'SYNTAX_ERROR', error.message);
    if (error instanceof SqlRefused) throw new GatewayError(403, 497, 'ACCESS_DENIED', `${role}: ${error.message}`);
    throw error;
  }
}

/** The settings a statement runs with: the request's, read-only on GET, and last a limited role's limits. */
function runSettings(
  service: QueryService,
  role: GatewayRole,
  method: string | undefined,
  settings: Array<[string, string]>,
): Array<[string, string]> {
  if (method === 'GET') {
    // As on a ClickHouse server, GET may read and change settings but not data.
    const asked = settings.find(([name]) => name === 'readonly')?.[1];
    settings.push(['readonly', asked === '1' ? '1' : '2']);
  }
  // Last, so that nothing the request set can lift them: read-only within the limits.
  if (isLimited(role)) settings.push(...service.limited.map(([name, value]) => [name, value] as [string, string]));
  return settings;
}

/** One query over HTTP, as a ClickHouse server answers it: parameters, body, checks, the engine's result. */
export async function handleQuery(
  service: QueryService,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  role: GatewayRole,
): Promise<void> {
  const { engine } = service;
  let queryId = url.searchParams.get('query_id') || randomUUID();
  let bodyDone = request.method !== 'POST';
  try {
    if (request.method !== 'GET' && request.method !== 'POST') {
      throw new GatewayError(405, 1, 'UNSUPPORTED_METHOD', `HTTP method ${request.method} is not supported`);
    }
    let body = request.method === 'POST' ? await readBody(request, service.maxBodyBytes) : Buffer.alloc(0);
    bodyDone = true;
    let entries: Array<[string, string]> = [...url.searchParams];
    const contentType = String(request.headers['content-type'] ?? '');
    if (/^multipart\/form-data\b/i.test(contentType)) {
      entries = [...entries, ...parseMultipartForm(body, contentType)];
      body = Buffer.alloc(0);
    }
    const parameters = parseRequestParameters(entries);
    if (parameters.queryId) queryId = parameters.queryId;
    if (parameters.query === undefined && body.length === 0 && request.method === 'GET') {
      sendOk(response);
      return;
    }
    const statement = routeStatement(parameters.query, body, engine.formats);
    if (!isWriter(role) && parameters.database !== undefined) {
      throw new GatewayError(403, 497, 'ACCESS_DENIED', `${role} reads the warehouse's own database only`);
    }
    const checked = await checkedFor(service, role, statement.sql, parameters.params);
    const format = parameters.defaultFormat ?? 'TabSeparated';
    if (!isWriter(role)) {
      const refused = fileReadingOption(statement.outputFormat ?? format, parameters.settings);
      if (refused !== undefined) throw new GatewayError(403, 497, 'ACCESS_DENIED', `${role}: ${refused}`);
    }
    const settings = runSettings(service, role, request.method, parameters.settings);
    const result = await engine
      .execute({
        sql: checked.sql,
        rows: statement.rows,
        params: parameters.params,
        settings,
        database: parameters.database,
        format,
      })
      .catch((error: unknown) => {
        const overLimit = isLimited(role) ? limitMessage(error, service.queryLimits) : undefined;
        if (overLimit === undefined) throw error;
        const code = /TIMEOUT/.test(String(error)) ? 159 : /MEMORY/.test(String(error)) ? 241 : 396;
        throw new GatewayError(500, code, 'QUERY_LIMIT', overLimit);
      });
    if (response.destroyed) return;
    const resultFormat = statement.rows === undefined ? (statement.outputFormat ?? format) : undefined;
    response.writeHead(200, {
      ...service.fixedHeaders,
      'Content-Type': contentTypeForFormat(resultFormat ?? 'TabSeparated'),
      'Content-Length': result.body.length,
      'X-ClickHouse-Query-Id': queryId,
      ...(resultFormat !== undefined ? { 'X-ClickHouse-Format': resultFormat } : {}),
      'X-ClickHouse-Summary': summaryHeader(result.summary),
    });
    response.end(result.body);
  } catch (error) {
    // A body left unread cannot be skipped on a kept-alive connection: answer, then close it.
    sendError(service.fixedHeaders, response, queryId, error, !bodyDone);
  }
}
