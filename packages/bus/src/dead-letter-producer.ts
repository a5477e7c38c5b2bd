import kafkajs, { type IHeaders, type Kafka, type Producer } from 'kafkajs';

export interface DeadLetter {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: IHeaders;
}

/**
 * Re-produces rejected messages, original bytes and key, to the DLQ topic; acknowledged by all replicas.
 * At least once: a consumer that crashes after sending and before committing sends them again.
 */
export async function createDeadLetterProducer(kafka: Kafka, topic: string) {
  const producer: Producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  return {
    async send(letters: readonly DeadLetter[]): Promise<void> {
      if (letters.length === 0) return;
      await producer.send({
        topic,
        acks: -1,
        messages: letters.map((letter) => ({ key: letter.key, value: letter.value, headers: letter.headers })),
      });
    },
    close: () => producer.disconnect(),
  };
}
