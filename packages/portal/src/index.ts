export * from './dates.ts';
export * from './envelope.ts';
export * from './mapper.ts';
export * from './records.ts';
export * from './units.ts';
