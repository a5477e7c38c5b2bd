export * from './alerts.ts';
export * from './dossier-event.ts';
export * from './json-schemas.ts';
export * from './pressure.ts';
export * from './reject.ts';
export * from './staffing.ts';
export * from './topics.ts';
export * from './validate.ts';
