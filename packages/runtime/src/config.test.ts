import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, processEnvironment, threadPoolSize } from './config.ts';

describe('processEnvironment', () => {
  const saved = process.env.COMMUNE_PULSE_DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.COMMUNE_PULSE_DATA_DIR;
    else process.env.COMMUNE_PULSE_DATA_DIR = saved;
  });

  it('reads the process environment, an override in place of what it sets, an undefined override ignored', () => {
    process.env.COMMUNE_PULSE_DATA_DIR = '/from/env';
    expect(loadConfig(processEnvironment()).dataDir).toBe('/from/env');
    expect(loadConfig(processEnvironment({ COMMUNE_PULSE_DATA_DIR: '/from/flag' })).dataDir).toBe('/from/flag');
    expect(processEnvironment({ COMMUNE_PULSE_DATA_DIR: undefined }).COMMUNE_PULSE_DATA_DIR).toBe('/from/env');
    // a copy: changing it leaves the process's own environment alone
    processEnvironment().COMMUNE_PULSE_DATA_DIR = '/changed';
    expect(process.env.COMMUNE_PULSE_DATA_DIR).toBe('/from/env');
  });

  it("gives libuv's thread pool size, 4 when it is unset or not a number", () => {
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '12' })).toBe(12);
    expect(threadPoolSize({})).toBe(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: 'many' })).toBe(4);
  });
});
