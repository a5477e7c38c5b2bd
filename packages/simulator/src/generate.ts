import { DOSSIER_EVENT_TYPES } from '@commune-pulse/contracts';
import {
  defaultCalendar,
  formatDay,
  parseDay,
  vnDayNumber,
  vnDayNumberStartMs,
  type WorkingCalendar,
  weekdayOf,
} from '@commune-pulse/reference-data';
import { createTimestampFormatter, createWorkClock, type WorkClock } from './clock.ts';
import {
  COUNTER_HALF_HOUR_TABLE,
  COUNTER_WEEKDAY_FACTORS,
  INTAKE_REFUSED,
  ONLINE_HOLIDAY_FACTOR,
  ONLINE_HOUR_TABLE,
  ONLINE_WEEKDAY_FACTORS,
  POSTAL_SHARE,
  type ProcedureProfile,
} from './domain.ts';
import { checkFaults, type DeliveryFaults, type FaultCounts, withDeliveryFaults } from './faults.ts';
import {
  COUNTER,
  DEADLINE_EXTENDED,
  dossierLifecycle,
  type LifecycleEvents,
  ONLINE,
  POSTAL,
  PROCESSING,
  RECEIVED,
  RESOLVED,
  SUBMITTED,
} from './lifecycle.ts';
import { personalFields } from './personal.ts';
import { type CommuneProfile, communeProfiles, type SimulationScope } from './profiles.ts';
import { hashSeed, hashUniform, mulberry32, normal, pick, poisson, type Random } from './random.ts';

/** The online share of receipts over time: linear from `start` to `end` over `days` days from `fromDay`. */
export type OnlineShareCurve = {
  readonly start: number;
  readonly end: number;
  /** Default 365. */
  readonly days?: number | undefined;
  /** Default: the simulation's first day. */
  readonly fromDay?: string | undefined;
};

export const DEFAULT_ONLINE_SHARE: OnlineShareCurve = { start: 0.35, end: 0.6, days: 365 };

export type SimulationOptions = SimulationScope & {
  /**
   * Events occur before this instant (epoch ms), never at or after it; default the end of the last simulated day.
   * Dossiers still open then stay open.
   */
  readonly endMs?: number | undefined;
  readonly onlineShare?: OnlineShareCurve | undefined;
  /** Delivery faults of a real source; default none (a clean stream in occurred_at order). */
  readonly faults?: DeliveryFaults | undefined;
  /** Working days and holidays; default Vietnam's public holidays (`defaultCalendar()`). */
  readonly calendar?: WorkingCalendar | undefined;
  /** Called after each day of the stream has been generated. */
  readonly onProgress?: ((doneDays: number, totalDays: number) => void) | undefined;
};

export type SimulationSummary = {
  /** Distinct valid events in the stream. */
  events: number;
  /** Lines in the stream: events, redeliveries and invalid lines. */
  lines: number;
  dossiers: number;
  communes: number;
  days: number;
  firstDay: string;
  lastDay: string;
  endMs: number;
  /** Events per type, distinct events only. */
  eventsByType: Record<string, number>;
  /** Dossiers whose first events carry personal fields. */
  personal: number;
} & FaultCounts;

const EVENT_TYPES = DOSSIER_EVENT_TYPES;
/** TrangThaiHoSo per type (dossier-event-v1.md); 0 where the portal has no code. */
const STATUS_CODES = [1, 2, 3, 4, 5, 0, 6, 0, 7, 8, 9, 10];
const CHANNELS = ['counter', 'online', 'postal'] as const;

const SALT_DAY = 0xda7;
const SALT_PERSONAL = 0x9e5;
const SALT_DOSSIER = 0x100_000;
/**
 * Online files submitted this many days before the span and received in it are simulated too: without them the
 * first Monday would miss the weekend's submissions. Ten days cover the Tết closure with its weekends.
 */
const LEAD_IN_DAYS = 10;

/**
 * Events whose occurred_at falls on one day, already serialised: second of the day and line. Lines are built
 * when their dossier is made, while its data is at hand; building them at output time, in time order across
 * communes, touched every dossier's strings in random order and took twice as long.
 */
type DayBucket = { seconds: number[]; lines: string[] };

type Simulation = {
  readonly seed: number;
  readonly profiles: readonly CommuneProfile[];
  readonly clock: WorkClock;
  readonly formatTimestamp: (epochMs: number) => string;
  readonly startDay: number;
  readonly lastOriginDay: number;
  readonly lastDay: number;
  readonly endMs: number;
  readonly onlineShareOn: (dayNumber: number) => number;
  readonly personalShare: number;
};

