import { hashUniform } from './random.ts';

/** What a real source does to a stream (dossier-event-v1.md, processing rules). Fractions from 0 to 1. */
export type DeliveryFaults = {
  /** Events delivered a second time, byte for byte, later in the stream (producer retries, replays). */
  readonly redeliver?: number | undefined;
  /** Events delivered out of order: held back by up to `disorderWindow` lines. */
  readonly disorder?: number | undefined;
  /** Events held back and delivered 2 to 9 days later (in stream days), or at the end of the stream. */
  readonly late?: number | undefined;
  /** Invalid lines added after events, one kind of bad input each, as a fraction of the events. */
  readonly invalid?: number | undefined;
  /** Dossiers whose submitted and received events carry personal fields (ChuHoSo, …) that ingest must drop. */
  readonly personal?: number | undefined;
  /** Default 500 lines. */
  readonly disorderWindow?: number | undefined;
  /** Default 20,000 lines. */
  readonly redeliverWindow?: number | undefined;
};

export type FaultCounts = {
  redelivered: number;
  disordered: number;
  late: number;
  invalid: number;
};

const SALT_LATE = 0x1a7e;
const SALT_LATE_DAYS = 0x1a7f;
const SALT_DISORDER = 0xd150;
const SALT_DISORDER_SHIFT = 0xd151;
const SALT_REDELIVER = 0x4ede;
const SALT_REDELIVER_SHIFT = 0x4edf;
const SALT_INVALID = 0xbad;
const SALT_INVALID_KIND = 0xbae;

type Held = { at: number; order: number; line: string };

export function checkFaults(faults: DeliveryFaults): void {
  for (const name of ['redeliver', 'disorder', 'late', 'invalid', 'personal'] as const) {
    const value = faults[name];
    if (value !== undefined && !(value >= 0 && value <= 1)) {
      throw new RangeError(`faults.${name} must be a fraction from 0 to 1, got ${value}`);
    }
  }
  for (const name of ['disorderWindow', 'redeliverWindow'] as const) {
    const value = faults[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new RangeError(`faults.${name} must be a whole number of lines, at least 1, got ${value}`);
    }
  }
}

/**
 * Applies delivery faults to a clean stream. Each decision is keyed by the line's position, so one kind of fault
 * does not move the others: the same stream with and without `--late` has the same redeliveries. Memory holds
 * only what is held back (windows, and late events until their day).
 */
export function* withDeliveryFaults(
  lines: Iterable<string>,
  faults: DeliveryFaults,
  seed: number,
  currentDay: () => number,
  counts: FaultCounts,
): Generator<string, void, undefined> {
  checkFaults(faults);
  const redeliver = faults.redeliver ?? 0;
  const disorder = faults.disorder ?? 0;
  const late = faults.late ?? 0;
  const invalid = faults.invalid ?? 0;
  if (redeliver === 0 && disorder === 0 && late === 0 && invalid === 0) {
    yield* lines;
    return;
  }
  const disorderWindow = faults.disorderWindow ?? 500;
  const redeliverWindow = faults.redeliverWindow ?? 20_000;
  const held = new HeldLines();
  const lateByDay = new Map<number, string[]>();
  let lastDay = Number.NEGATIVE_INFINITY;
  let index = 0;

  for (const line of lines) {
    const day = currentDay();
    if (day !== lastDay) {
      lastDay = day;
      for (const releaseDay of [...lateByDay.keys()].sort((a, b) => a - b)) {
        if (releaseDay > day) break;
        yield* lateByDay.get(releaseDay) as string[];
        lateByDay.delete(releaseDay);
      }
    }
    while (held.nextAt() <= index) yield held.pop();

    if (redeliver > 0 && hashUniform(seed, SALT_REDELIVER, index) < redeliver) {
      const shift = 1 + Math.floor(hashUniform(seed, SALT_REDELIVER_SHIFT, index) * redeliverWindow);
      held.push(index + shift, line);
      counts.redelivered++;
    }
    if (late > 0 && hashUniform(seed, SALT_LATE, index) < late) {
      const releaseDay = day + 2 + Math.floor(hashUniform(seed, SALT_LATE_DAYS, index) * 8);
      const waiting = lateByDay.get(releaseDay);
      if (waiting === undefined) lateByDay.set(releaseDay, [line]);
      else waiting.push(line);
      counts.late++;
    } else if (disorder > 0 && hashUniform(seed, SALT_DISORDER, index) < disorder) {
      const shift = 1 + Math.floor(hashUniform(seed, SALT_DISORDER_SHIFT, index) * disorderWindow);
      held.push(index + shift, line);
      counts.disordered++;
    } else {
      yield line;
    }
    if (invalid > 0 && hashUniform(seed, SALT_INVALID, index) < invalid) {
      yield corruptLine(line, hashUniform(seed, SALT_INVALID_KIND, index));
      counts.invalid++;
    }
    index++;
  }
  while (held.size() > 0) yield held.pop();
  for (const releaseDay of [...lateByDay.keys()].sort((a, b) => a - b)) yield* lateByDay.get(releaseDay) as string[];
}

