export * from './erlang-c.ts';
export * from './forecast.ts';
export * from './lifecycle.ts';
export * from './params.ts';
export * from './pressure.ts';
export * from './proposal.ts';
export * from './scenario.ts';
export * from './wisn.ts';
