// Estimation parameters (params.json, docs/spec/reference-inputs.md). Keys keep the file's snake_case spelling so a
// params.json maps onto this type one to one and its version hash is over the same names the ministry edits.

export type LevelThresholds = readonly [normal: number, elevated: number, high: number, critical: number];

export type EstimationParams = {
  /** A: working days a year (5-day week: 260 or 261). */
  readonly working_days_per_year: number;
  /** B: public holidays on working days (11 under the 2019 Labour Code, art. 112). */
  readonly public_holidays: number;
  /** C: annual leave days (12, art. 113). */
  readonly annual_leave: number;
  /** D: sick leave days. */
  readonly sick_leave: number;
  /** E: training and other leave days. */
  readonly other_leave: number;
  /** h: working hours a day. */
  readonly hours_per_day: number;
  /** ΣCAS: support work by all staff, percent of working time. */
  readonly category_allowance_percent: number;
  /** ΣIAS: work done by some staff only, hours a year. */
  readonly individual_allowance_hours: number;
  /** Share of counter visitors to be served within the target wait, in (0, 1). */
  readonly counter_target_service_level: number;
  readonly counter_target_wait_minutes: number;
  /** Lower bounds of normal, elevated, high and critical pressure. */
  readonly level_thresholds: LevelThresholds;
};

export const DEFAULT_LEVEL_THRESHOLDS: LevelThresholds = Object.freeze([0.8, 1.0, 1.2, 1.5] as const);

export const DEFAULT_PARAMS: EstimationParams = Object.freeze({
  working_days_per_year: 260,
  public_holidays: 11,
  annual_leave: 12,
  sick_leave: 5,
  other_leave: 5,
  hours_per_day: 8,
  category_allowance_percent: 20,
  individual_allowance_hours: 0,
  counter_target_service_level: 0.8,
  counter_target_wait_minutes: 15,
  level_thresholds: DEFAULT_LEVEL_THRESHOLDS,
});

export type ResolveParamsResult =
  | { readonly ok: true; readonly params: EstimationParams }
  | { readonly ok: false; readonly errors: readonly string[] };

type NumericKey = Exclude<keyof EstimationParams, 'level_thresholds'>;

type NumberRule = {
  readonly min: number;
  /** Whether min itself is allowed. */
  readonly minInclusive: boolean;
  readonly max?: number;
  readonly maxInclusive?: boolean;
  readonly unit: string;
};

const NUMBER_RULES: Readonly<Record<NumericKey, NumberRule>> = {
  working_days_per_year: { min: 0, minInclusive: false, max: 366, maxInclusive: true, unit: 'days' },
  public_holidays: { min: 0, minInclusive: true, max: 366, maxInclusive: true, unit: 'days' },
  annual_leave: { min: 0, minInclusive: true, max: 366, maxInclusive: true, unit: 'days' },
  sick_leave: { min: 0, minInclusive: true, max: 366, maxInclusive: true, unit: 'days' },
  other_leave: { min: 0, minInclusive: true, max: 366, maxInclusive: true, unit: 'days' },
  hours_per_day: { min: 0, minInclusive: false, max: 24, maxInclusive: true, unit: 'hours' },
  // 100 % would leave no time for dossiers at all (CAF = 1 / 0).
  category_allowance_percent: { min: 0, minInclusive: true, max: 100, maxInclusive: false, unit: 'percent' },
  individual_allowance_hours: { min: 0, minInclusive: true, unit: 'hours a year' },
  // SL = 1 is never reached with a finite number of counters, SL = 0 needs none.
  counter_target_service_level: { min: 0, minInclusive: false, max: 1, maxInclusive: false, unit: 'a fraction' },
  counter_target_wait_minutes: { min: 0, minInclusive: true, unit: 'minutes' },
};

const KNOWN_KEYS: readonly (keyof EstimationParams)[] = Object.keys(DEFAULT_PARAMS) as (keyof EstimationParams)[];

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}

