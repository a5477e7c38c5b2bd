// What-if scenarios (docs/spec/indicators.md section 5): support staff added to chosen communes, standard minutes of
// chosen procedures cut by a percentage. Baseline and scenario figures are computed side by side from the same
// inputs; nothing official is changed.

import { requireFiniteResult } from './numeric.ts';
import type { EstimationParams } from './params.ts';
import { assessPressure, type PressureAssessment } from './pressure.ts';
import { type ProposalTotals, proposalTotals, type StaffingProposal, staffingProposal } from './proposal.ts';
import { requiredFteFromFactors, type WisnFactors, wisnFactors, wisnRatio } from './wisn.ts';

export type SupportFteAddition = { readonly communeCode: string; readonly fte: number };
export type StandardMinutesCut = { readonly procedureCode: string; readonly percent: number };

export type Scenario = {
  readonly addSupportFte?: readonly SupportFteAddition[];
  readonly cutStandardMinutes?: readonly StandardMinutesCut[];
};

export type ValidateScenarioResult =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly errors: readonly string[] };

const COMMUNE_CODE = /^[0-9]{5}$/;
const PROCEDURE_CODE = /^[0-9]\.[0-9]{6}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(where: string, value: Record<string, unknown>, known: readonly string[], errors: string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) errors.push(`${where}: unknown key "${key}"; allowed keys are ${known.join(', ')}`);
  }
}

type EntryRule<T> = {
  readonly field: 'addSupportFte' | 'cutStandardMinutes';
  readonly codeKey: 'communeCode' | 'procedureCode';
  readonly codePattern: RegExp;
  readonly codeHint: string;
  readonly amountKey: 'fte' | 'percent';
  readonly amountOk: (v: number) => boolean;
  readonly amountHint: string;
  readonly make: (code: string, amount: number) => T;
};

function validateEntries<T>(value: unknown, rule: EntryRule<T>, errors: string[]): T[] {
  if (!Array.isArray(value)) {
    errors.push(`${rule.field}: must be an array of {${rule.codeKey}, ${rule.amountKey}} objects`);
    return [];
  }
  const seen = new Set<string>();
  const entries: T[] = [];
  value.forEach((entry: unknown, i) => {
    const where = `${rule.field}[${i}]`;
    if (!isRecord(entry)) {
      errors.push(`${where}: must be an object {${rule.codeKey}, ${rule.amountKey}}`);
      return;
    }
    unknownKeys(where, entry, [rule.codeKey, rule.amountKey], errors);
    const code = entry[rule.codeKey];
    const amount = entry[rule.amountKey];
    let valid = true;
    if (typeof code !== 'string' || !rule.codePattern.test(code)) {
      errors.push(`${where}.${rule.codeKey}: must be ${rule.codeHint}, got ${JSON.stringify(code) ?? 'nothing'}`);
      valid = false;
    } else if (seen.has(code)) {
      errors.push(`${where}.${rule.codeKey}: ${code} is listed more than once; give one entry per ${rule.codeKey}`);
      valid = false;
    } else {
      seen.add(code);
    }
    if (typeof amount !== 'number' || !Number.isFinite(amount) || !rule.amountOk(amount)) {
      errors.push(`${where}.${rule.amountKey}: must be ${rule.amountHint}, got ${JSON.stringify(amount) ?? 'nothing'}`);
      valid = false;
    }
    if (valid) entries.push(rule.make(code as string, amount as number));
  });
  return entries;
}

