import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { csvField } from '@commune-pulse/reference-data';
import type { Logger } from '@commune-pulse/runtime';
import {
  openGuardedReader,
  QueryLimitExceeded,
  type QueryLimits,
  SqlRefused,
  type Warehouse,
} from '@commune-pulse/warehouse';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { AccessLog } from './access-log.ts';
import { ApiProblem, ENDPOINTS, type Endpoint, type FileAnswer } from './endpoints.ts';
import { openApiDocument, referencePage } from './openapi.ts';
import { type Scope, tokenVerifier } from './tokens.ts';

export interface ApiOptions {
  warehouse: Warehouse;
  logger: Logger;
  queryLimits: QueryLimits;
  reportsDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Host header values accepted besides loopback names (a name the API is reached by). */
  allowedHosts?: readonly string[];
  /** How long a token's state is trusted before it is read again (a revocation takes effect within it). */
  tokenCacheMs?: number;
}

export interface RunningApi {
  url: string;
  /** Writes the access log rows still buffered. */
  flushAccessLog(): Promise<void>;
  close(): Promise<void>;
}

const DASHBOARD_DIR = join(import.meta.dirname, '..', 'dashboard');
const require = createRequire(import.meta.url);
// The common build (bar and line charts, legend, tooltip, the SVG renderer): 0.7 MB instead of the full 1.1 MB,
// which the browser parses before the first page can draw.
const ECHARTS = require.resolve('echarts/dist/echarts.common.min.js');

const problem = (reply: FastifyReply, status: number, title: string, detail: string) =>
  reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send({ type: 'about:blank', title, status, detail });

function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

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

declare module 'fastify' {
  interface FastifyRequest {
    scope?: Scope;
    rows?: number;
  }
}

