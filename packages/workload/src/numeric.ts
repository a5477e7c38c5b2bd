// Guards shared by the workload modules. The convention across the package: a failure that a configuration can
// cause (allowances of 100 %, no working time left) comes back as a Result naming what to fix; a value no caller
// should pass (NaN, a negative count) throws a RangeError naming the argument. Either way no NaN or Infinity
// leaves an exported function.

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(error: string): Result<T> {
  return { ok: false, error };
}

export function requireNonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}

export function requirePositive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

export function requireNonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be an integer >= 0, got ${String(value)}`);
  }
  return value;
}

/** Finite inputs can still overflow (1e300 / 1e-300); refuse to hand such a result on. */
export function requireFiniteResult(name: string, value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`${name} overflows (inputs out of any realistic range)`);
  return value;
}

export function requireAllNonNegative(name: string, values: readonly number[]): void {
  for (const [i, value] of values.entries()) requireNonNegative(`${name}[${i}]`, value);
}