/** Checks a scenario object (from JSON, an API body, a CLI file) and says what to fix. */
export function validateScenario(value: unknown): ValidateScenarioResult {
  if (!isRecord(value)) {
    return {
      ok: false,
      errors: ['scenario must be an object like {"addSupportFte": [{"communeCode": "00004", "fte": 1}]}'],
    };
  }
  const errors: string[] = [];
  unknownKeys('scenario', value, ['addSupportFte', 'cutStandardMinutes'], errors);
  const scenario: { addSupportFte?: SupportFteAddition[]; cutStandardMinutes?: StandardMinutesCut[] } = {};
  if (value.addSupportFte !== undefined) {
    scenario.addSupportFte = validateEntries(
      value.addSupportFte,
      {
        field: 'addSupportFte',
        codeKey: 'communeCode',
        codePattern: COMMUNE_CODE,
        codeHint: 'a 5-digit commune code such as "00004"',
        amountKey: 'fte',
        amountOk: (v) => v > 0,
        amountHint: 'a number of FTE > 0 (a half-time student is 0.5)',
        make: (communeCode, fte) => ({ communeCode, fte }),
      },
      errors,
    );
  }
  if (value.cutStandardMinutes !== undefined) {
    scenario.cutStandardMinutes = validateEntries(
      value.cutStandardMinutes,
      {
        field: 'cutStandardMinutes',
        codeKey: 'procedureCode',
        codePattern: PROCEDURE_CODE,
        codeHint: 'a procedure code such as "1.001193"',
        amountKey: 'percent',
        amountOk: (v) => v > 0 && v <= 100,
        amountHint: 'a percentage > 0 and <= 100 (100 takes the procedure off staff time entirely)',
        make: (procedureCode, percent) => ({ procedureCode, percent }),
      },
      errors,
    );
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, scenario };
}

export type CommuneWorkloadInput = {
  readonly communeCode: string;
  readonly provinceCode: string;
  /** Staff of the assessed period; null when no roster row covers it. */
  readonly actualFte: number | null;
  /**
   * Workload minutes (received dossiers × standard minutes) by procedure code, one record per week, oldest
   * first, at most the last 52 used for the proposal; the last week is the one whose pressure is assessed.
   * A week without dossiers is {}.
   */
  readonly weeklyWorkloadMinutesByProcedure: readonly Readonly<Record<string, number>>[];
};

export type CommuneFigures = {
  /** Of the assessed (last) week. */
  readonly workloadMinutes: number;
  readonly requiredFte: number;
  readonly actualFte: number | null;
  /** actual / required; null without staffing data or without required staff. */
  readonly wisnRatio: number | null;
  readonly pressure: PressureAssessment;
  readonly proposal: StaffingProposal;
};

export type CommuneScenarioResult = {
  readonly communeCode: string;
  readonly provinceCode: string;
  readonly baseline: CommuneFigures;
  readonly scenario: CommuneFigures;
};

export type ScenarioResult =
  | {
      readonly ok: true;
      readonly communes: readonly CommuneScenarioResult[];
      readonly totals: { readonly baseline: ProposalTotals; readonly scenario: ProposalTotals };
      /** Parts of the scenario that changed nothing, and why. */
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly errors: readonly string[] };

function checkInputs(communes: readonly CommuneWorkloadInput[], errors: string[]): void {
  const seen = new Set<string>();
  communes.forEach((commune, i) => {
    const where = `communes[${i}] (${commune.communeCode})`;
    if (seen.has(commune.communeCode)) errors.push(`${where}: commune listed more than once`);
    seen.add(commune.communeCode);
    if (commune.actualFte !== null && !(Number.isFinite(commune.actualFte) && commune.actualFte >= 0)) {
      errors.push(`${where}: actualFte must be a finite number >= 0 or null, got ${String(commune.actualFte)}`);
    }
    if (commune.weeklyWorkloadMinutesByProcedure.length === 0) {
      errors.push(`${where}: give at least one week of workload ({} for a week without dossiers)`);
    }
    commune.weeklyWorkloadMinutesByProcedure.forEach((week, w) => {
      for (const [procedure, minutes] of Object.entries(week)) {
        if (!(Number.isFinite(minutes) && minutes >= 0)) {
          errors.push(
            `${where} week ${w} procedure ${procedure}: workload minutes must be a finite number >= 0, got ${String(minutes)}`,
          );
        }
      }
    });
  });
}

function figures(
  weeklyMinutes: readonly number[],
  actualFte: number | null,
  factors: WisnFactors,
  params: EstimationParams,
): CommuneFigures {
  const weeklyRequiredFte = weeklyMinutes.map((minutes) => requiredFteFromFactors(minutes, factors));
  const workloadMinutes = weeklyMinutes.at(-1) ?? 0;
  const requiredFte = weeklyRequiredFte.at(-1) ?? 0;
  return {
    workloadMinutes,
    requiredFte,
    actualFte,
    wisnRatio: actualFte === null ? null : wisnRatio(actualFte, requiredFte),
    pressure: assessPressure({ requiredFte, actualFte, thresholds: params.level_thresholds }),
    proposal: staffingProposal({ weeklyRequiredFte, actualFte }),
  };
}