/**
 * Dossier events as NDJSON lines (no trailing newline), in occurred_at order (by day across communes, by second
 * within a day) unless faults are asked for. Streams: memory holds the days that still have events of open
 * dossiers to come, never the whole output. The generator's return value is the summary.
 *
 * Every dossier in the stream is received (or refused at intake) within the span; an online file's `submitted`
 * event may come up to ten days before the span's first day. Queues start empty: no dossier from before the span.
 */
export function simulateEvents(options: SimulationOptions): Generator<string, SimulationSummary, undefined> {
  const simulation = prepare(options);
  const faults = options.faults ?? {};
  const summary: SimulationSummary = {
    events: 0,
    lines: 0,
    dossiers: 0,
    communes: simulation.profiles.length,
    days: options.days,
    firstDay: options.startDay,
    lastDay: formatDay(simulation.lastOriginDay),
    endMs: simulation.endMs,
    eventsByType: Object.fromEntries(EVENT_TYPES.map((type) => [type, 0])),
    personal: 0,
    redelivered: 0,
    disordered: 0,
    late: 0,
    invalid: 0,
  };
  const position = { day: simulation.startDay };
  const clean = cleanStream(simulation, summary, position, options.onProgress);
  return run(
    withDeliveryFaults(clean, faults, simulation.seed, () => position.day, summary),
    summary,
  );
}

function* run(lines: Generator<string>, summary: SimulationSummary): Generator<string, SimulationSummary, undefined> {
  for (const line of lines) {
    summary.lines++;
    yield line;
  }
  return summary;
}

function prepare(options: SimulationOptions): Simulation {
  const profiles = communeProfiles(options);
  const startDay = parseDay(options.startDay);
  const lastOriginDay = startDay + options.days - 1;
  const spanEndMs = vnDayNumberStartMs(lastOriginDay + 1);
  const endMs = options.endMs ?? spanEndMs;
  if (!Number.isFinite(endMs)) throw new RangeError(`endMs must be a finite instant, got ${endMs}`);
  const curve = options.onlineShare ?? DEFAULT_ONLINE_SHARE;
  for (const [name, value] of [
    ['onlineShare.start', curve.start],
    ['onlineShare.end', curve.end],
  ] as const) {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
  }
  const curveDays = curve.days ?? 365;
  if (!(curveDays > 0)) throw new RangeError(`onlineShare.days must be positive, got ${curveDays}`);
  const curveStart = curve.fromDay === undefined ? startDay : parseDay(curve.fromDay);
  checkFaults(options.faults ?? {});
  const personalShare = options.faults?.personal ?? 0;
  return {
    seed: options.seed,
    profiles,
    clock: createWorkClock(options.calendar ?? defaultCalendar()),
    formatTimestamp: createTimestampFormatter(),
    startDay,
    lastOriginDay,
    // An endMs at midnight ends the previous day: nothing can occur on the day it starts.
    lastDay: vnDayNumber(endMs - 1),
    endMs,
    onlineShareOn: (day) => {
      const progress = Math.min(1, Math.max(0, (day - curveStart) / curveDays));
      return curve.start + (curve.end - curve.start) * progress;
    },
    personalShare,
  };
}

function* cleanStream(
  simulation: Simulation,
  summary: SimulationSummary,
  position: { day: number },
  onProgress: SimulationOptions['onProgress'],
): Generator<string, void, undefined> {
  const buckets = new Map<number, DayBucket>();
  const generator = new DossierGenerator(simulation, buckets, summary);
  const totalDays = Math.max(0, simulation.lastDay - simulation.startDay + 1);
  const counts = new Int32Array(86_401);
  const spanStartMs = vnDayNumberStartMs(simulation.startDay);
  const firstDay = simulation.endMs > spanStartMs ? simulation.startDay - LEAD_IN_DAYS : simulation.startDay;
  for (let day = firstDay; day <= simulation.lastDay; day++) {
    position.day = day;
    if (day <= simulation.lastOriginDay) {
      for (const profile of simulation.profiles) generator.originate(profile, day);
    }
    const bucket = buckets.get(day);
    buckets.delete(day);
    if (bucket !== undefined) {
      for (const line of inSecondOrder(bucket, counts)) {
        summary.events++;
        yield line;
      }
    }
    if (day >= simulation.startDay) onProgress?.(day - simulation.startDay + 1, totalDays);
  }
  for (const [index, type] of EVENT_TYPES.entries()) summary.eventsByType[type] = generator.typeCounts[index] ?? 0;
}

const LINE_START = '{"schema":"dossier-event/1","event_id":"';
const TYPE_MEMBERS = EVENT_TYPES.map((type) => `","event_type":"${type}","occurred_at":"`);
const STATUS_MEMBERS = STATUS_CODES.map((code) => (code === 0 ? '' : `,"status_code":${code}`));

