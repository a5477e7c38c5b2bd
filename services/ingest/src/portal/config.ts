import { readFileSync } from 'node:fs';
import { TOPICS } from '@commune-pulse/contracts';
import { provinceByCode } from '@commune-pulse/reference-data';
import { ConfigError, formatIssues, loadConfig, type RuntimeConfig } from '@commune-pulse/runtime';
import { z } from 'zod';
import { type ProvinceAccess, sha256 } from './receiver.ts';

const portalEnvironment = z.object({
  /** provinces.json: each province's token and officer key, by the environment variables that hold them */
  PORTAL_PROVINCES_FILE: z.string().optional(),
  /** the officer key of bare records (an export, records a province produces to Kafka itself) */
  PORTAL_OFFICER_KEY: z.string().min(16, 'must be 16 characters or more').optional(),
  PORTAL_RECEIVER_HOST: z.string().default('127.0.0.1'),
  PORTAL_RECEIVER_PORT: z.coerce.number().int().min(0).max(65_535).default(8089),
  PORTAL_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1_024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  PORTAL_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/, 'a Kafka topic name')
    .default(TOPICS.portalDossiers),
});

export interface PortalConfig extends RuntimeConfig {
  provincesFile: string | undefined;
  officerKey: string | undefined;
  receiverHost: string;
  receiverPort: number;
  maxBodyBytes: number;
  /** where the receiver produces accepted records and the ingest service consumes them */
  portalTopic: string;
}

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. PORTAL_TOKEN_01');
const provincesSchema = z
  .object({
    provinces: z
      .array(
        z
          .object({
            province_code: z.string().regex(/^[0-9]{2}$/, 'a 2-digit province code'),
            /** the environment variable holding the province's token (16+ characters) */
            token_env: envName,
            /** the environment variable holding its key for officer references; without one, NguoiXuLy is dropped */
            officer_key_env: envName.optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** The portal door's settings, from the environment only. */
export function loadPortalConfig(env: Record<string, string | undefined>): PortalConfig {
  const base = loadConfig(env);
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = portalEnvironment.safeParse(present);
  if (!parsed.success) throw new ConfigError(`bad portal configuration:\n${formatIssues(parsed.error, '  ')}`);
  return {
    ...base,
    provincesFile: parsed.data.PORTAL_PROVINCES_FILE,
    officerKey: parsed.data.PORTAL_OFFICER_KEY,
    receiverHost: parsed.data.PORTAL_RECEIVER_HOST,
    receiverPort: parsed.data.PORTAL_RECEIVER_PORT,
    maxBodyBytes: parsed.data.PORTAL_MAX_BODY_BYTES,
    portalTopic: parsed.data.PORTAL_TOPIC,
  };
}

/**
 * Reads provinces.json. Tokens and keys come from the environment, so that the file can be committed; each
 * must be 16 characters or more, and no two provinces may share a token.
 */
export function loadProvinceAccess(path: string, env: Record<string, string | undefined>): ProvinceAccess[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the provinces file ${path}: ${(error as Error).message}`);
  }
  const parsed = provincesSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`bad provinces file ${path}:\n${formatIssues(parsed.error, '  ')}`);
  const problems: string[] = [];
  const access: ProvinceAccess[] = [];
  const seen = new Set<string>();
  const tokens = new Set<string>();
  for (const entry of parsed.data.provinces) {
    const where = `province ${entry.province_code}`;
    if (provinceByCode(entry.province_code) === undefined) problems.push(`${where}: not a province code`);
    if (seen.has(entry.province_code)) problems.push(`${where}: listed twice`);
    seen.add(entry.province_code);
    const token = env[entry.token_env];
    if (token === undefined || token.length < 16) {
      problems.push(`${where}: the environment variable ${entry.token_env} must hold a token of 16+ characters`);
    } else if (tokens.has(token)) problems.push(`${where}: its token is another province's too`);
    else tokens.add(token);
    const key = entry.officer_key_env === undefined ? undefined : env[entry.officer_key_env];
    if (entry.officer_key_env !== undefined && (key === undefined || key.length < 16)) {
      problems.push(`${where}: the environment variable ${entry.officer_key_env} must hold a key of 16+ characters`);
    }
    access.push({ provinceCode: entry.province_code, tokenSha256: sha256(token ?? ''), officerKey: key });
  }
  if (problems.length > 0) throw new ConfigError(`bad provinces file ${path}:\n  ${problems.join('\n  ')}`);
  return access;
}
