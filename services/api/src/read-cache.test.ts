import { describe, expect, it } from 'vitest';
import { readCache } from './read-cache.ts';

describe('readCache', () => {
  it('callers that ask together share one read, later ones get it from the cache', async () => {
    const cache = readCache<number>(60_000);
    let reads = 0;
    const read = async () => ++reads;
    expect(await Promise.all([cache('k', read), cache('k', read), cache('k', read)])).toEqual([1, 1, 1]);
    expect(await cache('k', read)).toBe(1);
    expect(await cache('other', read)).toBe(2);
    expect(reads).toBe(2);
  });

  it('reads again once the value is older than its time, and never keeps a failed read', async () => {
    const expiring = readCache<number>(0);
    let reads = 0;
    const read = async () => ++reads;
    expect(await expiring('k', read)).toBe(1);
    expect(await expiring('k', read)).toBe(2);
    const cache = readCache<number>(60_000);
    await expect(cache('k', () => Promise.reject(new Error('engine busy')))).rejects.toThrow('engine busy');
    expect(await cache('k', read)).toBe(3);
  });
});