/** The read-only API and its dashboard, over the warehouse. */
export async function startApi(options: ApiOptions): Promise<RunningApi> {
  const { warehouse, logger } = options;
  const host = options.host ?? '127.0.0.1';
  const allowedHosts = new Set((options.allowedHosts ?? []).map((name) => name.toLowerCase()));
  const verify = tokenVerifier(warehouse, options.tokenCacheMs ?? 2_000);
  const reader = openGuardedReader(warehouse, options.queryLimits);
  const accessLog = new AccessLog(warehouse, logger);
  // Requests are recorded in the access log; Fastify's own line per request would repeat it.
  const app = Fastify({ loggerInstance: logger.child({}, { level: 'warn' }), bodyLimit: 512 * 1024 });

  app.addHook('onRequest', async (request, reply) => {
    request.rows = 0;
    // The Host a browser was sent to: a name that only resolves here through DNS (rebinding) is not ours.
    const hostHeader = (request.headers.host ?? '').toLowerCase();
    const hostName = hostHeader.replace(/:\d+$/, '');
    if (!isLoopbackName(hostName) && !allowedHosts.has(hostName)) {
      return problem(reply, 403, 'Forbidden', `the Host ${hostHeader || '(none)'} is not served here`);
    }
    const origin = request.headers.origin;
    // The dashboard is served by the API itself: any other page's scripts get nothing.
    if (origin !== undefined && origin !== `http://${hostHeader}`) {
      return problem(reply, 403, 'Forbidden', `requests from other sites (Origin ${origin}) are refused`);
    }
    if (!request.url.startsWith('/api/')) return;
    const authorization = request.headers.authorization ?? '';
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (presented === undefined) {
      return problem(
        reply,
        401,
        'Unauthorized',
        'send your API token: Authorization: Bearer <token> (pnpm cli tokens create)',
      );
    }
    const scope = await verify(presented);
    if (scope === undefined) {
      return problem(reply, 401, 'Unauthorized', 'this token is unknown or was revoked: ask for a new one');
    }
    request.scope = scope;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    accessLog.record({
      scope: request.scope,
      method: request.method,
      path: request.url,
      status: reply.statusCode,
      rows: request.rows ?? 0,
      durationMs: reply.elapsedTime,
    });
  });

  app.setNotFoundHandler((request, reply) =>
    problem(reply, 404, 'Not found', `no such resource: ${request.method} ${request.url.split('?')[0]} (see /docs)`),
  );
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiProblem) return problem(reply, error.status, error.title, error.message);
    if (error instanceof SqlRefused) return problem(reply, 400, 'SQL refused', error.message);
    if (error instanceof QueryLimitExceeded) return problem(reply, 422, 'Query over its limits', error.message);
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return problem(reply, status, 'Bad request', (error as Error).message);
    }
    request.log.error({ err: error, url: request.url }, 'request failed');
    return problem(reply, 500, 'Internal error', 'the request failed on the server; it was logged');
  });

  for (const endpoint of ENDPOINTS) {
    app.route({
      method: endpoint.method,
      url: endpoint.path,
      handler: (request, reply) => answer(endpoint, request, reply),
    });
  }

  async function answer(endpoint: Endpoint, request: FastifyRequest, reply: FastifyReply) {
    const scope = request.scope as Scope;
    if (endpoint.scope === 'national' && scope.provinceCode !== undefined) {
      return problem(reply, 403, 'Forbidden', `${endpoint.path} holds national figures: not for a province's token`);
    }
    if (endpoint.scope === 'sql' && !scope.sql) {
      return problem(reply, 403, 'Forbidden', 'SQL is for analyst tokens (pnpm cli tokens create --role analyst)');
    }
    const parse = (schema: Endpoint['query'], value: unknown, where: string) => {
      const parsed = schema.safeParse(value ?? {});
      if (!parsed.success) {
        const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || where}: ${issue.message}`);
        throw new ApiProblem(400, 'Bad request', `${where}: ${detail.join('; ')}`);
      }
      return parsed.data;
    };
    const query = parse(endpoint.query, request.query, 'query');
    const params = parse(endpoint.params, request.params, 'path');
    const body = endpoint.body === undefined ? undefined : parse(endpoint.body, request.body, 'body');
    const result = await endpoint.handler({
      warehouse,
      reader,
      reportsDir: options.reportsDir,
      scope,
      query,
      params,
      body,
    } as Parameters<Endpoint['handler']>[0]);
    if (result !== null && typeof result === 'object' && 'file' in result) {
      const { file } = result as FileAnswer;
      request.rows = 1;
      return reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="${encodeURIComponent(file.downloadName)}"`)
        .send(createReadStream(file.path));
    }
    request.rows = rowCount(result);
    const wanted = (query as { format?: string }).format ?? (body as { format?: string } | undefined)?.format;
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
      const etag = `"${createHash('sha256').update(payload).digest('base64url').slice(0, 27)}"`;
      reply.header('etag', etag).header('cache-control', 'private, max-age=60');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    }
    return reply.send(payload);
  }

  const document = openApiDocument(ENDPOINTS);
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(document));
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(referencePage(document)));
  app.get('/health', async () => ({ ok: true }));
  const staticFile = (path: string, type: string) => async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.type(type).header('cache-control', 'no-cache').send(readFileSync(path));
  app.get('/', staticFile(join(DASHBOARD_DIR, 'index.html'), 'text/html; charset=utf-8'));
  app.get('/dashboard/app.js', staticFile(join(DASHBOARD_DIR, 'app.js'), 'text/javascript; charset=utf-8'));
  app.get('/dashboard/style.css', staticFile(join(DASHBOARD_DIR, 'style.css'), 'text/css; charset=utf-8'));
  app.get('/vendor/echarts.min.js', staticFile(ECHARTS, 'text/javascript; charset=utf-8'));

  await app.listen({ host, port: options.port ?? 8080 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    flushAccessLog: () => accessLog.flush(),
    async close() {
      await app.close();
      await accessLog.close();
      await reader.close();
    },
  };
}
