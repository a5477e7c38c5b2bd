export * from './errors.ts';
export * from './migrate.ts';
export * from './open.ts';
export * from './portal-units.ts';
export * from './read-only.ts';
export * from './reference-inputs.ts';
export * from './warehouse.ts';
