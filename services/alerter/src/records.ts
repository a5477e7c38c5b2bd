import { createHash } from 'node:crypto';

// How the alerter writes its rows: instants as ISO strings, and the deduplication token of an insert.

export const iso = (ms: number) => new Date(ms).toISOString();
export const tokenOf = (parts: readonly string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);
