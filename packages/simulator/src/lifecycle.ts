import { DAY_MS, HOUR_MS, vnDayNumber, vnDayNumberStartMs } from '@commune-pulse/reference-data';
import { WORKING_DAY_MS, type WorkClock } from './clock.ts';
import { INTAKE_REFUSED, type ProcedureProfile, SUSPENDED_PROBABILITY, WITHDRAWN_PROBABILITY } from './domain.ts';
import { type CommuneProfile, pressureOn } from './profiles.ts';
import { exponential, logNormal, type Random } from './random.ts';

// Indexes into the contract's lifecycle list (DOSSIER_EVENT_TYPES), in its order.
export const SUBMITTED = 0;
export const RECEIVED = 1;
const INTAKE_REFUSED_TYPE = 2;
export const PROCESSING = 3;
const SUPPLEMENT_REQUESTED = 4;
const SUPPLEMENT_RECEIVED = 5;
const FEE_REQUESTED = 6;
export const DEADLINE_EXTENDED = 7;
const WITHDRAWN = 8;
const SUSPENDED = 9;
export const RESOLVED = 10;
const RETURNED = 11;

// Indexes into the channels, in the contract's order (counter, online, postal).
export const COUNTER = 0;
export const ONLINE = 1;
export const POSTAL = 2;

const MINUTE_MS = 60_000;

/** Where a dossier's events go as they are drawn. */
export interface LifecycleEvents {
  /** Adds an event unless it falls at or after the end; false then (the dossier's later events are later still). */
  add(type: number, timeMs: number): boolean;
  /** The instant the last event added was given (whole seconds, after the one before). */
  lastTime(): number;
}

/** The dates an event carries: the due date on receipt, the new one when the deadline is extended. */
export interface LifecycleDates {
  dueMs: number;
  extendedDueMs: number;
}

/** What a dossier's lifecycle depends on besides its own draws. */
export interface LifecycleSetting {
  clock: WorkClock;
  /** The simulation's first day (a VN day number): online files before it count only if received within it. */
  startDay: number;
}

/**
 * The dossier's events (dossier-event-v1.md lifecycle), in order, into `events`. Processing runs in office time;
 * an understaffed commune (pressure above 1) works proportionally slower, so more of its dossiers pass their due
 * date. The draws from `random` are made in a fixed order: the stream of a seed never changes.
 */
export function dossierLifecycle(
  events: LifecycleEvents,
  setting: LifecycleSetting,
  profile: CommuneProfile,
  procedure: ProcedureProfile,
  channel: number,
  originMs: number,
  random: Random,
  leadIn: boolean,
): LifecycleDates {
  const { clock } = setting;
  const none = { dueMs: 0, extendedDueMs: 0 };
  let receivedMs = originMs;
  if (channel === ONLINE) {
    // The center picks online files up in office hours, within a couple of hours of the next opening.
    receivedMs = clock.addWorking(originMs, 5 * MINUTE_MS + exponential(random, 90 * MINUTE_MS));
    // Before the span, only files the center receives within it: they are the first days' online receipts.
    if (leadIn && receivedMs < vnDayNumberStartMs(setting.startDay)) return none;
    if (!events.add(SUBMITTED, originMs)) return none;
  }
  // Whole seconds, as the event carries it: the due date is computed from what the pipeline will see.
  receivedMs = Math.floor(receivedMs / 1000) * 1000;
  const refusedShare =
    channel === ONLINE ? INTAKE_REFUSED.online : channel === POSTAL ? INTAKE_REFUSED.postal : INTAKE_REFUSED.counter;
  if (random() < refusedShare) {
    events.add(
      INTAKE_REFUSED_TYPE,
      channel === ONLINE ? receivedMs : clock.addWorking(originMs, 5 * MINUTE_MS + random() * 15 * MINUTE_MS),
    );
    return none;
  }
  const dueMs = clock.dueAt(receivedMs, procedure.deadlineWorkingDays);
  const result = { dueMs, extendedDueMs: 0 };
  if (!events.add(RECEIVED, receivedMs)) return result;

  const pressure = pressureOn(profile, vnDayNumber(receivedMs));
  const slow = pressure > 1 ? pressure ** 1.3 : 1;
  const allowed = clock.workingBetween(receivedMs, dueMs);
  const processingWork = (2 * MINUTE_MS + exponential(random, 20 * MINUTE_MS)) * slow;
  // Share of the legal time the work takes: most dossiers finish around half-way through it.
  const fraction = 0.15 + 0.35 * (random() + random());
  let work = allowed * fraction * slow;
  if (random() < 0.05 + 0.1 * Math.max(0, pressure - 1)) {
    // The long tail: a file waiting on another agency, an officer on leave.
    work = Math.max(work, allowed) + logNormal(random, 4 * HOUR_MS, 1) * slow;
  }
  work = Math.max(work, processingWork + 3 * MINUTE_MS);
  if (!events.add(PROCESSING, clock.addWorking(receivedMs, processingWork))) return result;

  let workStartMs = receivedMs;
  let remaining = work;
  let currentDueMs = dueMs;
  if (random() < procedure.supplementProbability) {
    const round = supplementRound(events, clock, procedure, receivedMs, processingWork, work, random, result);
    if (round === undefined) return result;
    ({ workStartMs, remaining } = round);
    currentDueMs = round.dueMs ?? currentDueMs;
  }
  if (random() < procedure.feeProbability) {
    const feeMs = clock.addWorking(workStartMs, Math.min(remaining * 0.3 * random(), remaining - MINUTE_MS));
    if (!events.add(FEE_REQUESTED, feeMs)) return result;
  }
  const closing = random();
  if (closing < WITHDRAWN_PROBABILITY + SUSPENDED_PROBABILITY) {
    const type = closing < WITHDRAWN_PROBABILITY ? WITHDRAWN : SUSPENDED;
    events.add(type, clock.addWorking(workStartMs, remaining * random()));
    return result;
  }
  let resolvedMs = clock.addWorking(workStartMs, remaining);
  if (resolvedMs > currentDueMs && result.extendedDueMs === 0 && random() < 0.25) {
    // Seeing it will be late, the officer moves the return date (with a notice to the citizen) before it passes.
    const noticeMs = clock.addWorking(
      receivedMs,
      Math.max(processingWork + MINUTE_MS, allowed * (0.6 + 0.3 * random())),
    );
    const newDueMs = clock.closeOfWorkingDayAfter(vnDayNumber(resolvedMs), 1 + Math.floor(random() * 2));
    if (noticeMs < resolvedMs) {
      currentDueMs = newDueMs;
      result.extendedDueMs = newDueMs;
      if (!events.add(DEADLINE_EXTENDED, noticeMs)) return result;
    }
  }
  if (!events.add(RESOLVED, resolvedMs)) return result;
  resolvedMs = events.lastTime();
  if (random() < 0.03) return result; // results never collected
  events.add(
    RETURNED,
    clock.addWorking(resolvedMs, Math.min(returnWork(random, channel, procedure), 20 * WORKING_DAY_MS)),
  );
  return result;
}

