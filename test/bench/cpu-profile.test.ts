import { describe, expect, it } from 'vitest';
import { type CpuProfile, categoryOf, IDLE, summarizeProfile } from '../../bench/cpu-profile.ts';

// root → storeChunk → validate, and root → (idle), (garbage collector), startup
const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4, 5, 6] },
    { id: 2, callFrame: frame('storeChunk', 'file:///repo/services/ingest/src/pipeline.ts'), children: [3] },
    { id: 3, callFrame: frame('validate', 'file:///repo/packages/contracts/src/validate.ts') },
    { id: 4, callFrame: frame('(idle)') },
    { id: 5, callFrame: frame('(garbage collector)') },
    { id: 6, callFrame: frame('loadModules', 'node:internal/modules') },
  ],
  startTime: 0,
  // startup, then the window: validate, GC, idle, storeChunk, then startup again (outside)
  samples: [6, 3, 5, 4, 2, 6],
  timeDeltas: [0, 1_000, 3_000, 2_000, 4_000, 1_000],
};

describe('the CPU profile summary', () => {
  it('puts each frame in its part of the system', () => {
    expect(categoryOf(frame('(garbage collector)'))).toBe('GC');
    expect(categoryOf(frame('(idle)'))).toBe(IDLE);
    expect(categoryOf(frame('decode', 'file:///x/node_modules/.pnpm/kafkajs@2/node_modules/kafkajs/src/a.js'))).toBe(
      'kafkajs',
    );
    expect(categoryOf(frame('x', 'file:///x/node_modules/.pnpm/chdb@3/node_modules/chdb/index.js'))).toBe(
      'chdb binding',
    );
    expect(categoryOf(frame('f', 'file:///repo/services/ingest/src/pipeline.ts'))).toBe('our code: services/ingest');
    expect(categoryOf(frame('read', 'node:fs'))).toBe('node core');
  });

  it('counts self time per category and function inside the window of the chosen functions', () => {
    const summary = summarizeProfile(profile, { during: ['storeChunk'] });
    // samples 1 to 4 (validate 3 ms, GC 2 ms, idle 4 ms, storeChunk 1 ms): the startup samples fall outside
    expect(summary.windowMs).toBe(10);
    expect(summary.busyMs).toBe(6);
    expect(summary.byCategory).toEqual([
      { category: IDLE, ms: 4 },
      { category: 'our code: packages/contracts', ms: 3 },
      { category: 'GC', ms: 2 },
      { category: 'our code: services/ingest', ms: 1 },
    ]);
    expect(summary.topFunctions[0]).toEqual({ name: 'validate packages/contracts/src/validate.ts:1', ms: 3 });
  });

  it('takes the whole profile without a window', () => {
    expect(summarizeProfile(profile).windowMs).toBe(11);
  });
});
