import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';

/**
 * Where the tests find Kafka, Redis and ClickHouse. For each service, in order:
 *   1. the environment: `KAFKA_BROKERS` (comma list), `REDIS_URL`, `CLICKHOUSE_URL`;
 *   2. testcontainers, when a Docker engine answers (Kafka and Redis only);
 *   3. the local services of `pnpm services:up`: 127.0.0.1:9092 and redis://127.0.0.1:6379.
 * `clickhouseUrl` undefined means "use the embedded engine".
 */
export interface TestServices {
  kafkaBrokers: string[];
  redisUrl: string;
  clickhouseUrl: string | undefined;
  /** Stops what this call started (containers); a no-op for env and local services. */
  stop(): Promise<void>;
}

const LOCAL_KAFKA = { host: '127.0.0.1', port: 9092 };
const LOCAL_REDIS = { host: '127.0.0.1', port: 6379 };
const KAFKA_IMAGE = 'confluentinc/cp-kafka:8.1.0'; // Kafka 4.1; @testcontainers/kafka drives Confluent's image
const REDIS_IMAGE = 'redis:7.4-alpine';
const PROBE_TIMEOUT_MS = 1_000;

function envValue(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function envBrokers(): string[] | undefined {
  const brokers = envValue('KAFKA_BROKERS')
    ?.split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  return brokers && brokers.length > 0 ? brokers : undefined;
}

/** True when a TCP connection opens within the timeout; with `send`, when the reply starts with `expect`. */
function probeTcp(
  host: string,
  port: number,
  options: { send?: string; expect?: string } = {},
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('error', () => finish(false));
    socket.once('connect', () => {
      if (options.send === undefined) {
        finish(true);
        return;
      }
      socket.write(options.send);
    });
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      const expected = options.expect ?? '';
      if (reply.length >= expected.length) finish(reply.startsWith(expected));
    });
  });
}

/** Whether a Docker engine answers `GET /_ping` within a second (DOCKER_HOST, else /var/run/docker.sock). */
async function dockerAnswers(): Promise<boolean> {
  const dockerHost = envValue('DOCKER_HOST');
  let target: { socketPath: string } | { host: string; port: number };
  if (dockerHost === undefined || dockerHost.startsWith('unix://')) {
    const socketPath = dockerHost?.slice('unix://'.length) ?? '/var/run/docker.sock';
    if (!existsSync(socketPath)) return false;
    target = { socketPath };
  } else {
    let url: URL;
    try {
      url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    } catch {
      return false;
    }
    const port = Number(url.port || 2375);
    // With TLS the plain HTTP ping cannot be made: settle for the port answering.
    if (envValue('DOCKER_TLS_VERIFY') !== undefined) return probeTcp(url.hostname, port);
    target = { host: url.hostname, port };
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy(new Error('docker ping timed out')));
    req.once('error', () => resolve(false));
    req.end();
  });
}

async function startKafkaContainer(): Promise<{ brokers: string[]; stop(): Promise<void> }> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer(KAFKA_IMAGE)
    .withKraft()
    .withEnvironment({
      KAFKA_NUM_PARTITIONS: '4',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .start();
  return {
    brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`],
    stop: async () => {
      await container.stop();
    },
  };
}

async function startRedisContainer(): Promise<{ url: string; stop(): Promise<void> }> {
  const { RedisContainer } = await import('@testcontainers/redis');
  const container = await new RedisContainer(REDIS_IMAGE).start();
  return {
    url: container.getConnectionUrl(),
    stop: async () => {
      await container.stop();
    },
  };
}

export async function resolveTestServices(): Promise<TestServices> {
  const clickhouseUrl = envValue('CLICKHOUSE_URL');
  let kafkaBrokers = envBrokers();
  let redisUrl = envValue('REDIS_URL');
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    const pending = stops.splice(0).reverse();
    await Promise.allSettled(pending.map((stopOne) => stopOne()));
  };

  if ((kafkaBrokers === undefined || redisUrl === undefined) && (await dockerAnswers())) {
    try {
      const [kafka, redis] = await Promise.all([
        kafkaBrokers === undefined ? startKafkaContainer() : undefined,
        redisUrl === undefined ? startRedisContainer() : undefined,
      ]);
      if (kafka) {
        stops.push(kafka.stop);
        kafkaBrokers = kafka.brokers;
      }
      if (redis) {
        stops.push(redis.stop);
        redisUrl = redis.url;
      }
    } catch (error) {
      await stop();
      throw new Error(`A Docker engine answers but the test containers did not start: ${String(error)}`, {
        cause: error,
      });
    }
  }

  const missing: string[] = [];
  if (kafkaBrokers === undefined) {
    if (await probeTcp(LOCAL_KAFKA.host, LOCAL_KAFKA.port)) {
      kafkaBrokers = [`${LOCAL_KAFKA.host}:${LOCAL_KAFKA.port}`];
    } else {
      missing.push(`Kafka on ${LOCAL_KAFKA.host}:${LOCAL_KAFKA.port} (or set KAFKA_BROKERS)`);
    }
  }
  if (redisUrl === undefined) {
    if (await probeTcp(LOCAL_REDIS.host, LOCAL_REDIS.port, { send: 'PING\r\n', expect: '+PONG' })) {
      redisUrl = `redis://${LOCAL_REDIS.host}:${LOCAL_REDIS.port}`;
    } else {
      missing.push(`Redis on ${LOCAL_REDIS.host}:${LOCAL_REDIS.port} (or set REDIS_URL)`);
    }
  }
  if (kafkaBrokers === undefined || redisUrl === undefined) {
    await stop();
    throw new Error(
      `Test services not reachable and no Docker engine answers: ${missing.join('; ')}. Run pnpm services:up first.`,
    );
  }
  return { kafkaBrokers, redisUrl, clickhouseUrl, stop };
}
