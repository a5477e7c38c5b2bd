export * from './adapter.ts';
export * from './config.ts';
export * from './file-import.ts';
export * from './journal.ts';
export * from './kafka.ts';
export * from './receiver.ts';
export * from './serve.ts';
export * from './units.ts';