/** One day's lines in second order (a counting sort: stable, so a dossier's same-second events keep their order). */
function* inSecondOrder(bucket: DayBucket, counts: Int32Array): Generator<string, void, undefined> {
  const { seconds, lines } = bucket;
  const n = seconds.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const next = (seconds[i] as number) + 1;
    counts[next] = (counts[next] as number) + 1;
  }
  for (let s = 1; s < counts.length; s++) counts[s] = (counts[s] as number) + (counts[s - 1] as number);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = seconds[i] as number;
    order[counts[s] as number] = i;
    counts[s] = (counts[s] as number) + 1;
  }
  for (let j = 0; j < n; j++) yield lines[order[j] as number] as string;
}

/** Creates the dossiers that start on a day and files their events under the days they occur on. */
class DossierGenerator implements LifecycleEvents {
  private readonly simulation: Simulation;
  private readonly buckets: Map<number, DayBucket>;
  private readonly summary: SimulationSummary;
  private readonly catchUp = new Map<number, number>();
  // The events of the dossier being built, before they are filed.
  private times: number[] = [];
  private types: number[] = [];
  /** Events per type, by index of EVENT_TYPES (all of them reach the output: none is filed after the end). */
  readonly typeCounts = new Array<number>(EVENT_TYPES.length).fill(0);

  constructor(simulation: Simulation, buckets: Map<number, DayBucket>, summary: SimulationSummary) {
    this.simulation = simulation;
    this.buckets = buckets;
    this.summary = summary;
  }

  /** The dossiers of one commune whose first event (online submission or counter receipt) falls on `day`. */
  originate(profile: CommuneProfile, day: number): void {
    const { simulation } = this;
    const dayStartMs = vnDayNumberStartMs(day);
    if (dayStartMs >= simulation.endMs) return;
    const leadIn = day < simulation.startDay;
    const random = mulberry32(hashSeed(simulation.seed, profile.key, day, SALT_DAY));
    const weekday = weekdayOf(day);
    const working = simulation.clock.isWorkingDay(day);
    const holiday = !working && weekday < 5;

    const share = Math.min(0.97, Math.max(0.02, simulation.onlineShareOn(day) + profile.onlineOffset));
    const onlineProbability = dossierOnlineProbability(share);
    // Day-to-day variation beyond Poisson noise: weather, market days, a school term starting.
    const base = profile.meanDailyReceipts * Math.exp(0.15 * normal(random) - 0.01125);
    const counterMean = working
      ? base * (COUNTER_WEEKDAY_FACTORS[weekday] ?? 0) * this.catchUpFactor(day) * (1 - onlineProbability)
      : 0;
    const onlineMean =
      base * (ONLINE_WEEKDAY_FACTORS[weekday] ?? 0) * (holiday ? ONLINE_HOLIDAY_FACTOR : 1) * onlineProbability;
    const counterCount = poisson(random, counterMean);
    const onlineCount = poisson(random, onlineMean);
    if (counterCount + onlineCount === 0) return;

    // Arrival instants, sorted so that dossier numbers follow arrival order as a center's register does.
    // Encoded as second-of-day × 4 + channel.
    const arrivals: number[] = [];
    for (let i = 0; i < onlineCount; i++) {
      const hour = pick(random, ONLINE_HOUR_TABLE);
      arrivals.push(((hour * 3600 + random() * 3600) | 0) * 4 + ONLINE);
    }
    for (let i = 0; i < counterCount; i++) {
      const slot = pick(random, COUNTER_HALF_HOUR_TABLE);
      // Slots 0–8 are 07:00–11:30, 9–15 are 13:30–17:00.
      const slotStart = slot < 9 ? 7 * 3600 + slot * 1800 : 13.5 * 3600 + (slot - 9) * 1800;
      const channel = random() < POSTAL_SHARE ? POSTAL : COUNTER;
      arrivals.push(((slotStart + random() * 1800) | 0) * 4 + channel);
    }
    arrivals.sort((a, b) => a - b);
    const datePart = formatDay(day).replaceAll('-', '').slice(2);
    const idPrefix = `SIM${simulation.seed}-${profile.commune.code}-${datePart}-`;
    for (let i = 0; i < arrivals.length; i++) {
      const code = arrivals[i] as number;
      const originMs = dayStartMs + (code >> 2) * 1000;
      if (originMs >= simulation.endMs) break;
      if (leadIn && (code & 3) !== ONLINE) continue;
      // Each dossier draws from its own stream: one cut short by the end of the span must not change the next.
      const own = mulberry32(hashSeed(simulation.seed, profile.key, day, SALT_DOSSIER + i + 1));
      this.dossier(profile, day, i + 1, idPrefix, code & 3, originMs, own);
    }
  }

