import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type ClickHouseClient, ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_READS, SQL_ESCAPES } from '../../../test/support/sql-escapes.ts';
import type { GatewayUser } from './access.ts';
import { startWarehouseGateway, type WarehouseGateway } from './gateway.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const USERS: GatewayUser[] = [
  { role: 'admin', token: 'admin-token-of-the-gateway-tests' },
  { role: 'ingest', token: 'ingest-token-of-the-gateway-tests' },
  { role: 'api', token: 'api-token-of-the-gateway-tests-0' },
  { role: 'data_team', token: 'data-team-token-of-the-gateway-tests' },
];
const LIMITS = { maxExecutionSeconds: 2, maxMemoryBytes: 2 * 1024 ** 3, maxResultRows: 1000 };
const tokenOf = (role: string) => USERS.find((user) => user.role === role)?.token ?? '';
const basic = (role: string, token = tokenOf(role)) => `Basic ${Buffer.from(`${role}:${token}`).toString('base64')}`;
/** Headers of a request made as the admin role, as fetch cannot take credentials in the URL. */
const ADMIN = { authorization: basic('admin') };
const asRole = (url: string, role: string, options: Parameters<typeof createClient>[0] = {}) =>
  createClient({ url, username: role, password: tokenOf(role), log: { level: ClickHouseLogLevel.OFF }, ...options });

async function count(client: ClickHouseClient, table: string): Promise<number> {
  const rows = await (await client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })).json<{
    n: number | string;
  }>();
  return Number(rows[0]?.n);
}

