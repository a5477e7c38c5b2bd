export * from './batch-consumer.ts';
export * from './codecs.ts';
export * from './dead-letter-producer.ts';
export * from './kafka.ts';
export * from './source-identity.ts';
