import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { threadPoolSize } from '@commune-pulse/runtime/config';
import { limitSettings, type QueryLimits } from '@commune-pulse/warehouse/sql-guard';
import { accessChecker, type GatewayRole, type GatewayUser, isLoopbackName } from './access.ts';
import { WarehouseEngine } from './engine.ts';
import { GatewayError } from './protocol.ts';
import { handleQuery, type QueryService, sendError, sendOk } from './query.ts';
import { statementCheck } from './verdicts.ts';

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

/** Where to listen and the largest body, checked: a non-loopback host must be allowed by name. */
function listenOptions(options: WarehouseGatewayOptions): { host: string; port: number; maxBodyBytes: number } {
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
  return { host, port, maxBodyBytes };
}

/**
 * An HTTP server speaking the subset of ClickHouse's HTTP interface that `@clickhouse/client` uses, over an
 * embedded chdb engine: a local stand-in for a ClickHouse server, so that several processes can share one
 * warehouse by URL.
 */
export async function startWarehouseGateway(options: WarehouseGatewayOptions): Promise<WarehouseGateway> {
  const { host, port, maxBodyBytes } = listenOptions(options);
  const authorise = accessChecker(options.users, {
    allowedOrigins: options.allowedOrigins ?? [],
    allowedHosts: options.allowedHosts ?? [],
  });
  const engine = await WarehouseEngine.open({
    dataDir: options.dataDir,
    maxConcurrent: options.maxConcurrentQueries ?? defaultConcurrency(),
  });
  const service: QueryService = {
    engine,
    check: statementCheck(engine),
    maxBodyBytes,
    queryLimits: options.queryLimits,
    limited: Object.entries(limitSettings(options.queryLimits)).map(([name, value]) => [name, String(value)] as const),
    fixedHeaders: { 'X-ClickHouse-Server-Display-Name': hostname(), 'X-ClickHouse-Timezone': engine.timezone },
  };
  const sendFailure = (response: ServerResponse, queryId: string, error: unknown, closeConnection: boolean) =>
    sendError(service.fixedHeaders, response, queryId, error, closeConnection);
  let closing = false;
  let active = 0;
  let onIdle: (() => void) | undefined;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://gateway.invalid');
    let role: GatewayRole;
    try {
      role = authorise(request.headers);
    } catch (error) {
      request.resume();
      sendFailure(response, randomUUID(), error, true);
      return;
    }
    if (isPing(url.pathname)) {
      request.resume();
      sendOk(response);
      return;
    }
    if (closing) {
      request.resume();
      sendFailure(
        response,
        randomUUID(),
        new GatewayError(503, 236, 'ABORTED', 'The warehouse gateway is shutting down'),
        true,
      );
      return;
    }
    await handleQuery(service, request, response, url, role);
  }

  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
    // Counted until the answer has left (or the client went away), so that closing never cuts one short.
    active++;
    response.once('close', () => {
      active--;
      if (active === 0) onIdle?.();
    });
    handle(request, response).catch((error: unknown) => sendFailure(response, randomUUID(), error, true));
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
