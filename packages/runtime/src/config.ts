import { z } from 'zod';

/** A configuration or argument problem the user can fix; printed without a stack trace. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const brokerList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'each broker must be host:port, e.g. 127.0.0.1:9092'))
      .min(1, 'give at least one broker, e.g. KAFKA_BROKERS=127.0.0.1:9092'),
  );

const url = (example: string, protocols: string[]) =>
  z.string().refine((text) => {
    try {
      return protocols.includes(new URL(text).protocol);
    } catch {
      return false;
    }
  }, `must be a URL such as ${example}`);

/** The environment every service reads, parsed once at start. Nothing else reads process.env. */
export const environmentSchema = z.object({
  COMMUNE_PULSE_DATA_DIR: z.string().min(1).default('./data'),
  CLICKHOUSE_URL: url('http://default:@127.0.0.1:8123', ['http:', 'https:']).optional(),
  KAFKA_BROKERS: brokerList.optional(),
  REDIS_URL: url('redis://127.0.0.1:6379/0', ['redis:', 'rediss:']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).optional(),
  // Limits of one query of SQL from people (pnpm cli query, the API's SQL endpoint, the gateway's data team).
  SQL_MAX_EXECUTION_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  SQL_MAX_MEMORY_BYTES: z.coerce
    .number()
    .int()
    .min(16 * 1024 ** 2)
    .max(64 * 1024 ** 3)
    .default(2 * 1024 ** 3),
  SQL_MAX_RESULT_ROWS: z.coerce.number().int().min(1).max(100_000_000).default(100_000),
  // how long the ingest ledger keeps a processed range (the exactly-once window by position)
  INGEST_LEDGER_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  // the key prefix of every job queue in Redis (one per deployment, or per test)
  BULLMQ_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/, 'letters, digits, : _ - only')
    .default('commune-pulse'),
});

export interface RuntimeConfig {
  dataDir: string;
  clickhouseUrl: string | undefined;
  kafkaBrokers: string[] | undefined;
  redisUrl: string | undefined;
  logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
  metricsPort: number | undefined;
  kafkaSessionTimeoutMs: number | undefined;
  /** Limits of one query of SQL from people. */
  queryLimits: { maxExecutionSeconds: number; maxMemoryBytes: number; maxResultRows: number };
  ledgerRetentionDays: number;
  /** the key prefix of the job queues in Redis */
  bullmqPrefix: string;
}

/**
 * The process's environment, with overrides (a command's `--data-dir`) in place of what it sets: the one place
 * process.env is read. Pass it to a loader (loadConfig, a service's load…Config).
 */
export function processEnvironment(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [name, value] of Object.entries(overrides)) if (value !== undefined) env[name] = value;
  return env;
}

/** libuv's thread pool size (UV_THREADPOOL_SIZE), 4 when unset or not a number: what Node starts with. */
export function threadPoolSize(env: Record<string, string | undefined> = processEnvironment()): number {
  return Number(env.UV_THREADPOOL_SIZE) || 4;
}

export function formatIssues(error: z.ZodError, prefix = ''): string {
  return error.issues.map((issue) => `${prefix}${issue.path.join('.') || '(value)'}: ${issue.message}`).join('\n');
}

export function loadConfig(env: Record<string, string | undefined>): RuntimeConfig {
  // An empty variable means "not set", as it does for most shells' users.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(`bad configuration in the environment:\n${formatIssues(parsed.error, '  ')}`);
  }
  const value = parsed.data;
  return {
    dataDir: value.COMMUNE_PULSE_DATA_DIR,
    clickhouseUrl: value.CLICKHOUSE_URL,
    kafkaBrokers: value.KAFKA_BROKERS,
    redisUrl: value.REDIS_URL,
    logLevel: value.LOG_LEVEL,
    metricsPort: value.METRICS_PORT,
    kafkaSessionTimeoutMs: value.KAFKA_SESSION_TIMEOUT_MS,
    queryLimits: {
      maxExecutionSeconds: value.SQL_MAX_EXECUTION_SECONDS,
      maxMemoryBytes: value.SQL_MAX_MEMORY_BYTES,
      maxResultRows: value.SQL_MAX_RESULT_ROWS,
    },
    ledgerRetentionDays: value.INGEST_LEDGER_RETENTION_DAYS,
    bullmqPrefix: value.BULLMQ_PREFIX,
  };
}
