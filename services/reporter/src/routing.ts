import { readFileSync } from 'node:fs';
import { provinceByCode } from '@commune-pulse/reference-data';
import { ConfigError, formatIssues } from '@commune-pulse/runtime';
import { z } from 'zod';

/**
 * Who receives the weekly report: the alerting routing file (infra/alerting/routing.example.json), so that one
 * file says who hears about a province. Every webhook and e-mail address in it receives the editions of its
 * provinces; `"*"` (or no `provinces`) means the whole country, which receives the national edition. `levels`
 * and `rules` choose which alerts a recipient hears and do not concern reports; the alerter checks them, and
 * this reader lets them and any other field through so that the two services can grow the file independently.
 */
const provinceList = z.union([z.literal('*'), z.array(z.string()).min(1)]).default('*');

const routingSchema = z.object({
  webhooks: z
    .array(
      z.object({
        id: z.string().min(1),
        url: z.url({ protocol: /^https?$/ }),
        secret: z.string().min(16).optional(),
        secret_env: z.string().optional(),
        provinces: provinceList,
      }),
    )
    .default([]),
  emails: z.array(z.object({ address: z.email(), name: z.string().optional(), provinces: provinceList })).default([]),
});

export interface ReportRoute {
  provinces: readonly string[] | '*';
}

export interface Routing {
  webhooks: (ReportRoute & { id: string; url: string; secret: string })[];
  emails: (ReportRoute & { address: string })[];
}

export function parseRouting(text: string, source: string, env: Record<string, string | undefined>): Routing {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`routing file ${source} is not JSON: ${(error as Error).message}`);
  }
  const parsed = routingSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`bad routing file ${source}:\n${formatIssues(parsed.error, '  ')}`);
  const problems: string[] = [];
  const checkProvinces = (where: string, codes: readonly string[] | '*') => {
    if (codes === '*') return;
    for (const code of codes) if (!provinceByCode(code)) problems.push(`${where}: ${code} is not a province code`);
  };
  const webhooks = parsed.data.webhooks.map((webhook) => {
    checkProvinces(`webhook ${webhook.id}`, webhook.provinces);
    const secret = webhook.secret ?? (webhook.secret_env ? env[webhook.secret_env] : undefined);
    // Every webhook is signed, as the alerter's are: a receiver cannot tell an unsigned body from a forged one.
    if ((webhook.secret === undefined) === (webhook.secret_env === undefined)) {
      problems.push(
        `webhook ${webhook.id}: give exactly one of secret_env (preferred) or secret; every webhook is signed`,
      );
    } else if (secret === undefined || secret.length < 16) {
      problems.push(
        `webhook ${webhook.id}: the environment variable ${webhook.secret_env} must hold a secret of 16+ characters`,
      );
    }
    return { id: webhook.id, url: webhook.url, secret: secret ?? '', provinces: webhook.provinces };
  });
  const emails = parsed.data.emails.map((email) => {
    checkProvinces(`e-mail ${email.address}`, email.provinces);
    return { address: email.address.toLowerCase(), provinces: email.provinces };
  });
  if (problems.length > 0) throw new ConfigError(`bad routing file ${source}:\n  ${problems.join('\n  ')}`);
  return { webhooks, emails };
}

export function loadRouting(path: string, env: Record<string, string | undefined>): Routing {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the routing file ${path}: ${(error as Error).message}`);
  }
  return parseRouting(text, path, env);
}

/** An edition of the report: null for the national one, else a province code. */
export type Edition = string | null;

const editionsOf = (route: ReportRoute): Edition[] => (route.provinces === '*' ? [null] : [...route.provinces]);

/** The editions the routing asks for, the national one first. */
export function editionsFor(routing: Routing): Edition[] {
  const editions = new Set<Edition>([...routing.webhooks, ...routing.emails].flatMap(editionsOf));
  return [...editions].sort((a, b) => (a === null ? -1 : b === null ? 1 : a.localeCompare(b)));
}

export interface Recipients {
  emails: string[];
  webhooks: { id: string; url: string; secret: string }[];
}

/** Who gets one edition: the recipients of its province, or of the whole country for the national one. */
export function recipientsOf(routing: Routing, edition: Edition): Recipients {
  const serves = (route: ReportRoute) => editionsOf(route).includes(edition);
  return {
    emails: routing.emails.filter(serves).map((email) => email.address),
    webhooks: routing.webhooks.filter(serves).map(({ id, url, secret }) => ({ id, url, secret })),
  };
}

export const NO_ROUTING: Routing = { webhooks: [], emails: [] };