describe('warehouse gateway with @clickhouse/client', () => {
  let dir: string;
  let gateway: WarehouseGateway;
  let client: ClickHouseClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cp-gateway-'));
    gateway = await startWarehouseGateway({ dataDir: dir, port: 0, users: USERS, queryLimits: LIMITS });
    // The client logs every failed request; the failures here are the point of some tests.
    client = asRole(gateway.url, 'admin');
    await client.command({
      query: `CREATE TABLE events (id UInt32, name String) ENGINE = MergeTree ORDER BY id
              SETTINGS non_replicated_deduplication_window = 1000`,
    });
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers ping', async () => {
    expect(await client.ping()).toEqual({ success: true });
    expect(await client.ping({ select: true })).toEqual({ success: true });
  });

  it('stores an insert once per deduplication token, and later inserts without a token still', async () => {
    const insert = (id: number, settings: Record<string, string | number>) =>
      client.insert({
        table: 'events',
        values: [{ id, name: `row ${id}` }],
        format: 'JSONEachRow',
        clickhouse_settings: settings,
      });
    const first = await insert(1, { insert_deduplication_token: 't1', async_insert: 0 });
    expect(first.summary?.written_rows).toBe('1');
    await insert(1, { insert_deduplication_token: 't1', async_insert: 0 });
    expect(await count(client, 'events')).toBe(1);
    await insert(2, { insert_deduplication_token: 't2', async_insert: 0 });
    expect(await count(client, 'events')).toBe(2);
    // The token must not stay behind on the engine: a later insert without one is a new insert.
    await insert(3, {});
    await insert(4, {});
    expect(await count(client, 'events')).toBe(4);
  });

  it('binds query parameters verbatim, quotes and escapes included', async () => {
    const rows = await (
      await client.query({
        query: 'SELECT {s:String} AS s, {list:Array(String)} AS list, {n:Nullable(UInt8)} AS n, {min:UInt32} AS min',
        format: 'JSONEachRow',
        query_params: { s: "it's\ta \\ test", list: ["x'y", 'back\\slash'], n: null, min: 2 },
      })
    ).json();
    expect(rows).toEqual([{ s: "it's\ta \\ test", list: ["x'y", 'back\\slash'], n: null, min: 2 }]);
    const filtered = await (
      await client.query({
        query: 'SELECT id FROM events WHERE id >= {min:UInt32} ORDER BY id',
        format: 'JSONEachRow',
        query_params: { min: 3 },
      })
    ).json();
    expect(filtered).toEqual([{ id: 3 }, { id: 4 }]);
  });

  it('sends long query parameters as multipart form data when asked to', async () => {
    const multipart = asRole(gateway.url, 'admin', { use_multipart_params: true });
    try {
      const names = Array.from({ length: 500 }, (_, i) => `name ${i}`);
      const rows = await (
        await multipart.query({
          query: 'SELECT length({names:Array(String)}) AS n, {names:Array(String)}[500] AS last',
          format: 'JSONEachRow',
          query_params: { names },
        })
      ).json();
      expect(rows).toEqual([{ n: 500, last: 'name 499' }]);
    } finally {
      await multipart.close();
    }
  });

  it('returns JSONEachRow through json() and stream()', async () => {
    const query = 'SELECT number AS n FROM system.numbers LIMIT 5';
    expect(await (await client.query({ query, format: 'JSONEachRow' })).json()).toEqual(
      [0, 1, 2, 3, 4].map((n) => ({ n })),
    );
    const streamed: unknown[] = [];
    const resultSet = await client.query({ query, format: 'JSONEachRow' });
    for await (const batch of resultSet.stream()) {
      for (const row of batch) streamed.push(row.json());
    }
    expect(streamed).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
  });

  it('returns other formats as the engine writes them', async () => {
    const csv = await (await client.query({ query: "SELECT 1 AS a, 'x' AS b", format: 'CSVWithNames' })).text();
    expect(csv).toBe('"a","b"\n1,"x"\n');
    const json = await (await client.query({ query: 'SELECT 1 AS a', format: 'JSON' })).json<{ data: unknown[] }>();
    expect(json.data).toEqual([{ a: 1 }]);
    const compact = await (await client.query({ query: 'SELECT 1 AS a, 2 AS b', format: 'JSONCompactEachRow' })).json();
    expect(compact).toEqual([[1, 2]]);
    const result = await client.query({ query: 'SELECT 1', format: 'TabSeparated', query_id: 'q-formats' });
    expect(result.response_headers['x-clickhouse-format']).toBe('TabSeparated');
    expect(result.response_headers['x-clickhouse-query-id']).toBe('q-formats');
    expect(await result.text()).toBe('1\n');
  });

  it('runs commands and exec, including an insert sent whole and INSERT … SELECT', async () => {
    await client.command({ query: 'CREATE TABLE copies (id UInt32) ENGINE = MergeTree ORDER BY id' });
    await client.command({
      query: 'INSERT INTO copies FORMAT JSONEachRow\n{"id":100}\n{"id":101}\n',
      clickhouse_settings: { async_insert: 0, date_time_input_format: 'best_effort' },
    });
    await client.command({ query: 'INSERT INTO copies SELECT id FROM events WHERE id <= 2' });
    expect(await count(client, 'copies')).toBe(4);

    const exec = await client.exec({ query: 'SELECT id FROM copies ORDER BY id FORMAT CSV' });
    let text = '';
    for await (const chunk of exec.stream) text += String(chunk);
    expect(text).toBe('1\n2\n100\n101\n');

    // A binary format through exec's values: the rows must arrive byte for byte.
    const rowBinary = Buffer.alloc(8);
    rowBinary.writeUInt32LE(200, 0);
    rowBinary.writeUInt32LE(201, 4);
    const inserted = await client.exec({
      query: 'INSERT INTO copies FORMAT RowBinary',
      values: Readable.from([rowBinary]),
    });
    for await (const _ of inserted.stream) {
      // drained
    }
    expect(inserted.summary?.written_rows).toBe('2');
    expect(await count(client, 'copies')).toBe(6);
  });

  it('rejects bad SQL with the engine exception, its code and name', async () => {
    const failure = await client.query({ query: 'SELEC 1', format: 'JSONEachRow' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ClickHouseError);
    expect(failure).toMatchObject({ code: '62', type: 'SYNTAX_ERROR' });
    expect((failure as Error).message).toContain('Syntax error');
    await expect(client.command({ query: 'DROP TABLE no_such_table' })).rejects.toMatchObject({
      code: '60',
      type: 'UNKNOWN_TABLE',
    });
    await expect(
      client.insert({ table: 'events', values: [{ id: 'not a number' }], format: 'JSONEachRow' }),
    ).rejects.toThrow(/Cannot parse/);
  });

  it('keeps settings, SET and USE to the request that sent them', async () => {
    const maxBlockSize = async (settings?: Record<string, number>) =>
      (
        await (
          await client.query({
            query: "SELECT getSetting('max_block_size') AS v",
            format: 'JSONEachRow',
            clickhouse_settings: settings ?? {},
          })
        ).json<{ v: string | number }>()
      )[0]?.v;
    const usual = await maxBlockSize();
    expect(String(await maxBlockSize({ max_block_size: 1234 }))).toBe('1234');
    expect(await maxBlockSize()).toEqual(usual);
    await client.command({ query: 'SET max_block_size = 77' });
    expect(await maxBlockSize()).toEqual(usual);
    await client.command({ query: 'USE system' });
    const database = await (
      await client.query({ query: 'SELECT currentDatabase() AS d', format: 'JSONEachRow' })
    ).json();
    expect(database).toEqual([{ d: 'default' }]);
  });

  it('uses the database named in the URL', async () => {
    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS analytics' });
    const scoped = asRole(`${gateway.url}/analytics`, 'admin');
    try {
      await scoped.command({ query: 'CREATE TABLE t (x UInt8) ENGINE = Memory' });
      expect(await scoped.ping()).toEqual({ success: true });
      const rows = await (await scoped.query({ query: 'SELECT currentDatabase() AS d', format: 'JSONEachRow' })).json();
      expect(rows).toEqual([{ d: 'analytics' }]);
      expect(await count(client, 'analytics.t')).toBe(0);
    } finally {
      await scoped.close();
    }
  });

  it('accepts compressed requests and answers them uncompressed', async () => {
    const compressed = asRole(gateway.url, 'admin', { compression: { request: true, response: true } });
    try {
      await compressed.command({ query: 'CREATE TABLE zipped (id UInt32) ENGINE = MergeTree ORDER BY id' });
      await compressed.insert({
        table: 'zipped',
        values: Array.from({ length: 1000 }, (_, id) => ({ id })),
        format: 'JSONEachRow',
      });
      const result = await compressed.query({ query: 'SELECT sum(id) AS s FROM zipped', format: 'JSONEachRow' });
      expect(result.response_headers['content-encoding']).toBeUndefined();
      expect(await result.json()).toEqual([{ s: 499500 }]);
    } finally {
      await compressed.close();
    }
  });

  it('runs 20 queries at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const rows = await (
          await client.query({
            query: 'SELECT {i:UInt32} AS i, count() AS n FROM numbers(100000) WHERE number % 7 = {i:UInt32} % 7',
            format: 'JSONEachRow',
            query_params: { i },
          })
        ).json<{ i: number; n: number | string }>();
        const plain = await (
          await client.query({
            query: `SELECT ${i} AS i, sum(number) AS s FROM numbers(200000)`,
            format: 'JSONEachRow',
          })
        ).json<{ i: number }>();
        return [rows[0]?.i, plain[0]?.i];
      }),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => [i, i]));
  });

  it('speaks plain HTTP as ClickHouse does: GET is read-only, one statement per request, no sessions', async () => {
    const get = await fetch(`${gateway.url}/?query=${encodeURIComponent('SELECT 40 + 2')}`, { headers: ADMIN });
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('42\n');
    expect(get.headers.get('x-clickhouse-summary')).toContain('read_rows');

    const write = await fetch(
      `${gateway.url}/?query=${encodeURIComponent('CREATE TABLE nope (x UInt8) ENGINE = Memory')}`,
      { headers: ADMIN },
    );
    expect(write.status).toBe(403);
    expect(await write.text()).toMatch(/^Code: 164\. .*READONLY/s);

    const multi = await fetch(gateway.url, { method: 'POST', body: 'SELECT 1; SELECT 2', headers: ADMIN });
    expect(multi.status).toBe(400);
    expect(multi.headers.get('x-clickhouse-exception-code')).toBe('62');

    const session = await fetch(`${gateway.url}/?session_id=abc`, { method: 'POST', body: 'SELECT 1', headers: ADMIN });
    expect(session.status).toBe(501);
    expect(await session.text()).toMatch(/NOT_IMPLEMENTED/);

    expect(await (await fetch(`${gateway.url}/`, { headers: ADMIN })).text()).toBe('Ok.\n');
  });

  it('refuses unknown encodings and bodies that do not decompress', async () => {
    const unknown = await fetch(gateway.url, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { ...ADMIN, 'Content-Encoding': 'lzma' },
    });
    expect(unknown.status).toBe(415);
    const broken = await fetch(gateway.url, {
      method: 'POST',
      body: 'not gzip at all',
      headers: { ...ADMIN, 'Content-Encoding': 'gzip' },
    });
    expect(broken.status).toBe(400);
    expect(await broken.text()).toMatch(/CANNOT_DECOMPRESS/);
  });
});