  /** Counter demand that waited through a long closure (Tết, the 30/4–1/5 bridge) comes on the day after. */
  private catchUpFactor(day: number): number {
    let factor = this.catchUp.get(day);
    if (factor === undefined) {
      let previous = day - 1;
      while (previous > day - 30 && !this.simulation.clock.isWorkingDay(previous)) previous--;
      const gap = day - previous;
      factor = gap > 3 ? 1 + Math.min(0.6, 0.1 * (gap - 3)) : 1;
      this.catchUp.set(day, factor);
    }
    return factor;
  }

  private dossier(
    profile: CommuneProfile,
    day: number,
    sequence: number,
    idPrefix: string,
    channel: number,
    originMs: number,
    random: Random,
  ): void {
    const procedure = profile.mix.procedures[pick(random, profile.mix.table)] as ProcedureProfile;
    this.times.length = 0;
    this.types.length = 0;

    const leadIn = day < this.simulation.startDay;
    const built = dossierLifecycle(this, this.simulation, profile, procedure, channel, originMs, random, leadIn);
    if (this.times.length === 0) return;

    const id = `${idPrefix}${String(sequence).padStart(4, '0')}`;
    const { seed, personalShare, formatTimestamp } = this.simulation;
    const personal =
      personalShare > 0 && hashUniform(seed ^ SALT_PERSONAL, profile.key, day, sequence) < personalShare
        ? personalFields(hashSeed(seed, profile.key, day, sequence), profile.commune)
        : '';
    const common = `","dossier_id":"${id}","commune_code":"${profile.commune.code}","procedure_code":"${procedure.code}","channel":"${CHANNELS[channel]}","source_system":"${profile.sourceSystem}"`;
    const officer = `,"officer_ref":"${profile.officers[sequence % profile.officers.length]}"`;
    this.summary.dossiers++;
    if (personal !== '') this.summary.personal++;
    const typeCounts = this.typeCounts;
    for (let i = 0; i < this.times.length; i++) {
      const time = this.times[i] as number;
      const type = this.types[i] as number;
      const eventDay = vnDayNumber(time);
      const second = (time - vnDayNumberStartMs(eventDay)) / 1000;
      let extra = STATUS_MEMBERS[type] as string;
      if (type === RECEIVED) extra = `,"due_at":"${formatTimestamp(built.dueMs)}"${extra}${personal}`;
      else if (type === DEADLINE_EXTENDED) extra = `,"due_at":"${formatTimestamp(built.extendedDueMs)}"`;
      else if (type === PROCESSING || type === RESOLVED) extra = `${officer}${extra}`;
      else if (type === SUBMITTED) extra += personal;
      // join builds a flat string at once; a template would leave a tree of pieces to be copied at output time.
      const line = [LINE_START, id, '.', i, TYPE_MEMBERS[type], formatTimestamp(time), common, extra, '}'].join('');
      let bucket = this.buckets.get(eventDay);
      if (bucket === undefined) {
        bucket = { seconds: [], lines: [] };
        this.buckets.set(eventDay, bucket);
      }
      bucket.seconds.push(second);
      bucket.lines.push(line);
      typeCounts[type] = (typeCounts[type] as number) + 1;
    }
  }

  /** Adds an event unless it falls at or after the end; false then (the dossier's later events are later still). */
  add(type: number, timeMs: number): boolean {
    const previous = this.times.length === 0 ? Number.NEGATIVE_INFINITY : (this.times[this.times.length - 1] as number);
    // Whole seconds, strictly after the dossier's previous event: the lifecycle order is never ambiguous.
    const time = Math.max(Math.floor(timeMs / 1000) * 1000, previous + 1000);
    if (time >= this.simulation.endMs) return false;
    this.times.push(time);
    this.types.push(type);
    return true;
  }

  lastTime(): number {
    return this.times[this.times.length - 1] as number;
  }
}

/**
 * Online files are refused at intake more often than counter ones, so the share of online *dossiers* is set a
 * little above the wanted share of online *receipts* (what commune_weekly's online_share measures).
 */
function dossierOnlineProbability(receiptShare: number): number {
  const onlineKept = 1 - INTAKE_REFUSED.online;
  const inPersonKept = 1 - ((1 - POSTAL_SHARE) * INTAKE_REFUSED.counter + POSTAL_SHARE * INTAKE_REFUSED.postal);
  return (receiptShare * inPersonKept) / (onlineKept * (1 - receiptShare) + receiptShare * inPersonKept);
}
