export * from './config.ts';
export * from './estimate.ts';
export * from './periods.ts';
export * from './publisher.ts';
export * from './queue.ts';
export * from './schedules.ts';
export * from './service.ts';
