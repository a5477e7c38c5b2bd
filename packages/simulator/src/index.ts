export { createWorkClock, OFFICE_WINDOWS, type WorkClock } from './clock.ts';
export {
  COUNTER_WEEKDAY_FACTORS,
  ONLINE_WEEKDAY_FACTORS,
  PROCEDURE_WEIGHTS,
  type ProcedureMix,
  type ProcedureProfile,
  procedureMix,
  UNLISTED_PROCEDURE_CODES,
} from './domain.ts';
export {
  checkFaults,
  corruptLine,
  corruptLineAs,
  type DeliveryFaults,
  type FaultCounts,
  INVALID_KINDS,
  type InvalidKind,
  UNKNOWN_COMMUNE_CODE,
} from './faults.ts';
export {
  DEFAULT_ONLINE_SHARE,
  type OnlineShareCurve,
  type SimulationOptions,
  type SimulationSummary,
  simulateEvents,
} from './generate.ts';
export {
  COLLAPSING_VENDORS,
  formatUnitsCsv,
  type PortalSimulationSummary,
  simulatedUnitCode,
  simulatePortalRecords,
} from './portal.ts';
export {
  type CommuneProfile,
  communeProfiles,
  DEFAULT_OVERLOADED_SHARE,
  formatStaffingCsv,
  pressureOn,
  requiredFteForWeek,
  type SimulationScope,
  STAFFING_COLUMNS,
  type StaffingRow,
  scopeCommunes,
  simulateStaffing,
} from './profiles.ts';
export { hashSeed, mulberry32, type Random, textSeed } from './random.ts';
