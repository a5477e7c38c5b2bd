/**
 * A value read from the warehouse, kept `ttlMs` after it was read. Requests that ask for it while it is being read
 * share that one read: the calls a page sends together (each with its token, each wanting the latest week) cost
 * one query, not one each, on the engine's single connection. A read that fails is not kept.
 */
export function readCache<V>(ttlMs: number, maxEntries = 10_000) {
  const entries = new Map<string, { value: Promise<V>; until: number }>();
  return (key: string, read: () => Promise<V>): Promise<V> => {
    const cached = entries.get(key);
    if (cached !== undefined && cached.until > Date.now()) return cached.value;
    const entry = { value: read(), until: Number.POSITIVE_INFINITY };
    entries.set(key, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    entry.value.then(
      () => {
        entry.until = Date.now() + ttlMs;
      },
      () => {
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return entry.value;
  };
}
