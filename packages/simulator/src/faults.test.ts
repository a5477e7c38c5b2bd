import { type RejectReason, validateDossierEvent } from '@commune-pulse/contracts';
import { communes, isKnownCommune, provinceOfCommune } from '@commune-pulse/reference-data';
import { describe, expect, it } from 'vitest';
import { corruptLineAs, INVALID_KINDS, type InvalidKind, UNKNOWN_COMMUNE_CODE } from './faults.ts';
import { runSimulation } from './test-support.ts';

const SAMPLE = communes()
  .filter((_, i) => i % 150 === 0)
  .map((c) => c.code);
const scope = { seed: 9, communeCodes: SAMPLE, startDay: '2026-09-07', days: 21 };
const clean = runSimulation(scope);
const DAY_MS = 86_400_000;
const occurredMs = (line: string) => Date.parse(JSON.parse(line).occurred_at);
const idOf = (line: string) => JSON.parse(line).event_id as string;
const sorted = (lines: readonly string[]) => [...lines].sort();

describe('delivery faults', () => {
  it('redeliver: the given share of events comes twice, byte for byte, later in the stream', () => {
    const { lines, summary } = runSimulation({ ...scope, faults: { redeliver: 0.05 } });
    expect(clean.lines.length).toBeGreaterThan(15_000);
    const duplicates = lines.length - clean.lines.length;
    expect(summary.redelivered).toBe(duplicates);
    expect(summary.lines).toBe(lines.length);
    expect(summary.events).toBe(clean.lines.length);
    expect(duplicates / clean.lines.length).toBeGreaterThan(0.04);
    expect(duplicates / clean.lines.length).toBeLessThan(0.06);
    expect(sorted([...new Set(lines)])).toEqual(sorted(clean.lines));
    const ids = lines.map(idOf);
    expect(ids.length - new Set(ids).size).toBe(duplicates);
    const firstSeen = new Map<string, number>();
    for (const [position, line] of lines.entries()) {
      const first = firstSeen.get(line);
      if (first === undefined) firstSeen.set(line, position);
      else expect(position).toBeGreaterThan(first);
    }
  });

  it('late: some events arrive after events that occurred days after them', () => {
    const { lines, summary } = runSimulation({ ...scope, faults: { late: 0.02 } });
    expect(sorted(lines)).toEqual(sorted(clean.lines));
    let latest = 0;
    let late = 0;
    for (const line of lines) {
      const ms = occurredMs(line);
      if (latest - ms >= DAY_MS) late++;
      latest = Math.max(latest, ms);
    }
    expect(summary.late).toBeGreaterThan(0.015 * clean.lines.length);
    expect(summary.late).toBeLessThan(0.025 * clean.lines.length);
    // Nearly every held event is overtaken by at least a day of the stream (those of the last days come at the end).
    expect(late).toBeGreaterThan(0.8 * summary.late);
    expect(late).toBeLessThanOrEqual(summary.late);
  });

  it('disorder: the same events, some out of order within a window of lines', () => {
    const { lines, summary } = runSimulation({ ...scope, faults: { disorder: 0.05 } });
    expect(sorted(lines)).toEqual(sorted(clean.lines));
    const cleanPosition = new Map(clean.lines.map((line, position) => [line, position]));
    let inversions = 0;
    let latest = 0;
    let farthest = 0;
    for (const [position, line] of lines.entries()) {
      const ms = occurredMs(line);
      if (ms < latest) inversions++;
      latest = Math.max(latest, ms);
      farthest = Math.max(farthest, Math.abs(position - (cleanPosition.get(line) as number)));
    }
    expect(summary.disordered / clean.lines.length).toBeGreaterThan(0.04);
    expect(summary.disordered / clean.lines.length).toBeLessThan(0.06);
    expect(inversions).toBeGreaterThan(0.5 * summary.disordered);
    // The default window is 500 lines; what is held meanwhile shifts the others by a few more.
    expect(farthest).toBeGreaterThan(400);
    expect(farthest).toBeLessThan(600);
  });

  it('invalid: extra lines, each rejected by the contract, of many kinds', () => {
    const { lines, summary } = runSimulation({ ...scope, faults: { invalid: 0.01, redeliver: 0.01 } });
    const context = { nowMs: summary.endMs, provinceOfCommune };
    const reasons = new Map<string, number>();
    let valid = 0;
    for (const line of lines) {
      const result = validateDossierEvent(line, context);
      if (result.ok) valid++;
      else reasons.set(result.reject.reason, (reasons.get(result.reject.reason) ?? 0) + 1);
    }
    const invalid = lines.length - valid;
    expect(invalid).toBe(summary.invalid);
    expect(valid).toBe(clean.lines.length + summary.redelivered);
    expect(invalid / clean.lines.length).toBeGreaterThan(0.007);
    expect(invalid / clean.lines.length).toBeLessThan(0.013);
    expect(reasons.size).toBeGreaterThanOrEqual(8);
  });

  it('each kind of invalid line is rejected for its own reason', () => {
    expect(isKnownCommune(UNKNOWN_COMMUNE_CODE)).toBe(false);
    const received = clean.lines.find((l) => l.includes('"event_type":"received"')) as string;
    const processing = clean.lines.find((l) => l.includes('"event_type":"processing"')) as string;
    const expected: Record<InvalidKind, RejectReason> = {
      truncated: 'not_json',
      not_object: 'not_object',
      schema: 'unsupported_schema',
      missing_field: 'missing_field',
      event_id: 'invalid_event_id',
      timestamp: 'invalid_timestamp',
      future: 'future_timestamp',
      commune: 'unknown_commune',
      procedure: 'invalid_procedure_code',
      channel: 'invalid_channel',
      due_at: 'missing_due_at',
    };
    const context = { nowMs: clean.summary.endMs, provinceOfCommune };
    for (const kind of INVALID_KINDS) {
      const result = validateDossierEvent(corruptLineAs(received, kind), context);
      expect(result.ok ? 'accepted' : result.reject.reason, kind).toBe(expected[kind]);
    }
    const badDue = validateDossierEvent(corruptLineAs(processing, 'due_at'), context);
    expect(badDue.ok ? 'accepted' : badDue.reject.reason).toBe('invalid_timestamp');
  });

  it('are deterministic, and one kind of fault does not move another', () => {
    const faults = { redeliver: 0.03, disorder: 0.03, late: 0.01, invalid: 0.005 };
    const once = runSimulation({ ...scope, faults }).lines;
    expect(runSimulation({ ...scope, faults }).lines).toEqual(once);
    const duplicated = (lines: string[]) => {
      const seen = new Set<string>();
      const twice = new Set<string>();
      for (const line of lines) (seen.has(line) ? twice : seen).add(line);
      return sorted([...twice]);
    };
    expect(duplicated(once)).toEqual(duplicated(runSimulation({ ...scope, faults: { redeliver: 0.03 } }).lines));
  });
});
