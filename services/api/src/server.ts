import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Logger } from '@commune-pulse/runtime';
import { openGuardedReader, type QueryLimits, type Warehouse } from '@commune-pulse/warehouse';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { AccessLog } from './access-log.ts';
import { answer, answerError, etag, problem } from './answer.ts';
import { ENDPOINTS } from './endpoints.ts';
import { requestGuard } from './guard.ts';
import { openApiDocument, referencePage } from './openapi.ts';
import { tokenVerifier } from './tokens.ts';

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
const STATIC_FILES = [
  ['/', join(DASHBOARD_DIR, 'index.html'), 'text/html; charset=utf-8'],
  ['/dashboard/app.js', join(DASHBOARD_DIR, 'app.js'), 'text/javascript; charset=utf-8'],
  ['/dashboard/style.css', join(DASHBOARD_DIR, 'style.css'), 'text/css; charset=utf-8'],
  ['/vendor/echarts.min.js', ECHARTS, 'text/javascript; charset=utf-8'],
] as const;

/**
 * A file of the dashboard, read when the API starts: sent gzipped to a browser that takes it (ECharts is 0.7 MB,
 * 0.24 MB gzipped), with an ETag, and answered 304 when the browser already holds it. `no-cache`: the browser asks
 * each time, so that a new version of the dashboard is never mixed with an old one.
 */
function staticFile(path: string, type: string) {
  const body = readFileSync(path);
  const tag = etag(body);
  const gzipped = gzipSync(body, { level: 9 });
  return async (request: FastifyRequest, reply: FastifyReply) => {
    reply.type(type).header('cache-control', 'no-cache').header('etag', tag).header('vary', 'accept-encoding');
    if (request.headers['if-none-match'] === tag) return reply.code(304).send();
    if (!/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) return reply.send(body);
    return reply.header('content-encoding', 'gzip').send(gzipped);
  };
}

/** The read-only API and its dashboard, over the warehouse. */
export async function startApi(options: ApiOptions): Promise<RunningApi> {
  const { warehouse, logger } = options;
  const host = options.host ?? '127.0.0.1';
  const allowedHosts = new Set((options.allowedHosts ?? []).map((name) => name.toLowerCase()));
  const verify = tokenVerifier(warehouse, options.tokenCacheMs ?? 2_000);
  const reader = openGuardedReader(warehouse, options.queryLimits);
  const accessLog = new AccessLog(warehouse, logger);
  const services = { warehouse, reader, reportsDir: options.reportsDir };
  // Requests are recorded in the access log; Fastify's own line per request would repeat it.
  const app = Fastify({ loggerInstance: logger.child({}, { level: 'warn' }), bodyLimit: 512 * 1024 });

  app.addHook('onRequest', requestGuard(allowedHosts, verify));

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
  app.setErrorHandler(answerError);

  for (const endpoint of ENDPOINTS) {
    app.route({
      method: endpoint.method,
      url: endpoint.path,
      handler: (request, reply) => answer(endpoint, request, reply, services),
    });
  }

  const document = openApiDocument(ENDPOINTS);
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(document));
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(referencePage(document)));
  app.get('/health', async () => ({ ok: true }));
  for (const [url, path, type] of STATIC_FILES) app.get(url, staticFile(path, type));

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
