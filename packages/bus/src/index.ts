// The public API: no kafkajs type crosses it (tests reach the client through '@commune-pulse/bus/kafkajs').
export * from './batch-consumer.ts';
export type { KafkaClient } from './client.ts';
export * from './codecs.ts';
export * from './consumer-service.ts';
export * from './dead-letter-producer.ts';
export * from './kafka.ts';
export * from './source-identity.ts';
export * from './topic-publisher.ts';
