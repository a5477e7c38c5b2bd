import { ConfigError, formatIssues, loadConfig, type RuntimeConfig } from '@commune-pulse/runtime';
import { z } from 'zod';
import type { RetryPolicy } from './dispatch.ts';
import { loadRouting, type Routing } from './routing.ts';
import { type AlertRule, loadRules } from './rules.ts';

const alerterEnvironment = z.object({
  ALERT_RULES_FILE: z.string().optional(),
  ALERT_ROUTING_FILE: z.string().optional(),
  SMTP_URL: z
    .string()
    .refine((text) => /^smtps?:\/\/[^\s]+$/.test(text), 'must be a URL such as smtp://user:pass@mail.example.vn:587')
    .optional(),
  ALERT_EMAIL_FROM: z.string().default('commune-pulse <commune-pulse@localhost>'),
  ALERT_DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(7),
  ALERT_NOTIFY_MAX_AGE_HOURS: z.coerce.number().positive().default(72),
  ALERTER_POLL_SECONDS: z.coerce.number().min(0.1).max(3_600).default(30),
  ALERT_RETRY_BASE_MS: z.coerce.number().int().min(10).default(5_000),
  ALERT_RETRY_MAX_MS: z.coerce.number().int().min(10).default(3_600_000),
  ALERT_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
});

export interface AlerterConfig extends RuntimeConfig {
  rules: AlertRule[];
  routing: Routing;
  rulesFile: string | undefined;
  routingFile: string | undefined;
  smtpUrl: string | undefined;
  emailFrom: string;
  digestHour: number;
  notifyMaxAgeMs: number;
  pollMs: number;
  retry: RetryPolicy;
  webhookTimeoutMs: number;
}

/** The alerter's settings, from the environment only (the routing file's secrets too). */
export function loadAlerterConfig(env: Record<string, string | undefined>): AlerterConfig {
  const base = loadConfig(env);
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = alerterEnvironment.safeParse(present);
  if (!parsed.success) throw new ConfigError(`bad alerter configuration:\n${formatIssues(parsed.error, '  ')}`);
  const value = parsed.data;
  const rules = loadRules(value.ALERT_RULES_FILE);
  return {
    ...base,
    rules,
    routing: loadRouting(value.ALERT_ROUTING_FILE, rules, env),
    rulesFile: value.ALERT_RULES_FILE,
    routingFile: value.ALERT_ROUTING_FILE,
    smtpUrl: value.SMTP_URL,
    emailFrom: value.ALERT_EMAIL_FROM,
    digestHour: value.ALERT_DIGEST_HOUR,
    notifyMaxAgeMs: value.ALERT_NOTIFY_MAX_AGE_HOURS * 3_600_000,
    pollMs: Math.round(value.ALERTER_POLL_SECONDS * 1_000),
    retry: { baseMs: value.ALERT_RETRY_BASE_MS, maxMs: Math.max(value.ALERT_RETRY_MAX_MS, value.ALERT_RETRY_BASE_MS) },
    webhookTimeoutMs: value.ALERT_WEBHOOK_TIMEOUT_MS,
  };
}
