import { describe, expect, it } from 'vitest';
import { canonicalJson, DEFAULT_PARAMS, fnv1a64Hex, paramsVersion, resolveParams } from './params.ts';

describe('resolveParams', () => {
  it('gives the defaults of reference-inputs.md for no file and for an empty object', () => {
    const expected = {
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
      level_thresholds: [0.8, 1.0, 1.2, 1.5],
    };
    expect(resolveParams(undefined)).toEqual({ ok: true, params: expected });
    expect(resolveParams({})).toEqual({ ok: true, params: expected });
  });

  it('overrides only the keys given', () => {
    const result = resolveParams({ sick_leave: 7, level_thresholds: [0.7, 1, 1.3, 1.6] });
    expect(result.ok && result.params).toEqual({
      ...DEFAULT_PARAMS,
      sick_leave: 7,
      level_thresholds: [0.7, 1, 1.3, 1.6],
    });
  });

  it('reports every problem, each naming the key and what to give', () => {
    const result = resolveParams({
      sick_leave: -1,
      hours_per_day: '8',
      category_allowance_percent: 100,
      counter_target_service_level: 1,
      level_thresholds: [0.8, 1.2, 1.0, 1.5],
      sick_leaves: 5,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(6);
    expect(result.errors).toContain('sick_leave: must be >= 0 and <= 366 (days), got -1');
    expect(result.errors).toContain(
      'hours_per_day: must be a finite number (hours, > 0 and <= 24), got the string "8"',
    );
    expect(result.errors).toContain('category_allowance_percent: must be >= 0 and < 100 (percent), got 100');
    expect(result.errors).toContain('counter_target_service_level: must be > 0 and < 1 (a fraction), got 1');
    expect(result.errors.find((e) => e.startsWith('level_thresholds:'))).toMatch(
      /strictly ascending.*got \[0.8,1.2,1,1.5\]/,
    );
    expect(result.errors.find((e) => e.startsWith('sick_leaves:'))).toMatch(
      /unknown key; remove it or use one of .*sick_leave/,
    );
  });

  it('rejects thresholds of the wrong length, non-finite numbers and non-objects', () => {
    expect(resolveParams({ level_thresholds: [0.8, 1, 1.2] }).ok).toBe(false);
    expect(resolveParams({ annual_leave: Number.NaN }).ok).toBe(false);
    expect(resolveParams({ individual_allowance_hours: Number.POSITIVE_INFINITY }).ok).toBe(false);
    expect(resolveParams(null)).toEqual({
      ok: false,
      errors: [expect.stringMatching(/must be a JSON object.*got null/)],
    });
    expect(resolveParams([1]).ok).toBe(false);
  });

  it('rejects leave that uses up every working day', () => {
    const result = resolveParams({ working_days_per_year: 30, annual_leave: 20 });
    expect(result).toEqual({
      ok: false,
      errors: [
        'working_days_per_year (30) must exceed public_holidays + annual_leave + sick_leave + other_leave (41): no working time would be left',
      ],
    });
  });
});

describe('paramsVersion', () => {
  it('is stable, content-based and independent of key order', () => {
    const a = resolveParams({ sick_leave: 6, other_leave: 4 });
    const b = resolveParams({ other_leave: 4, sick_leave: 6 });
    if (!a.ok || !b.ok) throw new Error('params should resolve');
    expect(paramsVersion(a.params)).toBe(paramsVersion(b.params));
    expect(paramsVersion(a.params)).toMatch(/^params-[0-9a-f]{16}$/);
    expect(paramsVersion(a.params)).not.toBe(paramsVersion(DEFAULT_PARAMS));
  });

  it('names the defaults the same whether spelt out or left out', () => {
    const spelt = resolveParams({ ...DEFAULT_PARAMS });
    if (!spelt.ok) throw new Error('defaults should resolve');
    expect(paramsVersion(spelt.params)).toBe(paramsVersion(DEFAULT_PARAMS));
  });

  it('uses FNV-1a 64 (published test vectors)', () => {
    expect(fnv1a64Hex('')).toBe('cbf29ce484222325');
    expect(fnv1a64Hex('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex('foobar')).toBe('85944171f73967e8');
  });

  it('serialises canonically', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: undefined }] })).toBe('{"a":[2,{"d":3}],"b":1}');
  });
});