describe('warehouse gateway body limit', () => {
  let dir: string;
  let gateway: WarehouseGateway;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cp-gateway-limit-'));
    gateway = await startWarehouseGateway({
      dataDir: dir,
      port: 0,
      maxBodyBytes: 4096,
      users: USERS,
      queryLimits: LIMITS,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A raw request, so that the status is seen however early the server answers. */
  function post(body: Buffer, headers: Record<string, string | number>): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${gateway.url}/?query=${encodeURIComponent('INSERT INTO t FORMAT CSV')}`, {
        method: 'POST',
        headers: { ...ADMIN, ...headers },
      });
      req.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('answers 413 for a body over the limit, declared or streamed, plain or decompressed', async () => {
    const big = Buffer.alloc(10_000, 'a');
    const declared = await post(big, { 'Content-Length': big.length });
    expect(declared.status).toBe(413);
    expect(declared.text).toMatch(/limit of 4096 bytes/);
    const chunked = await post(big, { 'Transfer-Encoding': 'chunked' });
    expect(chunked.status).toBe(413);
    const zipped = gzipSync(Buffer.alloc(100_000, 'a'));
    expect(zipped.length).toBeLessThan(4096);
    const bomb = await post(zipped, { 'Content-Encoding': 'gzip', 'Content-Length': zipped.length });
    expect(bomb.status).toBe(413);
  });

  it('still serves requests after refusing one', async () => {
    const response = await fetch(gateway.url, { method: 'POST', body: 'SELECT 7', headers: ADMIN });
    expect(await response.text()).toBe('7\n');
  });
});

describe('main.ts', () => {
  function run(
    args: string[],
    env: Record<string, string> = {},
  ): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
    // Standard input from /dev/null, as a service manager starts it.
    const child = spawn(process.execPath, [MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WAREHOUSE_GATEWAY_TOKEN_ADMIN: tokenOf('admin'), ...env },
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, output: () => output, exit };
  }

  async function listeningUrl(output: () => string, exit: Promise<number | null>): Promise<string> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const match = /listening on (http:\/\/\S+)/.exec(output());
      if (match?.[1]) return match[1];
      const exited = await Promise.race([exit, new Promise((r) => setTimeout(() => r('running'), 50))]);
      if (exited !== 'running') throw new Error(`main.ts exited early (${exited}): ${output()}`);
    }
    throw new Error(`main.ts did not start: ${output()}`);
  }

  it('says what to fix on bad arguments and exits 2', async () => {
    const missing = run([]);
    expect(await missing.exit).toBe(2);
    expect(missing.output()).toMatch(/--data-dir is required/);
    const badPort = run(['--data-dir', tmpdir(), '--port', 'http']);
    expect(await badPort.exit).toBe(2);
    expect(badPort.output()).toMatch(/--port must be an integer from 0 to 65535, got 'http'/);
    const unknown = run(['--data-dir', tmpdir(), '--verbose']);
    expect(await unknown.exit).toBe(2);
    expect(unknown.output()).toMatch(/Unknown option '--verbose'/);
    const noToken = run(['--data-dir', tmpdir()], { WAREHOUSE_GATEWAY_TOKEN_ADMIN: '' });
    expect(await noToken.exit).toBe(2);
    expect(noToken.output()).toMatch(/no token is set: set WAREHOUSE_GATEWAY_TOKEN_<ROLE>/);
    const shortToken = run(['--data-dir', tmpdir()], { WAREHOUSE_GATEWAY_TOKEN_INGEST: 'short' });
    expect(await shortToken.exit).toBe(2);
    expect(shortToken.output()).toMatch(/WAREHOUSE_GATEWAY_TOKEN_INGEST must hold a token of 24\+ characters/);
  });

  it('refuses to listen beyond loopback unless the host is named', async () => {
    const open = run([
      '--data-dir',
      mkdtempSync(join(tmpdir(), 'cp-gateway-open-')),
      '--host',
      '0.0.0.0',
      '--port',
      '0',
    ]);
    expect(await open.exit).toBe(1);
    expect(open.output()).toMatch(/--host 0\.0\.0\.0 is not a loopback address: listen there only with --allow-host/);
  });

  it('lets a running query finish on SIGTERM, then exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-gateway-main-'));
    try {
      const gatewayProcess = run(['--data-dir', dir, '--port', '0']);
      const url = await listeningUrl(gatewayProcess.output, gatewayProcess.exit);
      const client = asRole(url, 'admin');
      try {
        expect(await client.ping()).toEqual({ success: true });
        const slow = client.query({ query: 'SELECT sleepEachRow(0.5) AS s FROM numbers(3)', format: 'JSONEachRow' });
        await new Promise((r) => setTimeout(r, 300));
        gatewayProcess.child.kill('SIGTERM');
        expect(await (await slow).json()).toEqual([{ s: 0 }, { s: 0 }, { s: 0 }]);
      } finally {
        await client.close();
      }
      expect(await gatewayProcess.exit).toBe(0);
      expect(gatewayProcess.output()).toMatch(/stopped/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('warehouse gateway access', () => {
  let dir: string;
  let gateway: WarehouseGateway;
  let admin: ClickHouseClient;
  let dataTeam: ClickHouseClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cp-gateway-access-'));
    gateway = await startWarehouseGateway({ dataDir: dir, port: 0, users: USERS, queryLimits: LIMITS });
    admin = asRole(gateway.url, 'admin');
    dataTeam = asRole(gateway.url, 'data_team');
    // The tables the escapes name, as the migrations create them.
    const { migrate, createWarehouse } = await import('@commune-pulse/warehouse');
    const warehouse = createWarehouse({
      clickhouseUrl: `http://admin:${tokenOf('admin')}@${gateway.url.slice(7)}`,
      dataDir: dir,
    });
    await migrate(warehouse);
    await warehouse.close();
  });

  afterAll(async () => {
    await admin?.close();
    await dataTeam?.close();
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(gateway.url, { method: 'POST', body, headers: { authorization: basic('admin'), ...headers } });

  it('answers 401 without a token, with a wrong one, or for a user that does not exist', async () => {
    const none = await fetch(gateway.url, { method: 'POST', body: 'SELECT 1' });
    expect(none.status).toBe(401);
    expect(await none.text()).toMatch(/a user and token are required.*AUTHENTICATION_FAILED/s);
    expect((await post('SELECT 1', { authorization: basic('admin', 'x'.repeat(32)) })).status).toBe(401);
    expect((await post('SELECT 1', { authorization: basic('nobody', tokenOf('admin')) })).status).toBe(401);
    expect((await fetch(`${gateway.url}/ping`)).status).toBe(401);
    const headers = await fetch(gateway.url, {
      method: 'POST',
      body: 'SELECT 1',
      headers: { 'x-clickhouse-user': 'admin', 'x-clickhouse-key': tokenOf('admin') },
    });
    expect(await headers.text()).toBe('1\n');
  });

  it('refuses requests from web pages and for other host names', async () => {
    const fromPage = await post("INSERT INTO commune_weekly_rows (event_id) VALUES ('forged')", {
      origin: 'http://evil.example',
    });
    expect(fromPage.status).toBe(403);
    expect(await fromPage.text()).toMatch(/requests from web pages \(Origin http:\/\/evil\.example\) are refused/);
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(gateway.url, {
        method: 'POST',
        headers: { host: 'attacker.example:8123', authorization: basic('admin') },
      });
      req.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('SELECT 1');
    });
    expect(rebound).toBe(403);
    expect(await count(admin, 'commune_weekly_rows')).toBe(0);
  });

  it('lets the writing roles write, and no other', async () => {
    const ingest = asRole(gateway.url, 'ingest');
    const api = asRole(gateway.url, 'api');
    try {
      await ingest.command({ query: 'CREATE TABLE IF NOT EXISTS scratch (x UInt8) ENGINE = MergeTree ORDER BY x' });
      await ingest.insert({ table: 'scratch', values: [{ x: 1 }], format: 'JSONEachRow' });
      await expect(dataTeam.command({ query: 'INSERT INTO scratch VALUES (2)' })).rejects.toThrow(
        /INSERT is not allowed/,
      );
      await expect(dataTeam.command({ query: 'DROP TABLE scratch' })).rejects.toThrow(/DROP is not allowed/);
      await expect(api.command({ query: 'TRUNCATE TABLE scratch' })).rejects.toThrow(/TRUNCATE is not allowed/);
      await expect(api.insert({ table: 'scratch', values: [{ x: 3 }], format: 'JSONEachRow' })).rejects.toThrow(
        /may insert into api_access_log only/,
      );
      await expect(
        ingest.command({ query: "INSERT INTO scratch SELECT 1 FROM file('/etc/passwd', 'LineAsString')" }),
      ).rejects.toThrow(/table function file\(\) reaches outside/);
      expect(await count(admin, 'scratch')).toBe(1);
    } finally {
      await ingest.close();
      await api.close();
    }
  });

  it.each(SQL_ESCAPES.map((attempt) => [attempt.name, attempt] as const))(
    'refuses the data team %s',
    async (_name, attempt) => {
      // exec sends the statement as written (query would append a FORMAT clause).
      await expect(dataTeam.exec({ query: attempt.sql })).rejects.toThrow(attempt.refusal);
    },
  );

  it.each(ALLOWED_READS.map((sql) => [sql]))('lets the data team run %s', async (sql) => {
    const rows = await (await dataTeam.query({ query: sql, format: 'JSONEachRow' })).json();
    expect(Array.isArray(rows)).toBe(true);
  });

  it('stops the data team at its limits, whatever the request sets', async () => {
    await expect(
      dataTeam.query({
        query: 'SELECT count() FROM numbers(1e12)',
        format: 'JSONEachRow',
        clickhouse_settings: { max_execution_time: 0 },
      }),
    ).rejects.toThrow(/longer than its limit of 2 s/);
    await expect(dataTeam.query({ query: 'SELECT number FROM numbers(5000)', format: 'JSONEachRow' })).rejects.toThrow(
      /more than 1,000 rows/,
    );
    await expect(
      dataTeam.query({
        query: 'SELECT 1',
        format: 'JSONEachRow',
        clickhouse_settings: { format_template_resultset: '/etc/passwd' },
      }),
    ).rejects.toThrow(/format_template_resultset reads files/);
  });
});

