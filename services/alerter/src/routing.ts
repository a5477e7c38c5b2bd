import { readFileSync } from 'node:fs';
import { ALERT_LEVELS } from '@commune-pulse/contracts';
import { provinces } from '@commune-pulse/reference-data';
import { ConfigError, formatIssues } from '@commune-pulse/runtime';
import { z } from 'zod';
import type { AlertLevel, AlertRule } from './rules.ts';

export interface Selector {
  /** province codes, or '*' for all */
  provinces: readonly string[] | '*';
  levels: readonly AlertLevel[] | '*';
  rules: readonly string[] | '*';
}

export interface WebhookRoute extends Selector {
  id: string;
  url: string;
  secret: string;
}

export interface EmailRoute extends Selector {
  address: string;
  name: string | undefined;
}

export interface Routing {
  webhooks: WebhookRoute[];
  emails: EmailRoute[];
}

export type Channel = 'webhook' | 'email' | 'kafka';

export interface RouteTarget {
  channel: Channel;
  /** `webhook:<id>`, `email:<address>`, `kafka:<topic>`: part of the delivery id */
  recipient: string;
}

const all = z.literal('*');
const selector = {
  provinces: z.union([all, z.array(z.string().regex(/^[0-9]{2}$/, 'a 2-digit province code')).min(1)]).default('*'),
  levels: z.union([all, z.array(z.enum(ALERT_LEVELS)).min(1)]).default('*'),
  rules: z.union([all, z.array(z.string()).min(1)]).default('*'),
};

const routingSchema = z
  .object({
    webhooks: z
      .array(
        z
          .object({
            id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
            url: z.url({ protocol: /^https?$/ }),
            /** the secret itself, for local setups; prefer secret_env */
            secret: z.string().min(16).optional(),
            /** the environment variable that holds the secret */
            secret_env: z
              .string()
              .regex(/^[A-Z_][A-Z0-9_]*$/)
              .optional(),
            ...selector,
          })
          .strict(),
      )
      .default([]),
    emails: z
      .array(
        z
          .object({
            address: z.email(),
            name: z.string().optional(),
            ...selector,
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/**
 * Parses a routing document. Secrets come from the environment (`secret_env`) so that the file can be
 * committed; province codes and rule ids are checked against the registry and the rules in force.
 */
export function resolveRouting(
  raw: unknown,
  rules: readonly AlertRule[],
  env: Record<string, string | undefined>,
  source = 'the routing',
): Routing {
  const parsed = routingSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`bad alert routing in ${source}:\n${formatIssues(parsed.error, '  ')}`);
  const problems: string[] = [];
  const knownProvinces = new Set(provinces().map((province) => province.code));
  const knownRules = new Set(rules.map((rule) => rule.id));
  const check = (where: string, entry: z.infer<typeof routingSchema>['emails'][number]) => {
    if (entry.provinces !== '*') {
      for (const code of entry.provinces) {
        if (!knownProvinces.has(code)) problems.push(`${where}: ${code} is not a province code`);
      }
    }
    if (entry.rules !== '*') {
      for (const rule of entry.rules) if (!knownRules.has(rule)) problems.push(`${where}: no rule ${rule}`);
    }
  };
  const webhooks: WebhookRoute[] = [];
  const ids = new Set<string>();
  for (const webhook of parsed.data.webhooks) {
    const where = `webhook ${webhook.id}`;
    if (ids.has(webhook.id)) problems.push(`${where}: the id is used twice`);
    ids.add(webhook.id);
    check(where, { address: 'x@x.x', ...webhook });
    const secret = webhook.secret ?? (webhook.secret_env ? env[webhook.secret_env] : undefined);
    if ((webhook.secret === undefined) === (webhook.secret_env === undefined)) {
      problems.push(`${where}: give exactly one of secret_env (preferred) or secret`);
    } else if (secret === undefined || secret.length < 16) {
      problems.push(`${where}: the environment variable ${webhook.secret_env} must hold a secret of 16+ characters`);
    }
    webhooks.push({
      id: webhook.id,
      url: webhook.url,
      secret: secret ?? '',
      provinces: webhook.provinces,
      levels: webhook.levels,
      rules: webhook.rules,
    });
  }
  for (const email of parsed.data.emails) check(`e-mail ${email.address}`, email);
  if (problems.length > 0) throw new ConfigError(`bad alert routing in ${source}:\n  ${problems.join('\n  ')}`);
  return {
    webhooks,
    emails: parsed.data.emails.map((email) => ({
      address: email.address.toLowerCase(),
      name: email.name,
      provinces: email.provinces,
      levels: email.levels,
      rules: email.rules,
    })),
  };
}

export function loadRouting(
  path: string | undefined,
  rules: readonly AlertRule[],
  env: Record<string, string | undefined>,
): Routing {
  if (path === undefined) return { webhooks: [], emails: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the alert routing ${path} as JSON: ${(error as Error).message}`);
  }
  return resolveRouting(raw, rules, env, path);
}

export function selects(
  selector: Selector,
  alert: { province_code: string; level: AlertLevel; rule: string },
): boolean {
  return (
    (selector.provinces === '*' || selector.provinces.includes(alert.province_code)) &&
    (selector.levels === '*' || selector.levels.includes(alert.level)) &&
    (selector.rules === '*' || selector.rules.includes(alert.rule))
  );
}

/** Who hears about a state change: the webhooks and addresses whose selectors match, and the topic. */
export function routeTargets(
  alert: { province_code: string; level: AlertLevel; rule: string },
  routing: Routing,
  kafkaTopic: string | undefined,
): RouteTarget[] {
  const targets: RouteTarget[] = [];
  for (const webhook of routing.webhooks) {
    if (selects(webhook, alert)) targets.push({ channel: 'webhook', recipient: `webhook:${webhook.id}` });
  }
  for (const email of routing.emails) {
    if (selects(email, alert)) targets.push({ channel: 'email', recipient: `email:${email.address}` });
  }
  if (kafkaTopic) targets.push({ channel: 'kafka', recipient: `kafka:${kafkaTopic}` });
  return targets;
}
