import { ConfigError, formatIssues, loadConfig, type RuntimeConfig } from '@commune-pulse/runtime';
import { z } from 'zod';

const apiEnvironment = z.object({
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Host names the API is reached by besides loopback ones, comma-separated. */
  API_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  API_TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  REPORTS_DIR: z.string().min(1).default('./reports'),
});

export interface ApiConfig extends RuntimeConfig {
  host: string;
  port: number;
  allowedHosts: string[];
  tokenCacheMs: number;
  reportsDir: string;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

export function loadApiConfig(env: Record<string, string | undefined>): ApiConfig {
  const base = loadConfig(env);
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = apiEnvironment.safeParse(present);
  if (!parsed.success) throw new ConfigError(`bad API configuration:\n${formatIssues(parsed.error, '  ')}`);
  const value = parsed.data;
  // Beyond loopback only on purpose: the address must also be a host name the API answers to.
  if (!LOOPBACK.test(value.API_HOST) && value.API_ALLOWED_HOSTS.length === 0) {
    throw new ConfigError(
      `API_HOST=${value.API_HOST} listens beyond this machine: also set API_ALLOWED_HOSTS to the names clients use`,
    );
  }
  return {
    ...base,
    host: value.API_HOST,
    port: value.API_PORT,
    allowedHosts: value.API_ALLOWED_HOSTS,
    tokenCacheMs: value.API_TOKEN_CACHE_MS,
    reportsDir: value.REPORTS_DIR,
  };
}