/**
 * Baseline and scenario figures for each commune: required FTE, pressure index and level of the last week, and
 * the proposal over the weeks given. A cut scales that procedure's workload minutes by (1 − percent / 100), which
 * is what cutting its standard minutes does. Support FTE is added to actual staff only: it relieves pressure and
 * narrows the gap, but the proposal (the staff the work needs) does not move. A commune without staffing data
 * stays without an index under any scenario.
 */
export function applyScenario(input: {
  readonly communes: readonly CommuneWorkloadInput[];
  readonly params: EstimationParams;
  readonly scenario: unknown;
}): ScenarioResult {
  const checked = validateScenario(input.scenario);
  const errors: string[] = checked.ok ? [] : [...checked.errors];
  const factors = wisnFactors(input.params);
  if (!factors.ok) errors.push(`params: ${factors.error}`);
  checkInputs(input.communes, errors);
  const scenario = checked.ok ? checked.scenario : {};
  const communeCodes = new Set(input.communes.map((c) => c.communeCode));
  for (const addition of scenario.addSupportFte ?? []) {
    if (!communeCodes.has(addition.communeCode)) {
      errors.push(`addSupportFte: commune ${addition.communeCode} is not among the communes given`);
    }
  }
  if (errors.length > 0 || !factors.ok) return { ok: false, errors };

  const cuts = new Map((scenario.cutStandardMinutes ?? []).map((c) => [c.procedureCode, 1 - c.percent / 100]));
  const support = new Map((scenario.addSupportFte ?? []).map((a) => [a.communeCode, a.fte]));
  const warnings: string[] = [];
  const proceduresSeen = new Set<string>();

  const communes = input.communes.map((commune): CommuneScenarioResult => {
    const baselineMinutes: number[] = [];
    const scenarioMinutes: number[] = [];
    for (const week of commune.weeklyWorkloadMinutesByProcedure) {
      let base = 0;
      let cut = 0;
      for (const [procedure, minutes] of Object.entries(week)) {
        proceduresSeen.add(procedure);
        base += minutes;
        cut += minutes * (cuts.get(procedure) ?? 1);
      }
      baselineMinutes.push(requireFiniteResult(`workload of ${commune.communeCode}`, base));
      scenarioMinutes.push(cut);
    }
    const added = support.get(commune.communeCode);
    let scenarioActual = commune.actualFte;
    if (added !== undefined) {
      if (commune.actualFte === null) {
        warnings.push(
          `addSupportFte: commune ${commune.communeCode} has no staffing data, so its support is not applied; load its roster first`,
        );
      } else {
        scenarioActual = requireFiniteResult(`actual FTE of ${commune.communeCode}`, commune.actualFte + added);
      }
    }
    return {
      communeCode: commune.communeCode,
      provinceCode: commune.provinceCode,
      baseline: figures(baselineMinutes, commune.actualFte, factors.value, input.params),
      scenario: figures(scenarioMinutes, scenarioActual, factors.value, input.params),
    };
  });

  for (const code of cuts.keys()) {
    if (!proceduresSeen.has(code)) {
      warnings.push(
        `cutStandardMinutes: procedure ${code} has no workload in the communes given, so the cut changes nothing`,
      );
    }
  }
  const totalsOf = (pick: (c: CommuneScenarioResult) => CommuneFigures): ProposalTotals =>
    proposalTotals(
      communes.map((c) => ({
        communeCode: c.communeCode,
        provinceCode: c.provinceCode,
        proposedStaff: pick(c).proposal.proposedStaff,
        actualFte: pick(c).actualFte,
      })),
    );
  return {
    ok: true,
    communes,
    totals: { baseline: totalsOf((c) => c.baseline), scenario: totalsOf((c) => c.scenario) },
    warnings,
  };
}
