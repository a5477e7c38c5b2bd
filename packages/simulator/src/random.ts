// Small, fast, seedable randomness. Math.random cannot be seeded, and the simulator's promise is that the same
// seed and options give byte-identical output on every machine.

/** A generator of floats in [0, 1). */
export type Random = () => number;

/** mulberry32: 32 bits of state, passes the usual statistical batteries for simulation use, one multiply chain. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The 32-bit finaliser of MurmurHash3: every input bit affects every output bit. */
function fmix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Combines integers into one well-mixed 32-bit seed. Streams are keyed by what they describe (seed, commune,
 * day, purpose) rather than drawn in sequence, so a commune's events do not depend on which other communes or
 * which earlier days were simulated with it.
 */
export function hashSeed(a: number, b = 0, c = 0, d = 0): number {
  let h = fmix32(a ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul(b + 0x7f4a7c15, 0x27d4eb2f));
  h = fmix32(h ^ Math.imul(c + 0x165667b1, 0x61c88647));
  h = fmix32(h ^ Math.imul(d + 0x2545f491, 0x9e3779b1));
  return h;
}

/** A seed from a text (an identifier): FNV-1a, then mixed like the others. */
export function textSeed(text: string, salt = 0): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return hashSeed(h >>> 0, salt);
}

/** A keyed draw in [0, 1) without creating a generator, for one-off decisions. */
export function hashUniform(a: number, b = 0, c = 0, d = 0): number {
  return hashSeed(a, b, c, d) / 4_294_967_296;
}

/** Standard normal by Box–Muller (one of the pair; the other is discarded to keep the generator stateless). */
export function normal(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Poisson by multiplication for small means; above that the normal approximation is within sampling noise. */
export function poisson(random: Random, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let product = random();
    while (product > limit) {
      k++;
      product *= random();
    }
    return k;
  }
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
}

/** Exponential with the given mean. */
export function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

/** Log-normal given its median and the standard deviation of its logarithm. */
export function logNormal(random: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(random));
}

/** Cumulative weights for `pick`. */
export function cumulative(weights: readonly number[]): Float64Array {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (!(total > 0)) throw new RangeError('cumulative needs at least one positive weight');
  const result = new Float64Array(weights.length);
  let running = 0;
  for (let i = 0; i < weights.length; i++) {
    running += (weights[i] ?? 0) / total;
    result[i] = running;
  }
  result[weights.length - 1] = 1;
  return result;
}

/** Index drawn with the probabilities of a `cumulative` table (binary search: catalogs have dozens of rows). */
export function pick(random: Random, table: Float64Array): number {
  const u = random();
  let lo = 0;
  let hi = table.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u < (table[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
