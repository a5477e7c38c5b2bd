// For tests only: the kafkajs client behind a handle, to produce, read or administer topics directly.
export { kafkajsOf } from './client.ts';