function rangeText(rule: NumberRule): string {
  const low = rule.minInclusive ? `>= ${rule.min}` : `> ${rule.min}`;
  if (rule.max === undefined) return low;
  const high = rule.maxInclusive ? `<= ${rule.max}` : `< ${rule.max}`;
  return `${low} and ${high}`;
}

function checkNumber(key: NumericKey, value: unknown): string | null {
  const rule = NUMBER_RULES[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return `${key}: must be a finite number (${rule.unit}, ${rangeText(rule)}), got ${describe(value)}`;
  }
  const belowMin = rule.minInclusive ? value < rule.min : value <= rule.min;
  const aboveMax = rule.max !== undefined && (rule.maxInclusive === true ? value > rule.max : value >= rule.max);
  if (belowMin || aboveMax) return `${key}: must be ${rangeText(rule)} (${rule.unit}), got ${value}`;
  return null;
}

function checkThresholds(value: unknown): string | null {
  const hint =
    'give 4 numbers >= 0 in strictly ascending order, the lower bounds of normal, elevated, high and critical, e.g. [0.8, 1.0, 1.2, 1.5]';
  if (!Array.isArray(value) || value.length !== 4) {
    return `level_thresholds: ${hint}; got ${describe(value)}`;
  }
  const numbersOk = value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  const ascending = numbersOk && value.every((v: number, i) => i === 0 || v > (value[i - 1] as number));
  if (!numbersOk || !ascending) return `level_thresholds: ${hint}; got ${JSON.stringify(value)}`;
  return null;
}

/**
 * Validates a parsed params.json (every key optional) and fills in the defaults. Unknown keys are rejected
 * rather than ignored: a misspelt key would otherwise silently leave its default in force.
 * `undefined` (no file) yields the defaults.
 */
export function resolveParams(partial: unknown): ResolveParamsResult {
  if (partial === undefined) return { ok: true, params: DEFAULT_PARAMS };
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
    return { ok: false, errors: [`params must be a JSON object like {"sick_leave": 5}, got ${describe(partial)}`] };
  }
  const input = partial as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(input)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      errors.push(`${key}: unknown key; remove it or use one of ${KNOWN_KEYS.join(', ')}`);
    }
  }
  const merged: Record<string, unknown> = { ...DEFAULT_PARAMS };
  for (const key of KNOWN_KEYS) {
    if (!Object.hasOwn(input, key) || input[key] === undefined) continue;
    const value = input[key];
    const problem = key === 'level_thresholds' ? checkThresholds(value) : checkNumber(key, value);
    if (problem !== null) errors.push(problem);
    else merged[key] = key === 'level_thresholds' ? Object.freeze([...(value as number[])]) : value;
  }
  if (errors.length === 0) {
    const p = merged as EstimationParams;
    const leave = p.public_holidays + p.annual_leave + p.sick_leave + p.other_leave;
    if (p.working_days_per_year - leave <= 0) {
      errors.push(
        `working_days_per_year (${p.working_days_per_year}) must exceed public_holidays + annual_leave + sick_leave + other_leave (${leave}): no working time would be left`,
      );
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, params: Object.freeze(merged) as EstimationParams };
}

/** JSON with object keys sorted at every depth, so equal content always serialises to the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a, 64 bits, over the UTF-8 bytes of `text`; 16 lowercase hex digits. Not cryptographic: it names content. */
export function fnv1a64Hex(text: string): string {
  let hash = FNV64_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * FNV64_PRIME) & MASK64;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * A stable name for a parameter set: 'params-' + FNV-1a 64 of its canonical JSON. Hashing the resolved
 * parameters (defaults filled in) makes an empty params.json and one spelling out the defaults share a version.
 */
export function paramsVersion(params: EstimationParams): string {
  return `params-${fnv1a64Hex(canonicalJson(params))}`;
}
