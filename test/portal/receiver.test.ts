import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@commune-pulse/contracts';
import { createWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readTopic, testKafka } from '../support/kafka.ts';
import {
  freePort,
  gatewayUrl,
  type RunningProcess,
  runCli,
  startCli,
  startGateway,
  stopStartedProcesses,
  uniqueName,
  waitFor,
} from '../support/processes.ts';
import { FIXTURE_OFFICER, FIXTURE_PERSONAL, FIXTURE_VALUES } from './support.ts';

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const TOKENS = { '01': 'token-of-ha-noi-0123456789', '75': 'token-of-dong-nai-0123456789' };
const UNIT_01 = '000.00.04.H01';
const UNIT_75 = '000.00.26278.H75';

/** A dossier record of Hà Nội's commune 00004, as its one-stop system sends it (personal fields included). */
function dossierRecord(id: string, fields: Record<string, unknown> = {}) {
  return {
    MaHoSo: id,
    MaTTHC: '1.001193',
    KenhThucHien: '1',
    DonViXuLy: UNIT_01,
    NgayTiepNhan: '20260302081500',
    NgayHenTra: '20260303170000',
    TrangThaiHoSo: '2',
    ...FIXTURE_PERSONAL,
    ...fields,
  };
}

function historyRecord(id: string, status: string, at: string) {
  return {
    MaHoSo: id,
    NguoiXuLy: FIXTURE_OFFICER,
    ChucDanh: 'Chuyên viên',
    ThoiDiemXuLy: at,
    PhongBanXuLy: 'Bộ phận một cửa',
    NoiDungXuLy: 'Chuyển hồ sơ cho anh Kiểmthử',
    TrangThai: status,
  };
}

interface Answer {
  status: number;
  body: { error_code?: number; message?: string };
}

async function call(port: number, path: string, body: unknown, token: string | null = TOKENS['01']): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const ok = (answer: Answer) => answer.status === 200 && answer.body.error_code === 0;