describe('the SQL guard of pnpm cli query and the API, over the gateway as the data team', () => {
  it('refuses the escapes and runs reads, parsing through the gateway', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-gateway-reader-'));
    const gateway = await startWarehouseGateway({ dataDir: dir, port: 0, users: USERS, queryLimits: LIMITS });
    const { createWarehouse, migrate, openGuardedReader } = await import('@commune-pulse/warehouse');
    const host = gateway.url.slice('http://'.length);
    const admin = createWarehouse({ clickhouseUrl: `http://admin:${tokenOf('admin')}@${host}`, dataDir: dir });
    const dataTeam = createWarehouse({
      clickhouseUrl: `http://data_team:${tokenOf('data_team')}@${host}`,
      dataDir: dir,
    });
    const reader = openGuardedReader(dataTeam, LIMITS);
    try {
      await migrate(admin);
      for (const attempt of SQL_ESCAPES) await expect(reader.query(attempt.sql, 'JSONEachRow')).rejects.toThrow();
      const { text } = await reader.query('SELECT count() AS n FROM dossier_events', 'JSONEachRow');
      expect(JSON.parse(text)).toEqual({ n: 0 });
      await expect(reader.query('SELECT count() FROM numbers(1e12)', 'JSONEachRow')).rejects.toThrow(/limit of 2 s/);
    } finally {
      await reader.close();
      await dataTeam.close();
      await admin.close();
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
