export * from './config.ts';
export * from './logger.ts';
export * from './memory.ts';
export * from './metrics.ts';
export * from './schedules.ts';
export * from './serial.ts';
export * from './service-process.ts';
export * from './shutdown.ts';
