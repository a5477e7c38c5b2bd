import { describe, expect, it } from 'vitest';
import { progressLine, progressLines } from './progress.ts';

describe('progress when the output is not a terminal', () => {
  it('says the phase, the amount done, the rate and the time left', () => {
    expect(progressLine('import', 'bytes', { done: 250_000, total: 1_000_000, elapsedMs: 10_000 })).toBe(
      '[import] 25% (250,000 of 1,000,000 bytes), 25,000 bytes/s, 10 s so far, about 30 s left',
    );
    expect(progressLine('derive', 'communes', { done: 1_000, total: 3_321, elapsedMs: 120_000 })).toBe(
      '[derive] 30% (1,000 of 3,321 communes), 8 communes/s, 2 min 0 s so far, about 4 min 39 s left',
    );
    // no total: no share and no estimate
    expect(progressLine('consume', 'messages', { done: 40_000, elapsedMs: 8_000 })).toBe(
      '[consume] 40,000 messages, 5,000 messages/s, 8 s so far',
    );
  });

  it('prints a line every few seconds, not on every update, and one when the phase ends', () => {
    let clock = 0;
    const lines: string[] = [];
    const progress = progressLines(
      'import',
      'rows',
      (line) => lines.push(line),
      () => clock,
    );
    for (let done = 1; done <= 100; done++) {
      clock += 200; // an update every 0.2 s for 20 s
      progress.update(done, 100);
    }
    progress.stop();
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('[import] 25% (25 of 100 rows), 5 rows/s, 5 s so far, about 15 s left');
    expect(lines.at(-1)).toBe('[import] 100% (100 of 100 rows), 5 rows/s, 20 s so far: done');
    progress.stop();
    expect(lines).toHaveLength(5);
  });
});