describe('the portal receiver over real HTTP', () => {
  let root: string;
  let warehouse: Warehouse;
  let env: Record<string, string>;
  let receiver: RunningProcess | null = null;
  let port: number;
  const journal = () => join(root, 'receiver', 'portal-journal');

  async function startReceiver(extra: Record<string, string> = {}): Promise<RunningProcess> {
    const process = startCli(['portal', 'serve'], { ...env, ...extra });
    await waitFor(() => process.output().includes('listening on'), 60_000, 'the portal receiver');
    return process;
  }

  /** Every journal line written so far has been drained into the warehouse. */
  function drained(): boolean {
    if (!existsSync(journal())) return true;
    return readdirSync(journal())
      .filter((name) => name.endsWith('.ndjson'))
      .every((name) => {
        const progress = join(journal(), `${name}.drained`);
        const size = statSync(join(journal(), name)).size;
        return size === 0 || (existsSync(progress) && JSON.parse(readFileSync(progress, 'utf8')).bytes === size);
      });
  }

  /** Raw rows of the events and their claims, and the event ids among them. */
  const counts = async () => {
    const [row] = await warehouse.query<{ raw: number; ids: number; claims: number }>(
      `SELECT count() AS raw, uniqExact(event_id) AS ids, (SELECT count() FROM event_id_claims) AS claims
       FROM dossier_events_store`,
    );
    return { raw: Number(row?.raw), ids: Number(row?.ids), claims: Number(row?.claims) };
  };
  const ledger = async () => {
    const [row] = await warehouse.query<{ deliveries: number; accepted: number; duplicates: number }>(
      'SELECT sum(deliveries) AS deliveries, sum(accepted) AS accepted, sum(duplicates) AS duplicates FROM ingest_ledger',
    );
    return {
      deliveries: Number(row?.deliveries),
      accepted: Number(row?.accepted),
      duplicates: Number(row?.duplicates),
    };
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cp-portal-receiver-'));
    const gatewayPort = await freePort();
    await startGateway(join(root, 'warehouse'), gatewayPort);
    port = await freePort();
    writeFileSync(
      join(root, 'provinces.json'),
      JSON.stringify({
        provinces: [
          { province_code: '01', token_env: 'PORTAL_TOKEN_01', officer_key_env: 'PORTAL_OFFICER_KEY_01' },
          { province_code: '75', token_env: 'PORTAL_TOKEN_75' },
        ],
      }),
    );
    writeFileSync(join(root, 'units.csv'), `unit_code,commune_code\n${UNIT_01},00004\n${UNIT_75},26278\n`);
    mkdirSync(join(root, 'receiver'), { recursive: true });
    env = {
      CLICKHOUSE_URL: gatewayUrl(gatewayPort),
      COMMUNE_PULSE_DATA_DIR: join(root, 'receiver'),
      KAFKA_BROKERS: '',
      PORTAL_PROVINCES_FILE: join(root, 'provinces.json'),
      PORTAL_TOKEN_01: TOKENS['01'],
      PORTAL_TOKEN_75: TOKENS['75'],
      PORTAL_OFFICER_KEY_01: 'ha-noi-officer-key-0123456789',
      PORTAL_RECEIVER_PORT: String(port),
      PORTAL_MAX_BODY_BYTES: String(64 * 1024),
    };
    const units = await runCli(['portal', 'units', 'import', join(root, 'units.csv')], env);
    expect(units.code, units.output).toBe(0);
    warehouse = createWarehouse({ clickhouseUrl: env.CLICKHOUSE_URL, dataDir: join(root, 'receiver') });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await warehouse?.close();
    await stopStartedProcesses();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers the three calls in the portal shape, and stores their events once drained', async () => {
    const created = await call(port, 'ThemMoi', [dossierRecord('HN-0001')]);
    expect(created).toEqual({ status: 200, body: { error_code: 0, message: expect.stringContaining('thành công') } });
    const progress = await call(port, 'api/DongBoTienTrinh', [historyRecord('HN-0001', '4', '20260302091500')]);
    expect(ok(progress), JSON.stringify(progress)).toBe(true);
    const updated = await call(port, 'CapNhat', [
      dossierRecord('HN-0001', { TrangThaiHoSo: '10', NgayKetThucXuLy: '20260303100000', NgayTra: '20260303110000' }),
    ]);
    expect(ok(updated), JSON.stringify(updated)).toBe(true);
    await waitFor(() => drained(), 30_000, 'the journal drained');
    const events = await warehouse.query<{ event_type: string; officer_ref: string | null }>(
      "SELECT event_type, officer_ref FROM dossier_events WHERE dossier_id = 'HN-0001' ORDER BY occurred_at",
    );
    expect(events.map((e) => e.event_type)).toEqual(['received', 'processing', 'resolved', 'returned']);
    expect(events[1]?.officer_ref).toMatch(/^nx-[0-9a-f]{32}$/);
  });

  it('stores nothing new when the same call is received twice', async () => {
    await waitFor(() => drained(), 30_000, 'the journal drained');
    const before = await counts();
    const ledgerBefore = await ledger();
    const again = await call(port, 'CapNhat', [
      dossierRecord('HN-0001', { TrangThaiHoSo: '10', NgayKetThucXuLy: '20260303100000', NgayTra: '20260303110000' }),
    ]);
    expect(ok(again)).toBe(true);
    await waitFor(() => drained(), 30_000, 'the journal drained');
    expect(await counts()).toEqual(before);
    expect(before.raw).toBe(before.claims);
    // The call is a new journal line: its events (received, resolved, returned) are counted once, as duplicates.
    const ledgerAfter = await ledger();
    expect(ledgerAfter.accepted).toBe(ledgerBefore.accepted);
    expect(ledgerAfter.duplicates - ledgerBefore.duplicates).toBe(3);
    expect(ledgerAfter.deliveries - ledgerBefore.deliveries).toBe(3);
  });

  it('refuses a bad token, another province, an oversized body and a malformed date, naming field and rule', async () => {
    const noToken = await call(port, 'ThemMoi', [dossierRecord('HN-0002')], null);
    expect(noToken).toMatchObject({ status: 401, body: { error_code: 2 } });
    const badToken = await call(port, 'ThemMoi', [dossierRecord('HN-0002')], 'not-a-token-of-any-province');
    expect(badToken).toMatchObject({ status: 401, body: { error_code: 2 } });
    // Đồng Nai's token, a Hà Nội unit: the whole call is refused.
    const foreign = await call(
      port,
      'ThemMoi',
      [dossierRecord('DN-0001', { DonViXuLy: UNIT_75 }), dossierRecord('DN-0002')],
      TOKENS['75'],
    );
    expect(foreign).toMatchObject({ status: 403, body: { error_code: 3 } });
    expect(foreign.body.message).toContain('record 1');
    // History carries no unit: Đồng Nai's history of a Hà Nội dossier is taken, then rejected against the dossier.
    const foreignHistory = await call(
      port,
      'DongBoTienTrinh',
      [historyRecord('HN-0001', '6', '20260302100000')],
      TOKENS['75'],
    );
    expect(ok(foreignHistory)).toBe(true);
    const oversized = await call(port, 'ThemMoi', [dossierRecord('HN-0003', { GhiChu: 'x'.repeat(70_000) })]);
    expect(oversized).toMatchObject({ status: 413, body: { error_code: 4 } });
    const malformed = await call(port, 'ThemMoi', [dossierRecord('HN-0004', { NgayTiepNhan: '2026-03-02 08:15' })]);
    expect(malformed).toMatchObject({ status: 400, body: { error_code: 1 } });
    expect(malformed.body.message).toContain('NgayTiepNhan');
    expect(malformed.body.message).not.toContain('2026-03-02 08:15');
    const wrongKind = await call(port, 'CapNhat', [historyRecord('HN-0001', '4', '20260302091500')]);
    expect(wrongKind).toMatchObject({ status: 400, body: { error_code: 1 } });
    const notJson = await call(port, 'CapNhat', '{"MaHoSo": ');
    expect(notJson).toMatchObject({ status: 400, body: { error_code: 1 } });
    await waitFor(() => drained(), 30_000, 'the journal drained');
    const [stored] = await warehouse.query<{ n: number }>(
      "SELECT count() AS n FROM dossier_events WHERE dossier_id IN ('HN-0002', 'DN-0001', 'DN-0002', 'HN-0003', 'HN-0004')",
    );
    expect(Number(stored?.n)).toBe(0);
    const fees = await warehouse.query("SELECT event_id FROM dossier_events WHERE event_type = 'fee_requested'");
    expect(fees).toEqual([]);
    const [rejected] = await warehouse.query<{ n: number }>(
      "SELECT count() AS n FROM rejected_events WHERE reason = 'portal_foreign_commune'",
    );
    expect(Number(rejected?.n)).toBe(1);
  });

  it('loses nothing it acknowledged when killed mid-stream, and stores nothing twice', async () => {
    const dossiers = Array.from({ length: 240 }, (_, i) => `HN-K${String(i).padStart(4, '0')}`);
    const calls = dossiers.flatMap((id) => [
      { path: 'ThemMoi', body: [dossierRecord(id)], event: 'received', id },
      { path: 'DongBoTienTrinh', body: [historyRecord(id, '4', '20260302091500')], event: 'processing', id },
      {
        path: 'CapNhat',
        body: [dossierRecord(id, { TrangThaiHoSo: '9', NgayKetThucXuLy: '20260303100000' })],
        event: 'resolved',
        id,
      },
    ]);
    const acknowledged: typeof calls = [];
    let next = 0;
    let killed = false;
    const worker = async () => {
      // Each worker sends one dossier's calls in order, as a province's system does.
      while (!killed && next < dossiers.length) {
        const index = next++;
        for (const item of calls.slice(index * 3, index * 3 + 3)) {
          try {
            if (ok(await call(port, item.path, item.body))) acknowledged.push(item);
            else return;
          } catch {
            return;
          }
        }
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    await waitFor(() => acknowledged.length >= 150, 60_000, '150 acknowledged calls');
    (receiver as RunningProcess).child.kill('SIGKILL');
    killed = true;
    await Promise.all(workers);
    await (receiver as RunningProcess).exited;
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);
    expect(acknowledged.length).toBeLessThan(calls.length);

    receiver = await startReceiver();
    await waitFor(() => drained(), 60_000, 'the journal of the killed receiver drained');
    const stored = await warehouse.query<{ dossier_id: string; event_type: string }>(
      "SELECT dossier_id, event_type FROM dossier_events WHERE startsWith(dossier_id, 'HN-K')",
    );
    const have = new Set(stored.map((row) => `${row.dossier_id} ${row.event_type}`));
    const missing = acknowledged.filter((item) => !have.has(`${item.id} ${item.event}`));
    expect(missing).toEqual([]);
    const total = await counts();
    expect(total.raw).toBe(total.ids);
    expect(total.claims).toBe(total.raw);

    // The province sends again what was not acknowledged (and some that was): everything once.
    for (const item of calls) expect(ok(await call(port, item.path, item.body))).toBe(true);
    await waitFor(() => drained(), 60_000, 'the journal drained');
    const [all] = await warehouse.query<{ n: number }>(
      "SELECT count() AS n FROM dossier_events_store WHERE startsWith(dossier_id, 'HN-K')",
    );
    expect(Number(all?.n)).toBe(calls.length);
    const after = await counts();
    expect(after.raw).toBe(after.ids);
    expect(after.claims).toBe(after.raw);
  });

  it('keeps the personal values of the calls out of the warehouse, the journal and the dead letters', async () => {
    await waitFor(() => drained(), 30_000, 'the journal drained');
    const tables = await warehouse.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine != 'MaterializedView'",
    );
    const places = new Map<string, string>();
    for (const { name } of tables) {
      const result = await warehouse.client.query({ query: `SELECT * FROM \`${name}\``, format: 'JSONEachRow' });
      places.set(name, await result.text());
    }
    const files = (dir: string) =>
      existsSync(dir) ? readdirSync(dir).map((name) => readFileSync(join(dir, name), 'utf8')) : [];
    places.set('journal', files(journal()).join('\n'));
    places.set('dead letters', files(join(root, 'receiver', 'dead-letters')).join('\n'));
    expect(places.get('journal')?.length ?? 0).toBeGreaterThan(0);
    for (const value of FIXTURE_VALUES) {
      for (const [place, text] of places) expect(text.includes(value), `${value} in ${place}`).toBe(false);
    }
  });

  it('with a broker, makes each call durable on the portal topic, which the ingest consumer stores', async () => {
    const topic = uniqueName('portal-test');
    const kafkaPort = await freePort();
    const kafkaEnv = { ...env, KAFKA_BROKERS: BROKERS, PORTAL_TOPIC: topic, PORTAL_RECEIVER_PORT: String(kafkaPort) };
    const viaKafka = startCli(['portal', 'serve', '--units', join(root, 'units.csv')], kafkaEnv);
    await waitFor(() => viaKafka.output().includes('listening on'), 60_000, 'the Kafka-mode receiver');
    const answer = await call(kafkaPort, 'ThemMoi', [dossierRecord('HN-KAFKA-1'), dossierRecord('HN-KAFKA-2')]);
    expect(ok(answer), JSON.stringify(answer)).toBe(true);
    viaKafka.child.kill('SIGTERM');
    await viaKafka.exited;
    const messages = await readTopic([BROKERS], topic, { count: 2 });
    expect(messages.map((m) => m.key).sort()).toEqual(['HN-KAFKA-1', 'HN-KAFKA-2']);
    for (const value of FIXTURE_VALUES) expect(JSON.stringify(messages)).not.toContain(value);

    // A province producing to the topic itself: a record with a malformed date (personal fields and all) and bytes
    // that are not JSON. Both go to portal-dossiers.v1.dlq, under their own offsets.
    const producer = testKafka([BROKERS]).producer();
    await producer.connect();
    const produced = new Map<string, { partition: number; offset: string }>();
    for (const [reason, value] of [
      ['portal_invalid_date', JSON.stringify(dossierRecord('HN-KAFKA-BAD', { NgayTiepNhan: '2026-03-02 08:15' }))],
      ['not_json', '{"MaHoSo": "HN-KAFKA-CUT'],
    ] as const) {
      const [sent] = await producer.send({ topic, messages: [{ key: 'HN-KAFKA-BAD', value }] });
      produced.set(reason, { partition: sent?.partition as number, offset: sent?.baseOffset as string });
    }
    await producer.disconnect();

    const consumer = startCli(['portal', 'consume', '--topic', topic, '--group', uniqueName('portal-group')], kafkaEnv);
    const letters = async () =>
      (await readTopic([BROKERS], TOPICS.portalDossiersDlq)).filter(
        (letter) => letter.headers.dlq_source_topic === topic,
      );
    await vi.waitFor(
      async () => {
        const [stored] = await warehouse.query<{ n: number }>(
          "SELECT count() AS n FROM dossier_events WHERE dossier_id IN ('HN-KAFKA-1', 'HN-KAFKA-2') AND event_type = 'received'",
        );
        expect(Number(stored?.n)).toBe(2);
        expect(await letters()).toHaveLength(2);
      },
      { timeout: 120_000, interval: 500 },
    );
    consumer.child.kill('SIGTERM');
    expect(await consumer.exited, consumer.output()).toBe(0);

    const dead = await letters();
    for (const letter of dead) {
      const at = produced.get(letter.headers.dlq_reason as string);
      // the Kafka offset of the message, not its position in portal blocks (offset × 64 + 63)
      expect(letter.headers, JSON.stringify(letter.headers)).toMatchObject({
        dlq_source_partition: String(at?.partition),
        dlq_source_offset: at?.offset,
      });
      for (const value of FIXTURE_VALUES) expect(JSON.stringify(letter)).not.toContain(value);
    }
    const dated = dead.find((letter) => letter.headers.dlq_reason === 'portal_invalid_date');
    expect(dated?.headers.dlq_detail).toContain('NgayTiepNhan');
    expect(JSON.parse(dated?.value as string)).toMatchObject({ MaHoSo: 'HN-KAFKA-BAD' });
    expect(dead.find((letter) => letter.headers.dlq_reason === 'not_json')?.value).toBeNull();

    // The topic read as sync records is a source of its own: its cluster and topic id, in portal blocks.
    const sources = await warehouse.query<{ identity: string; cluster_id: string; topic_id: string }>(
      "SELECT identity, cluster_id, topic_id FROM ingest_sources FINAL WHERE kind = 'kafka' AND label = {topic:String}",
      { topic },
    );
    expect(sources).toHaveLength(1);
    const [source] = sources;
    expect(source?.topic_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(source?.identity).toBe(`portal-sync/64:kafka:${source?.cluster_id}:${source?.topic_id}`);
    const rejected = await warehouse.query<{ reason: string }>(
      'SELECT reason FROM rejected_events WHERE source LIKE {source:String} ORDER BY reason',
      { source: `kafka:${topic}:%` },
    );
    expect(rejected.map((row) => row.reason)).toEqual(['not_json', 'portal_invalid_date']);
  });
});
