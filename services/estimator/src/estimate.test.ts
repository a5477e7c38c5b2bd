import type { CommuneIndicator } from '@commune-pulse/workload';
import { describe, expect, it } from 'vitest';
import { rollUpProvinces } from './estimate.ts';

function commune(
  code: string,
  figures: Pick<CommuneIndicator, 'required_fte' | 'actual_fte' | 'level'> & Partial<CommuneIndicator>,
): CommuneIndicator {
  const index =
    figures.actual_fte === null || figures.actual_fte === 0 ? null : figures.required_fte / figures.actual_fte;
  return {
    commune_code: code,
    province_code: code.slice(0, 2),
    received: 10,
    workload_minutes: 0,
    wisn_ratio: null,
    wisn_difference: null,
    pressure_index: index,
    no_staff: figures.actual_fte === 0,
    missing_staffing: figures.actual_fte === null,
    counters_needed: null,
    counters_open: null,
    counter_arrivals_per_hour: 0,
    counter_handling_minutes: null,
    open_end: 0,
    overdue_open: 0,
    on_time_rate: null,
    online_share: null,
    backlog_weeks: null,
    forecast_received_next: null,
    forecast_method: 'none',
    forecast_mape: null,
    proposed_staff: null,
    unknown_procedure_received: 0,
    ...figures,
  };
}

describe('rollUpProvinces', () => {
  it('sums each province and gives it Σ required ÷ Σ actual over its communes with staffing data', () => {
    const provinces = rollUpProvinces([
      commune('02001', { required_fte: 3, actual_fte: 2, level: 'critical', proposed_staff: 4 }),
      commune('01001', { required_fte: 6, actual_fte: 2, level: 'critical', proposed_staff: 7 }),
      commune('01002', { required_fte: 1, actual_fte: 4, level: 'low' }),
      commune('01003', { required_fte: 5, actual_fte: null, level: null }),
      commune('03001', { required_fte: 2, actual_fte: 0, level: 'critical' }),
    ]);
    expect(provinces).toEqual([
      {
        province_code: '01',
        communes: 3,
        communes_with_index: 2,
        communes_without_staffing: 1,
        received: 30,
        // every commune's need, but only the 7 FTE of the communes with a roster weigh against their 6 FTE
        required_fte: 12,
        actual_fte: 6,
        pressure_index: 7 / 6,
        communes_low: 1,
        communes_normal: 0,
        communes_elevated: 0,
        communes_high: 0,
        communes_critical: 1,
        proposed_staff: 7,
      },
      expect.objectContaining({ province_code: '02', communes: 1, actual_fte: 2, pressure_index: 1.5 }),
      // zero staff facing work: critical, but no finite index for the province either
      expect.objectContaining({ province_code: '03', communes_critical: 1, actual_fte: 0, pressure_index: null }),
    ]);
  });
});
