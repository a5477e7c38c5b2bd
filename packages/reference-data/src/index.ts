export {
  addDays,
  type CalendarOptions,
  createCalendar,
  defaultCalendar,
  isoWeekLabel,
  isoWeekStart,
  isWorkingDay,
  vnDay,
  vnDayStartMs,
  type WorkingCalendar,
  weekStartOfLabel,
  workingMillisBetween,
} from './calendar.ts';
export {
  type CsvLineError,
  type CsvReadResult,
  type CsvRecord,
  type CsvTable,
  csvField,
  readCsv,
  readCsvTable,
} from './csv.ts';
export {
  civilFromDayNumber,
  DAY_MS,
  dayNumberFromCivil,
  formatDay,
  HOUR_MS,
  isoWeekStartDayNumber,
  parseDay,
  VN_OFFSET_MS,
  vnDayNumber,
  vnDayNumberStartMs,
  weekdayOf,
} from './days.ts';
export { HOLIDAY_TABLE_YEARS, type HolidayKind, type PublicHoliday, vietnamPublicHolidays } from './holidays.ts';
export { type Period, previousWeekPeriod, rollingPeriod, weekPeriod } from './periods.ts';
export {
  DEFAULT_PROCEDURE_CODE,
  defaultProcedureCatalog,
  mergeCatalog,
  PROCEDURE_CODE_PATTERN,
  type ProcedureCatalog,
  type ProcedureCatalogParseOptions,
  type ProcedureCatalogParseResult,
  type ProcedureLookup,
  type ProcedureStandard,
  parseProcedureCatalogCsv,
} from './procedures.ts';
export {
  type Commune,
  type CommuneKind,
  communeByCode,
  communes,
  isKnownCommune,
  type Province,
  type ProvinceType,
  provinceByCode,
  provinceOfCommune,
  provinces,
} from './units.ts';
