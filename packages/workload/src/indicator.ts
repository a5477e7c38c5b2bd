/**
 * One commune's staffing-pressure indicator for one period (indicators.md sections 2–5), from plain inputs.
 * Pure: the estimator gathers the inputs from the warehouse; `explain` prints the same steps.
 */
import { countersNeeded } from './erlang-c.ts';
import { forecastNextWeek } from './forecast.ts';
import type { EstimationParams } from './params.ts';
import { assessPressure, backlogWeeks, type PressureLevel } from './pressure.ts';
import { staffingProposal } from './proposal.ts';
import { requiredFteFromFactors, type WisnFactors, wisnRatio } from './wisn.ts';

export interface StaffingInForce {
  civilServants: number;
  contractStaff: number;
  supportFte: number;
  counters: number;
  validFrom: string;
}

/** The staff a roster row puts on dossiers: civil servants + contract staff + support, in FTE. */
export function actualFte(staffing: Pick<StaffingInForce, 'civilServants' | 'contractStaff' | 'supportFte'>): number {
  return staffing.civilServants + staffing.contractStaff + staffing.supportFte;
}

export interface ProcedureReceipts {
  procedureCode: string;
  received: number;
  receivedAtCounter: number;
  standardMinutes: number;
  counterMinutes: number;
  /** false when the catalog does not name the code and its default row applied */
  known: boolean;
}

export interface CommunePeriodInputs {
  communeCode: string;
  provinceCode: string;
  /** dossiers received in the period, by procedure, with the catalog's minutes */
  receipts: readonly ProcedureReceipts[];
  receivedOnline: number;
  resolved: number;
  resolvedOnTime: number;
  openEnd: number;
  overdueOpen: number;
  /** the roster row valid at the period's start; null when the commune has none */
  staffing: StaffingInForce | null;
  /** for each working day of the period, the day's largest number of counter receipts within one clock hour */
  counterPeakHourArrivals: readonly number[];
  /** workload minutes by procedure of the weeks before the period, oldest first (at most 51), for the proposal */
  previousWeeklyWorkloadByProcedure: readonly Readonly<Record<string, number>>[];
  /** resolved dossiers of the last weeks up to the period's end, oldest first (the last 4 are used) */
  resolvedByWeek: readonly number[];
  /** received dossiers per day up to the period's end, oldest first, for the forecast */
  dailyReceived: readonly number[];
}

export interface CommuneIndicator {
  commune_code: string;
  province_code: string;
  received: number;
  workload_minutes: number;
  required_fte: number;
  actual_fte: number | null;
  wisn_ratio: number | null;
  wisn_difference: number | null;
  pressure_index: number | null;
  /** null only without staffing data */
  level: PressureLevel | null;
  no_staff: boolean;
  missing_staffing: boolean;
  counters_needed: number | null;
  counters_open: number | null;
  counter_arrivals_per_hour: number;
  counter_handling_minutes: number | null;
  open_end: number;
  overdue_open: number;
  on_time_rate: number | null;
  online_share: number | null;
  backlog_weeks: number | null;
  forecast_received_next: number | null;
  forecast_method: string;
  forecast_mape: number | null;
  proposed_staff: number | null;
  unknown_procedure_received: number;
}

export interface ExplanationStep {
  step: string;
  formula: string;
  value: string;
}

