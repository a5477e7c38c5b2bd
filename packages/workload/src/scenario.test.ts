import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from './params.ts';
import { applyScenario, type CommuneWorkloadInput, validateScenario } from './scenario.ts';

// Minutes of one FTE-week before allowances under the defaults: 1,816 h / 52 × 60.
const FTE_WEEK = (1816 * 60) / 52;

const communes: CommuneWorkloadInput[] = [
  {
    communeCode: '00004',
    provinceCode: '01',
    actualFte: 2,
    weeklyWorkloadMinutesByProcedure: Array.from({ length: 10 }, () => ({
      '1.001193': 2 * FTE_WEEK,
      '1.000001': FTE_WEEK,
    })),
  },
  {
    communeCode: '00007',
    provinceCode: '01',
    actualFte: null,
    weeklyWorkloadMinutesByProcedure: [{}, { '1.001193': FTE_WEEK }],
  },
];

describe('validateScenario', () => {
  it('accepts a well-formed scenario, and an empty one', () => {
    const scenario = {
      addSupportFte: [{ communeCode: '00004', fte: 0.5 }],
      cutStandardMinutes: [{ procedureCode: '1.001193', percent: 30 }],
    };
    expect(validateScenario(scenario)).toEqual({ ok: true, scenario });
    expect(validateScenario({})).toEqual({ ok: true, scenario: {} });
  });

  it('lists every mistake with what to give instead', () => {
    const result = validateScenario({
      addSupportFte: [
        { communeCode: '4', fte: 1 },
        { communeCode: '00004', fte: 0 },
        { communeCode: '00004', fte: 1 },
      ],
      cutStandardMinutes: [{ procedureCode: '1.001193', percent: 120, note: 'AI' }],
      removeStaff: [],
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'scenario: unknown key "removeStaff"; allowed keys are addSupportFte, cutStandardMinutes',
        'addSupportFte[0].communeCode: must be a 5-digit commune code such as "00004", got "4"',
        'addSupportFte[1].fte: must be a number of FTE > 0 (a half-time student is 0.5), got 0',
        'addSupportFte[2].communeCode: 00004 is listed more than once; give one entry per communeCode',
        'cutStandardMinutes[0]: unknown key "note"; allowed keys are procedureCode, percent',
        'cutStandardMinutes[0].percent: must be a percentage > 0 and <= 100 (100 takes the procedure off staff time entirely), got 120',
      ],
    });
    expect(validateScenario('cut everything').ok).toBe(false);
    expect(validateScenario({ addSupportFte: { communeCode: '00004' } }).ok).toBe(false);
  });
});

describe('applyScenario', () => {
  it('recomputes required, pressure, level and proposal beside the baseline', () => {
    const result = applyScenario({
      communes,
      params: DEFAULT_PARAMS,
      scenario: {
        addSupportFte: [{ communeCode: '00004', fte: 1 }],
        cutStandardMinutes: [{ procedureCode: '1.001193', percent: 50 }],
      },
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const a = result.communes[0];
    expect(a?.baseline.requiredFte).toBeCloseTo(3.75, 9);
    expect(a?.baseline.pressure.pressureIndex).toBeCloseTo(1.875, 9);
    expect(a?.baseline.pressure.level).toBe('critical');
    expect(a?.baseline.proposal.proposedStaff).toBe(4);
    expect(a?.scenario.requiredFte).toBeCloseTo(2.5, 9);
    expect(a?.scenario.actualFte).toBe(3);
    expect(a?.scenario.pressure.pressureIndex).toBeCloseTo(2.5 / 3, 9);
    expect(a?.scenario.pressure.level).toBe('normal');
    expect(a?.scenario.proposal.proposedStaff).toBe(3);
    expect(a?.scenario.proposal.gap).toBe(0);

    const b = result.communes[1];
    expect(b?.baseline.pressure).toEqual({ pressureIndex: null, level: null, noStaff: false, missingStaffing: true });
    expect(b?.scenario.requiredFte).toBeCloseTo(0.625, 9);
    expect(b?.scenario.proposal.proposedStaff).toBe(1);
    expect(result.totals.baseline.national.proposedStaff).toBe(4 + 2);
    expect(result.totals.scenario.national.proposedStaff).toBe(3 + 1);
    expect(result.totals.scenario.provinces[0]?.actualFte).toBe(3);
    expect(result.warnings).toEqual([]);
  });

  it('adding support staff moves pressure, not the proposal', () => {
    const result = applyScenario({
      communes,
      params: DEFAULT_PARAMS,
      scenario: { addSupportFte: [{ communeCode: '00004', fte: 2 }] },
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const a = result.communes[0];
    expect(a?.scenario.proposal.proposedStaff).toBe(a?.baseline.proposal.proposedStaff);
    expect(a?.scenario.pressure.pressureIndex).toBeCloseTo(3.75 / 4, 9);
    expect(a?.scenario.proposal.gap).toBe(0);
  });

  it('warns about parts that change nothing', () => {
    const result = applyScenario({
      communes,
      params: DEFAULT_PARAMS,
      scenario: {
        addSupportFte: [{ communeCode: '00007', fte: 1 }],
        cutStandardMinutes: [{ procedureCode: '2.000123', percent: 10 }],
      },
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.communes[1]?.scenario.actualFte).toBeNull();
    expect(result.warnings).toEqual([
      'addSupportFte: commune 00007 has no staffing data, so its support is not applied; load its roster first',
      'cutStandardMinutes: procedure 2.000123 has no workload in the communes given, so the cut changes nothing',
    ]);
  });

  it('refuses unknown communes, bad params and bad inputs, with every reason', () => {
    const result = applyScenario({
      communes: [
        ...communes,
        { communeCode: '00010', provinceCode: '01', actualFte: -1, weeklyWorkloadMinutesByProcedure: [] },
      ],
      params: { ...DEFAULT_PARAMS, category_allowance_percent: 100 },
      scenario: { addSupportFte: [{ communeCode: '99999', fte: 1 }] },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      expect.stringMatching(/^params: category_allowance_percent must be < 100/),
      'communes[2] (00010): actualFte must be a finite number >= 0 or null, got -1',
      'communes[2] (00010): give at least one week of workload ({} for a week without dossiers)',
      'addSupportFte: commune 99999 is not among the communes given',
    ]);
  });

  it('leaves the inputs untouched', () => {
    const before = JSON.stringify(communes);
    applyScenario({
      communes,
      params: DEFAULT_PARAMS,
      scenario: { cutStandardMinutes: [{ procedureCode: '1.001193', percent: 100 }] },
    });
    expect(JSON.stringify(communes)).toBe(before);
  });
});
