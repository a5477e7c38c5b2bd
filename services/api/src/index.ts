export * from './config.ts';
export * from './endpoints.ts';
export * from './server.ts';
export * from './tokens.ts';
