export * from './errors.ts';
export * from './guarded-query.ts';
export * from './migrate.ts';
export * from './open.ts';
export * from './portal-units.ts';
export * from './reference-inputs.ts';
export * from './sql-guard.ts';
export * from './warehouse.ts';
