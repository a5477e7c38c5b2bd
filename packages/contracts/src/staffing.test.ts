import { describe, expect, it } from 'vitest';
import { STAFFING_MAX_COUNTERS, STAFFING_MAX_FTE, validateStaffingMessage } from './staffing.ts';

const known = () => true;
const row = (fields: Record<string, unknown>) =>
  JSON.stringify({
    commune_code: '00004',
    valid_from: '2026-01-05',
    civil_servants: 4,
    contract_staff: 1,
    support_fte: 0.5,
    counters: 3,
    ...fields,
  });

describe('commune-staffing.v1 plausibility', () => {
  it('accepts the bounds themselves', () => {
    expect(
      validateStaffingMessage(row({ civil_servants: STAFFING_MAX_FTE, counters: STAFFING_MAX_COUNTERS }), known).ok,
    ).toBe(true);
  });

  it('refuses FTE and counters past the bounds, and numbers that are not finite', () => {
    const result = validateStaffingMessage(row({ civil_servants: 1e300, counters: 5_000 }), known);
    expect(result).toMatchObject({ ok: false, reason: 'invalid_field' });
    if (result.ok) return;
    expect(result.detail).toMatch(/civil_servants: .*500.*got 1e\+300/);
    expect(result.detail).toMatch(/counters: .*200.*got 5000/);
  });
});