/** The kinds of bad input a real source produces, one per invalid line (each is rejected with its own reason). */
export const INVALID_KINDS = [
  'truncated',
  'not_object',
  'schema',
  'missing_field',
  'event_id',
  'timestamp',
  'future',
  'commune',
  'procedure',
  'channel',
  'due_at',
] as const;
export type InvalidKind = (typeof INVALID_KINDS)[number];

/** A commune code the registry does not have (codes are allocated well below it). */
export const UNKNOWN_COMMUNE_CODE = '99999';

/**
 * A bad variant of a clean line. Its event_id is changed too (where it stays valid), so that an invalid line
 * can never be mistaken for a delivery of the event it was made from.
 */
export function corruptLine(line: string, u: number): string {
  const kind = INVALID_KINDS[Math.min(INVALID_KINDS.length - 1, Math.floor(u * INVALID_KINDS.length))] as InvalidKind;
  return corruptLineAs(line, kind);
}

export function corruptLineAs(line: string, kind: InvalidKind): string {
  const renamed = line.replace(/"event_id":"([^"]+)"/, '"event_id":"$1-bad"');
  switch (kind) {
    case 'truncated':
      return renamed.slice(0, Math.floor(renamed.length * 0.6));
    case 'not_object':
      return `[${renamed}]`;
    case 'schema':
      return renamed.replace('"schema":"dossier-event/1"', '"schema":"dossier-event/2"');
    case 'missing_field':
      return renamed.replace(/,"commune_code":"[0-9]{5}"/, '');
    case 'event_id':
      return line.replace(/"event_id":"[^"]+"/, '"event_id":"e1"');
    case 'timestamp':
      // A local time without its offset, as a spreadsheet export writes it.
      return renamed.replace(/"occurred_at":"([0-9-]{10})T([0-9:]{8})\+07:00"/, '"occurred_at":"$1 $2"');
    case 'future':
      return renamed.replace(/"occurred_at":"[0-9]{4}/, '"occurred_at":"2099');
    case 'commune':
      return renamed.replace(/"commune_code":"[0-9]{5}"/, `"commune_code":"${UNKNOWN_COMMUNE_CODE}"`);
    case 'procedure':
      return renamed.replace(/"procedure_code":"[^"]+"/, '"procedure_code":"TTHC-01"');
    case 'channel':
      return renamed.replace(/"channel":"[a-z]+"/, '"channel":"kiosk"');
    case 'due_at':
      // A received event without its return date, or any other with a date that does not exist.
      return renamed.includes('"event_type":"received"')
        ? renamed.replace(/,"due_at":"[^"]+"/, '')
        : renamed.replace(/}$/, ',"due_at":"2026-13-45T17:00:00+07:00"}');
  }
}

/** A binary min-heap of held lines by release position, ties in the order they were held. */
class HeldLines {
  private readonly items: Held[] = [];
  private order = 0;

  size(): number {
    return this.items.length;
  }

  nextAt(): number {
    return this.items[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  push(at: number, line: string): void {
    const items = this.items;
    items.push({ at, order: this.order++, line });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i] as Held, items[parent] as Held)) break;
      [items[i], items[parent]] = [items[parent] as Held, items[i] as Held];
      i = parent;
    }
  }

  pop(): string {
    const items = this.items;
    const top = items[0] as Held;
    const last = items.pop() as Held;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && before(items[left] as Held, items[smallest] as Held)) smallest = left;
        if (right < items.length && before(items[right] as Held, items[smallest] as Held)) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest] as Held, items[i] as Held];
        i = smallest;
      }
    }
    return top.line;
  }
}

function before(a: Held, b: Held): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}
