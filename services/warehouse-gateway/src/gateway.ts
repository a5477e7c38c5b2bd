import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { threadPoolSize } from '@commune-pulse/runtime/config';
import {
  type CheckedStatement,
  createSqlGuard,
  limitMessage,
  limitSettings,
  type QueryLimits,
  SqlRefused,
  SqlSyntaxError,
} from '@commune-pulse/warehouse/sql-guard';
import { accessChecker, type GatewayRole, type GatewayUser, isLimited, isLoopbackName, isWriter } from './access.ts';
import { readBody } from './body.ts';
import { WarehouseEngine } from './engine.ts';
import {
  contentTypeForFormat,
  errorResponse,
  GatewayError,
  parseMultipartForm,
  parseRequestParameters,
  summaryHeader,
} from './protocol.ts';
import { fileReadingOption, policyOf } from './role-policy.ts';
import { routeStatement } from './route.ts';

export interface WarehouseGatewayOptions {
  /** The engine's data folder; created if missing. One process per folder. */
  dataDir: string;
  /** Who may connect: a token per role (at least one). */
  users: readonly GatewayUser[];
  /** Limits of each statement of the data team's role (`RuntimeConfig.queryLimits`). */
  queryLimits: QueryLimits;
  /** Browser origins allowed to call the gateway; none by default (requests with an Origin are refused). */
  allowedOrigins?: readonly string[];
  /** Host header values accepted besides loopback names (for a gateway reached by name). */
  allowedHosts?: readonly string[];
  /** Default 127.0.0.1. Another address must be named in allowedHosts as well. */
  host?: string;
  /** Default 8123; 0 picks a free port (see `url`). */
  port?: number;
  /** Largest request body accepted, before and after decompression. Default 512 MiB. */
  maxBodyBytes?: number;
  /**
   * Statements running in the engine at once; later ones queue. Each running statement holds a libuv pool
   * thread, so the default leaves one of `UV_THREADPOOL_SIZE` (default 4) free for decompression and files.
   */
  maxConcurrentQueries?: number;
}

