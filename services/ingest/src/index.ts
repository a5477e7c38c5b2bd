export * from './chunk-plan.ts';
export * from './context.ts';
export * from './dead-letters.ts';
export * from './derive.ts';
export * from './file-import.ts';
export * from './kafka-ingest.ts';
export * from './pipeline.ts';
export * from './staffing-topic.ts';