/**
 * A request for more documents and what follows it: the citizen supplies them (the work then resumes, and the
 * legal time most often runs again from the complete file) or never comes back. Undefined when the dossier's
 * events stop there; else where the work resumes, what is left of it, and the new due date if one was issued.
 */
function supplementRound(
  events: LifecycleEvents,
  clock: WorkClock,
  procedure: ProcedureProfile,
  receivedMs: number,
  processingWork: number,
  work: number,
  random: Random,
  result: LifecycleDates,
): { workStartMs: number; remaining: number; dueMs: number | undefined } | undefined {
  const requestWork = processingWork + (work - processingWork) * 0.5 * random();
  const requestedMs = clock.addWorking(receivedMs, requestWork);
  if (!events.add(SUPPLEMENT_REQUESTED, requestedMs)) return undefined;
  const waitMs = Math.min(30 * DAY_MS, logNormal(random, 2 * DAY_MS, 0.8));
  if (random() < 0.12) {
    // The citizen never comes back; half of them withdraw the file later, the rest stay open.
    if (random() < 0.5)
      events.add(WITHDRAWN, clock.addWorking(requestedMs + waitMs + 10 * DAY_MS, random() * WORKING_DAY_MS));
    return undefined;
  }
  const suppliedMs = clock.addWorking(requestedMs + waitMs, random() * 2 * HOUR_MS);
  if (!events.add(SUPPLEMENT_RECEIVED, suppliedMs)) return undefined;
  const remaining = Math.max(5 * MINUTE_MS, work - requestWork);
  if (random() < 0.85) {
    // The legal time runs again from the complete file: the system issues a new return date.
    const dueMs = clock.dueAt(suppliedMs, procedure.deadlineWorkingDays);
    result.extendedDueMs = dueMs;
    if (!events.add(DEADLINE_EXTENDED, clock.addWorking(suppliedMs, (1 + random() * 9) * MINUTE_MS))) return undefined;
    return { workStartMs: suppliedMs, remaining, dueMs };
  }
  return { workStartMs: suppliedMs, remaining, dueMs: undefined };
}

/** How long after resolution the result goes back to the citizen (working time). */
function returnWork(random: Random, channel: number, procedure: ProcedureProfile): number {
  if (channel === ONLINE && random() < 0.6) return MINUTE_MS + random() * 29 * MINUTE_MS;
  if (channel === COUNTER && procedure.deadlineWorkingDays === 0 && random() < 0.5) {
    return 5 * MINUTE_MS + random() * 55 * MINUTE_MS; // the citizen waits for a same-day result
  }
  if (channel === POSTAL) return logNormal(random, 12 * HOUR_MS, 0.5);
  return logNormal(random, 6 * HOUR_MS, 1.1);
}