export interface IndicatorContext {
  params: EstimationParams;
  factors: WisnFactors;
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Workload, available time, required and actual staff, and the pressure they give (sections 2–3). */
function staffPressure(inputs: CommunePeriodInputs, context: IndicatorContext, steps: ExplanationStep[]) {
  const { params, factors } = context;
  const workloadMinutes = inputs.receipts.reduce((sum, r) => sum + r.received * r.standardMinutes, 0);
  steps.push({
    step: 'workload',
    formula: `Σ received × standard minutes = ${
      inputs.receipts.map((r) => `${r.received}×${r.standardMinutes} (${r.procedureCode})`).join(' + ') || '0'
    }`,
    value: `${workloadMinutes} min`,
  });
  const weeklyHours = factors.awtHours / 52;
  const requiredFte = requiredFteFromFactors(workloadMinutes, factors);
  steps.push({
    step: 'available working time',
    formula: `AWT = (${params.working_days_per_year} − (${params.public_holidays} + ${params.annual_leave} + ${params.sick_leave} + ${params.other_leave})) × ${params.hours_per_day} h; per week AWT / 52`,
    value: `${factors.awtHours} h a year, ${round(weeklyHours, 2)} h a week`,
  });
  steps.push({
    step: 'required staff',
    formula: `(${workloadMinutes} / 60) / ${round(weeklyHours, 4)} × CAF ${round(factors.categoryAllowanceFactor)} + IAF ${round(factors.individualAllowanceFactor)}`,
    value: `${round(requiredFte)} FTE`,
  });
  const staffing = inputs.staffing;
  const actual = staffing === null ? null : actualFte(staffing);
  steps.push({
    step: 'actual staff',
    formula:
      staffing === null
        ? 'no roster row valid at the period start'
        : `civil servants ${staffing.civilServants} + contract ${staffing.contractStaff} + support ${staffing.supportFte} (row from ${staffing.validFrom})`,
    value: actual === null ? 'none' : `${actual} FTE`,
  });
  const pressure = assessPressure({ requiredFte, actualFte: actual, thresholds: params.level_thresholds });
  steps.push({
    step: 'pressure',
    formula:
      actual === null
        ? 'no index without staffing data'
        : `required / actual = ${round(requiredFte)} / ${actual}; levels at ${params.level_thresholds.join(', ')}`,
    value: `${pressure.pressureIndex === null ? '—' : round(pressure.pressureIndex)} → ${pressure.level ?? 'no level'}`,
  });
  return { workloadMinutes, requiredFte, staffing, actual, pressure };
}

/** The counters the busiest hour needs (Erlang C, section 4). */
function counterNeed(inputs: CommunePeriodInputs, params: EstimationParams, steps: ExplanationStep[]) {
  const staffing = inputs.staffing;
  const counterReceipts = inputs.receipts.reduce((sum, r) => sum + r.receivedAtCounter, 0);
  const handlingMinutes =
    counterReceipts === 0
      ? null
      : inputs.receipts.reduce((sum, r) => sum + r.receivedAtCounter * r.counterMinutes, 0) / counterReceipts;
  const arrivalsPerHour =
    inputs.counterPeakHourArrivals.length === 0
      ? 0
      : inputs.counterPeakHourArrivals.reduce((sum, n) => sum + n, 0) / inputs.counterPeakHourArrivals.length;
  const counters =
    handlingMinutes === null || arrivalsPerHour === 0
      ? { countersNeeded: 0, offeredLoad: 0 }
      : countersNeeded({
          arrivalsPerHour,
          handlingMinutes,
          targetServiceLevel: params.counter_target_service_level,
          withinMinutes: params.counter_target_wait_minutes,
        });
  steps.push({
    step: 'counters (Erlang C)',
    formula: `λ = mean busiest-hour counter receipts over ${inputs.counterPeakHourArrivals.length} working days = ${round(arrivalsPerHour, 2)}/h; AHT ${handlingMinutes === null ? '—' : round(handlingMinutes, 2)} min; A = ${round(counters.offeredLoad, 3)} Erlang; target ${params.counter_target_service_level} within ${params.counter_target_wait_minutes} min`,
    value: `${counters.countersNeeded ?? 'more than the search bound'} needed, ${staffing?.counters ?? '—'} open`,
  });
  return { handlingMinutes, arrivalsPerHour, counters };
}

/** Backlog, next week's forecast and the staffing proposal (section 5). */
function outlook(
  inputs: CommunePeriodInputs,
  factors: WisnFactors,
  workloadMinutes: number,
  actual: number | null,
  steps: ExplanationStep[],
) {
  const backlog = backlogWeeks(inputs.openEnd, inputs.resolvedByWeek);
  steps.push({
    step: 'backlog',
    formula: `open ${inputs.openEnd} / mean resolved of the last weeks (${inputs.resolvedByWeek.slice(-4).join(', ')})`,
    value: backlog === null ? '— (nothing resolved)' : `${round(backlog, 2)} weeks`,
  });
  const forecast = forecastNextWeek(inputs.dailyReceived);
  steps.push({
    step: 'forecast',
    formula: `${forecast.method} over ${inputs.dailyReceived.length} days; past error MAPE ${forecast.pastError.mape === null ? '—' : `${round(forecast.pastError.mape, 1)} %`}`,
    value: forecast.nextWeekTotal === null ? '—' : `${round(forecast.nextWeekTotal, 1)} received next week`,
  });
  const previousWeeks = inputs.previousWeeklyWorkloadByProcedure.map((week) =>
    Object.values(week).reduce((sum, minutes) => sum + minutes, 0),
  );
  const weeklyRequired = [...previousWeeks, workloadMinutes].map((minutes) => requiredFteFromFactors(minutes, factors));
  const proposal = staffingProposal({ weeklyRequiredFte: weeklyRequired, actualFte: actual });
  steps.push({
    step: 'staffing proposal',
    formula: `ceil(P80 of weekly required FTE over ${proposal.weeksUsed} weeks) = ceil(${proposal.percentileFte === null ? '—' : round(proposal.percentileFte)})`,
    value: `${proposal.proposedStaff ?? '—'} staff`,
  });
  return { backlog, forecast, proposal };
}

export function computeIndicator(
  inputs: CommunePeriodInputs,
  context: IndicatorContext,
): { indicator: CommuneIndicator; explanation: ExplanationStep[] } {
  const steps: ExplanationStep[] = [];
  const received = inputs.receipts.reduce((sum, r) => sum + r.received, 0);
  const { workloadMinutes, requiredFte, staffing, actual, pressure } = staffPressure(inputs, context, steps);
  const { handlingMinutes, arrivalsPerHour, counters } = counterNeed(inputs, context.params, steps);
  const { backlog, forecast, proposal } = outlook(inputs, context.factors, workloadMinutes, actual, steps);

  return {
    indicator: {
      commune_code: inputs.communeCode,
      province_code: inputs.provinceCode,
      received,
      workload_minutes: workloadMinutes,
      required_fte: requiredFte,
      actual_fte: actual,
      wisn_ratio: actual === null ? null : wisnRatio(actual, requiredFte),
      wisn_difference: actual === null ? null : actual - requiredFte,
      pressure_index: pressure.pressureIndex,
      level: pressure.level,
      no_staff: pressure.noStaff,
      missing_staffing: pressure.missingStaffing,
      counters_needed: counters.countersNeeded,
      counters_open: staffing?.counters ?? null,
      counter_arrivals_per_hour: arrivalsPerHour,
      counter_handling_minutes: handlingMinutes,
      open_end: inputs.openEnd,
      overdue_open: inputs.overdueOpen,
      on_time_rate: inputs.resolved > 0 ? inputs.resolvedOnTime / inputs.resolved : null,
      online_share: received > 0 ? inputs.receivedOnline / received : null,
      backlog_weeks: backlog,
      forecast_received_next: forecast.nextWeekTotal,
      forecast_method: forecast.method,
      forecast_mape: forecast.pastError.mape,
      proposed_staff: proposal.proposedStaff,
      unknown_procedure_received: inputs.receipts.filter((r) => !r.known).reduce((sum, r) => sum + r.received, 0),
    },
    explanation: steps,
  };
}

/** This period's workload minutes by procedure: the last week of a scenario's input. */
export function workloadByProcedure(receipts: readonly ProcedureReceipts[]): Record<string, number> {
  const minutes: Record<string, number> = {};
  for (const receipt of receipts) {
    minutes[receipt.procedureCode] = (minutes[receipt.procedureCode] ?? 0) + receipt.received * receipt.standardMinutes;
  }
  return minutes;
}
