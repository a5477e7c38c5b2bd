import { readFileSync } from 'node:fs';
import { provinceByCode } from '@commune-pulse/reference-data';
import { ConfigError, formatIssues } from '@commune-pulse/runtime';
import { z } from 'zod';

/**
 * Who receives what (infra/reports/routing.example.json): a list of routes, each naming provinces (`*` for the
 * whole country) and the e-mail addresses and/or webhook that serve them. A route for `*` receives the national
 * edition; a route naming provinces receives each of those provinces' editions.
 */
const route = z
  .object({
    provinces: z
      .array(z.string())
      .min(1, 'name at least one province code, or "*" for the whole country')
      .superRefine((codes, context) => {
        for (const code of codes) {
          if (code !== '*' && provinceByCode(code) === undefined) {
            context.addIssue({ code: 'custom', message: `unknown province code ${JSON.stringify(code)}` });
          }
        }
      }),
    email: z.array(z.email()).optional(),
    webhook: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        secret: z.string().min(16, 'use a secret of at least 16 characters').optional(),
      })
      .optional(),
  })
  .refine((value) => (value.email?.length ?? 0) > 0 || value.webhook !== undefined, {
    message: 'a route needs an email list or a webhook',
  });

export const routingSchema = z.array(route);
export type Route = z.infer<typeof route>;

export function parseRouting(text: string, source: string): Route[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`routing file ${source} is not JSON: ${(error as Error).message}`);
  }
  const parsed = routingSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`bad routing file ${source}:\n${formatIssues(parsed.error, '  ')}`);
  return parsed.data;
}

export function loadRouting(path: string): Route[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the routing file ${path}: ${(error as Error).message}`);
  }
  return parseRouting(text, path);
}

/** An edition of the report: null for the national one, else a province code. */
export type Edition = string | null;

/** The editions the routes ask for, the national one first. */
export function editionsFor(routes: readonly Route[]): Edition[] {
  const editions = new Set<Edition>();
  for (const entry of routes) {
    for (const code of entry.provinces) editions.add(code === '*' ? null : code);
  }
  return [...editions].sort((a, b) => (a === null ? -1 : b === null ? 1 : a.localeCompare(b)));
}

export interface Recipients {
  emails: string[];
  webhooks: { url: string; secret?: string | undefined }[];
}

/** Who gets one edition: the routes naming its province (or `*` for the national edition). */
export function recipientsOf(routes: readonly Route[], edition: Edition): Recipients {
  const emails = new Set<string>();
  const webhooks = new Map<string, { url: string; secret?: string | undefined }>();
  for (const entry of routes) {
    if (!entry.provinces.includes(edition ?? '*')) continue;
    for (const address of entry.email ?? []) emails.add(address);
    if (entry.webhook) webhooks.set(entry.webhook.url, entry.webhook);
  }
  return { emails: [...emails], webhooks: [...webhooks.values()] };
}
