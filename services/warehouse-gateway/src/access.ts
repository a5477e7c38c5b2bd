import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from './protocol.ts';

/**
 * Who may use the gateway, and for what. Every request names a user (HTTP basic auth, as @clickhouse/client sends
 * the URL's `user:password`, or ClickHouse's X-ClickHouse-User/-Key headers) and carries that user's token. The
 * users are the roles: the services that write, the API (reads, and its access log), the data team (read-only
 * SQL with limits) and the operator (migrations).
 */
export const GATEWAY_ROLES = ['ingest', 'estimator', 'alerter', 'reporter', 'admin', 'api', 'data_team'] as const;
export type GatewayRole = (typeof GATEWAY_ROLES)[number];

const WRITERS = new Set<GatewayRole>(['ingest', 'estimator', 'alerter', 'reporter', 'admin']);

export function isWriter(role: GatewayRole): boolean {
  return WRITERS.has(role);
}

/** Roles whose statements run read-only within the query limits. */
export function isLimited(role: GatewayRole): boolean {
  return role === 'data_team';
}

export interface GatewayUser {
  role: GatewayRole;
  token: string;
}

export const MIN_TOKEN_LENGTH = 24;

/** The users configured by `WAREHOUSE_GATEWAY_TOKEN_<ROLE>` variables, e.g. WAREHOUSE_GATEWAY_TOKEN_INGEST. */
export function usersFromEnvironment(env: Record<string, string | undefined>): GatewayUser[] {
  const users: GatewayUser[] = [];
  for (const role of GATEWAY_ROLES) {
    const name = tokenVariable(role);
    const token = env[name];
    if (token === undefined || token === '') continue;
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new Error(`${name} must hold a token of ${MIN_TOKEN_LENGTH}+ characters (e.g. openssl rand -hex 24)`);
    }
    users.push({ role, token });
  }
  return users;
}

export function tokenVariable(role: GatewayRole): string {
  return `WAREHOUSE_GATEWAY_TOKEN_${role.toUpperCase()}`;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export interface AccessRules {
  /** Origins (scheme://host[:port]) whose browser requests are accepted; none by default. */
  allowedOrigins: readonly string[];
  /** Host header values accepted besides loopback names. */
  allowedHosts: readonly string[];
}

/** Checks a request's Host, Origin and credentials; the role it acts as, or a GatewayError to answer. */
export function accessChecker(users: readonly GatewayUser[], rules: AccessRules) {
  if (users.length === 0) {
    throw new Error(
      `no users: set at least one of ${GATEWAY_ROLES.map(tokenVariable).join(', ')} (the gateway serves no request without a token)`,
    );
  }
  const hashed = users.map((user) => ({ role: user.role, digest: sha256(user.token) }));
  const allowedHosts = new Set(rules.allowedHosts.map((host) => host.toLowerCase()));
  const allowedOrigins = new Set(rules.allowedOrigins);
  return (headers: IncomingHttpHeaders): GatewayRole => {
    const origin = headers.origin;
    // A web page in a local browser sends an Origin; the services and tools never do.
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      throw new GatewayError(403, 497, 'ACCESS_DENIED', `requests from web pages (Origin ${origin}) are refused`);
    }
    const host = hostName(headers.host);
    // A name that resolves to this machine only through DNS (rebinding) is not one of ours.
    if (host === undefined || (!isLoopbackName(host) && !allowedHosts.has(host))) {
      throw new GatewayError(403, 497, 'ACCESS_DENIED', `the Host ${headers.host ?? '(none)'} is not served here`);
    }
    const credentials = credentialsOf(headers);
    const presented = credentials === undefined ? undefined : sha256(credentials.password);
    const user = hashed.find(
      (candidate) =>
        candidate.role === credentials?.user && presented !== undefined && timingSafeEqual(candidate.digest, presented),
    );
    if (user === undefined) {
      throw new GatewayError(
        401,
        516,
        'AUTHENTICATION_FAILED',
        credentials === undefined
          ? `a user and token are required: http://<role>:<token>@host:port (roles: ${GATEWAY_ROLES.join(', ')})`
          : `${credentials.user}: Authentication failed: the token is wrong or there is no such user`,
      );
    }
    return user.role;
  };
}

function credentialsOf(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon !== -1) return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const user = headers['x-clickhouse-user'];
  const key = headers['x-clickhouse-key'];
  if (typeof user === 'string' && typeof key === 'string') return { user, password: key };
  return undefined;
}

function hostName(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]?.toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

export function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
