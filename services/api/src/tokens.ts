import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { provinceByCode, provinces } from '@commune-pulse/reference-data';
import type { Warehouse } from '@commune-pulse/warehouse';
import { readCache } from './read-cache.ts';

/**
 * API tokens. A token is `cpt_<id>_<secret>`; the warehouse keeps its id, its SHA-256 and what it may do, never
 * the token itself, which is shown once when it is created.
 *
 * Roles: `ministry` reads everything; `province:<code>` reads only that province's communes, in every endpoint;
 * `analyst` reads everything and may also send SQL.
 */
export type TokenRole = 'ministry' | 'analyst' | `province:${string}`;

export interface TokenRecord {
  tokenId: string;
  name: string;
  role: TokenRole;
  createdAt: string;
  revokedAt: string | null;
}

/** What a request may see: the provinces its queries are limited to, and whether it may send SQL. */
export interface Scope {
  tokenId: string;
  tokenName: string;
  role: TokenRole;
  /** Every query of every endpoint is limited to these provinces (all 34 for ministry and analyst). */
  provinces: readonly string[];
  /** A single province's token. */
  provinceCode: string | undefined;
  sql: boolean;
}

export class TokenRoleError extends Error {}

/** Checks a role as given on the command line. */
export function parseTokenRole(text: string): TokenRole {
  if (text === 'ministry' || text === 'analyst') return text;
  const match = /^province:([0-9]{2})$/.exec(text);
  if (match?.[1] !== undefined) {
    if (!provinceByCode(match[1])) throw new TokenRoleError(`${match[1]} is not a province code`);
    return `province:${match[1]}`;
  }
  throw new TokenRoleError(`a role is ministry, analyst or province:<2-digit code>, got ${JSON.stringify(text)}`);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const TOKEN_PATTERN = /^cpt_([0-9a-f]{12})_([0-9a-f]{48})$/;

export async function createToken(
  warehouse: Warehouse,
  name: string,
  role: TokenRole,
  nowMs = Date.now(),
): Promise<{ token: string; record: TokenRecord }> {
  const tokenId = randomBytes(6).toString('hex');
  const token = `cpt_${tokenId}_${randomBytes(24).toString('hex')}`;
  const at = new Date(nowMs).toISOString();
  await warehouse.insert('api_tokens', [
    {
      token_id: tokenId,
      token_sha256: sha256(token),
      name,
      role,
      province_code: role.startsWith('province:') ? role.slice('province:'.length) : '',
      created_at: at,
      revoked_at: null,
      updated_at: at,
    },
  ]);
  return { token, record: { tokenId, name, role, createdAt: at, revokedAt: null } };
}

interface StoredToken {
  token_id: string;
  token_sha256: string;
  name: string;
  role: string;
  created_at: string;
  revoked_at: string | null;
}

const SELECT_TOKENS = `SELECT token_id, token_sha256, name, role, toString(created_at) AS created_at,
  if(isNull(revoked_at), NULL, toString(revoked_at)) AS revoked_at FROM api_tokens FINAL`;

export async function listTokens(warehouse: Warehouse): Promise<TokenRecord[]> {
  const rows = await warehouse.query<StoredToken>(`${SELECT_TOKENS} ORDER BY created_at`);
  return rows.map((row) => ({
    tokenId: row.token_id,
    name: row.name,
    role: row.role as TokenRole,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }));
}

/** Revokes a token by its id; false when there is no such token. Revoking twice keeps the first time. */
export async function revokeToken(warehouse: Warehouse, tokenId: string, nowMs = Date.now()): Promise<boolean> {
  const [row] = await warehouse.query<StoredToken>(`${SELECT_TOKENS} WHERE token_id = {id:String}`, { id: tokenId });
  if (row === undefined) return false;
  if (row.revoked_at !== null) return true;
  const at = new Date(nowMs).toISOString();
  await warehouse.insert('api_tokens', [
    {
      token_id: row.token_id,
      token_sha256: row.token_sha256,
      name: row.name,
      role: row.role,
      province_code: row.role.startsWith('province:') ? row.role.slice('province:'.length) : '',
      created_at: row.created_at,
      revoked_at: at,
      updated_at: at,
    },
  ]);
  return true;
}

/**
 * Checks bearer tokens against the warehouse. A token's state is read again after `cacheMs` at most, so a
 * revocation takes effect within that time on every running API.
 */
export function tokenVerifier(warehouse: Warehouse, cacheMs: number) {
  const cache = readCache<Scope | undefined>(cacheMs);
  return async (presented: string): Promise<Scope | undefined> => {
    const match = TOKEN_PATTERN.exec(presented);
    if (match === null) return undefined;
    const tokenId = match[1] as string;
    const digest = sha256(presented);
    return cache(digest, async () => {
      const [row] = await warehouse.query<StoredToken>(`${SELECT_TOKENS} WHERE token_id = {id:String}`, {
        id: tokenId,
      });
      if (
        row === undefined ||
        row.revoked_at !== null ||
        !timingSafeEqual(Buffer.from(row.token_sha256, 'hex'), Buffer.from(digest, 'hex'))
      ) {
        return undefined;
      }
      const role = row.role as TokenRole;
      const provinceCode = role.startsWith('province:') ? role.slice('province:'.length) : undefined;
      return {
        tokenId,
        tokenName: row.name,
        role,
        provinces: provinceCode === undefined ? provinces().map((province) => province.code) : [provinceCode],
        provinceCode,
        sql: role === 'analyst',
      };
    });
  };
}