export interface WarehouseGateway {
  /** `http://host:port`, for `createClient({ url })`. */
  readonly url: string;
  /** Stops accepting requests, lets running ones finish and answer, then releases the data folder. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 512 * 1024 * 1024;
// ClickHouse's own limit on the URL (http_max_uri_size); query parameters travel there.
const MAX_HEADER_BYTES = 1024 * 1024;

function defaultConcurrency(): number {
  const pool = threadPoolSize();
  return Math.max(1, pool - 1);
}

function isPing(pathname: string): boolean {
  // The client appends /ping to the URL's path, which holds the database when the URL names one.
  return pathname === '/ping' || pathname.endsWith('/ping');
}

/**
 * An HTTP server speaking the subset of ClickHouse's HTTP interface that `@clickhouse/client` uses, over an
 * embedded chdb engine: a local stand-in for a ClickHouse server, so that several processes can share one
 * warehouse by URL.
 */
export async function startWarehouseGateway(options: WarehouseGatewayOptions): Promise<WarehouseGateway> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8123;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port must be 0–65535, got ${port}`);
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new Error(`maxBodyBytes must be a positive integer, got ${maxBodyBytes}`);
  }
  if (!isLoopbackName(host) && !(options.allowedHosts ?? []).includes(host)) {
    throw new Error(
      `--host ${host} is not a loopback address: listen there only with --allow-host ${host} (and tokens for every client)`,
    );
  }
  const authorise = accessChecker(options.users, {
    allowedOrigins: options.allowedOrigins ?? [],
    allowedHosts: options.allowedHosts ?? [],
  });
  const engine = await WarehouseEngine.open({
    dataDir: options.dataDir,
    maxConcurrent: options.maxConcurrentQueries ?? defaultConcurrency(),
  });
  const displayName = hostname();
  const limited = Object.entries(limitSettings(options.queryLimits)).map(
    ([name, value]) => [name, String(value)] as const,
  );
  // The engine itself parses each statement before it runs; a statement without parameters gets the same verdict
  // each time, and the services send the same few (an insert's prefix) over and over.
  const guard = createSqlGuard(async (sql, params) => {
    const result = await engine.execute({
      sql,
      params: (params ?? {}) as Record<string, string>,
      settings: [],
      format: 'TabSeparatedRaw',
    });
    return result.body.toString('utf8');
  });
  const verdicts = new Map<string, Promise<CheckedStatement>>();
  const check = (role: GatewayRole, sql: string, params: Record<string, string>): Promise<CheckedStatement> => {
    const policy = policyOf(role);
    if (Object.keys(params).length > 0) return guard.check(sql, policy, params);
    const key = `${role}\u0000${sql}`;
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = guard.check(sql, policy);
      verdicts.set(key, verdict);
      verdict.catch(() => verdicts.delete(key));
      if (verdicts.size > 1_000) verdicts.delete(verdicts.keys().next().value as string);
    }
    return verdict;
  };
  let closing = false;
  let active = 0;
  let onIdle: (() => void) | undefined;

  const fixedHeaders = {
    'X-ClickHouse-Server-Display-Name': displayName,
    'X-ClickHouse-Timezone': engine.timezone,
  };

  function sendError(response: ServerResponse, queryId: string, error: unknown, closeConnection: boolean): void {
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

  function sendOk(response: ServerResponse): void {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': 4 });
    response.end('Ok.\n');
  }

  async function handleQuery(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    role: GatewayRole,
  ): Promise<void> {
    let queryId = url.searchParams.get('query_id') || randomUUID();
    let bodyDone = request.method !== 'POST';
    try {
      if (request.method !== 'GET' && request.method !== 'POST') {
        throw new GatewayError(405, 1, 'UNSUPPORTED_METHOD', `HTTP method ${request.method} is not supported`);
      }
      let body = request.method === 'POST' ? await readBody(request, maxBodyBytes) : Buffer.alloc(0);
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
      let checked: CheckedStatement;
      try {
        checked = await check(role, statement.sql, parameters.params);
      } catch (error) {
        if (error instanceof SqlSyntaxError) throw new GatewayError(400, 62, 'SYNTAX_ERROR', error.message);
        if (error instanceof SqlRefused) throw new GatewayError(403, 497, 'ACCESS_DENIED', `${role}: ${error.message}`);
        throw error;
      }
      const settings = parameters.settings;
      const format = parameters.defaultFormat ?? 'TabSeparated';
      if (!isWriter(role)) {
        const refused = fileReadingOption(statement.outputFormat ?? format, settings);
        if (refused !== undefined) throw new GatewayError(403, 497, 'ACCESS_DENIED', `${role}: ${refused}`);
      }
      if (request.method === 'GET') {
        // As on a ClickHouse server, GET may read and change settings but not data.
        const asked = settings.find(([name]) => name === 'readonly')?.[1];
        settings.push(['readonly', asked === '1' ? '1' : '2']);
      }
      // Last, so that nothing the request set can lift them: read-only within the limits.
      if (isLimited(role)) settings.push(...limited.map(([name, value]) => [name, value] as [string, string]));
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
          const overLimit = isLimited(role) ? limitMessage(error, options.queryLimits) : undefined;
          if (overLimit === undefined) throw error;
          const code = /TIMEOUT/.test(String(error)) ? 159 : /MEMORY/.test(String(error)) ? 241 : 396;
          throw new GatewayError(500, code, 'QUERY_LIMIT', overLimit);
        });
      if (response.destroyed) return;
      const resultFormat = statement.rows === undefined ? (statement.outputFormat ?? format) : undefined;
      response.writeHead(200, {
        ...fixedHeaders,
        'Content-Type': contentTypeForFormat(resultFormat ?? 'TabSeparated'),
        'Content-Length': result.body.length,
        'X-ClickHouse-Query-Id': queryId,
        ...(resultFormat !== undefined ? { 'X-ClickHouse-Format': resultFormat } : {}),
        'X-ClickHouse-Summary': summaryHeader(result.summary),
      });
      response.end(result.body);
    } catch (error) {
      // A body left unread cannot be skipped on a kept-alive connection: answer, then close it.
      sendError(response, queryId, error, !bodyDone);
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    let role: GatewayRole;
    try {
      role = authorise(request.headers);
    } catch (error) {
      request.resume();
      sendError(response, randomUUID(), error, true);
      return;
    }
    if (isPing(url.pathname)) {
      request.resume();
      sendOk(response);
      return;
    }
    if (closing) {
      request.resume();
      sendError(
        response,
        randomUUID(),
        new GatewayError(503, 236, 'ABORTED', 'The warehouse gateway is shutting down'),
        true,
      );
      return;
    }
    await handleQuery(request, response, url, role);
  }

  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
    // Counted until the answer has left (or the client went away), so that closing never cuts one short.
    active++;
    response.once('close', () => {
      active--;
      if (active === 0) onIdle?.();
    });
    handle(request, response).catch((error: unknown) => sendError(response, randomUUID(), error, true));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await engine.close();
    throw new Error(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
  }
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (active > 0) await new Promise<void>((resolve) => (onIdle = resolve));
        // Every answer has been written; kept-alive sockets would otherwise hold close() until they time out.
        server.closeAllConnections();
        await stopped;
        await engine.close();
      })();
      return closed;
    },
  };
}
