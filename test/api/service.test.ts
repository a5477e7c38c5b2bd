import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, startService, stopStartedProcesses, waitFor } from '../support/processes.ts';

describe('pnpm cli tokens and the API service process', () => {
  let root: string;
  let env: Record<string, string>;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cp-api-service-'));
    env = { COMMUNE_PULSE_DATA_DIR: join(root, 'warehouse') };
  });
  afterAll(async () => {
    await stopStartedProcesses();
    rmSync(root, { recursive: true, force: true });
  });

  it('creates, lists and revokes tokens; the service asks for one and stops cleanly', async () => {
    const bad = await runCli(['tokens', 'create', '--name', 'x', '--role', 'province:99'], env);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/--role: 99 is not a province code/);

    const created = await runCli(
      ['tokens', 'create', '--name', 'Sở Nội vụ Hà Nội', '--role', 'province:01', '--json'],
      env,
    );
    expect(created.code, created.output).toBe(0);
    const { token, tokenId } = JSON.parse(created.output.trim().split('\n').at(-1) as string) as {
      token: string;
      tokenId: string;
    };
    expect(token).toMatch(/^cpt_[0-9a-f]{12}_[0-9a-f]{48}$/);
    const listed = await runCli(['tokens', 'list', '--json'], env);
    const tokens = JSON.parse(listed.output.trim().split('\n').at(-1) as string) as { tokenId: string; role: string }[];
    expect(tokens).toEqual([expect.objectContaining({ tokenId, role: 'province:01', revokedAt: null })]);
    expect(listed.output).not.toContain(token);

    const api = startService(join(REPO_ROOT, 'services', 'api', 'src', 'main.ts'), {
      ...env,
      API_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    await waitFor(() => /api listening on (http:\S+)/.test(api.output()), 60_000, 'the API');
    const url = /api listening on (http:\S+)/.exec(api.output())?.[1] as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect((await fetch(`${url}/api/v1/weeks`)).status).toBe(401);
    const weeks = await fetch(`${url}/api/v1/weeks`, { headers: { authorization: `Bearer ${token}` } });
    expect(weeks.status).toBe(200);
    expect(await weeks.json()).toEqual({ items: [] });
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);

    const revoked = await runCli(['tokens', 'revoke', tokenId], env);
    expect(revoked.code).toBe(0);
    const after = await runCli(['tokens', 'list', '--json'], env);
    expect(after.output).toMatch(/"revokedAt":"\d{4}-/);
    // six processes one after another, each loading the engine: slow on a busy machine
  }, 600_000);

  it('refuses to listen beyond loopback unless told the host names', async () => {
    const api = startService(join(REPO_ROOT, 'services', 'api', 'src', 'main.ts'), { ...env, API_HOST: '0.0.0.0' });
    expect(await api.exited).toBe(2);
    expect(api.output()).toMatch(/API_HOST=0\.0\.0\.0 listens beyond this machine: also set API_ALLOWED_HOSTS/);
  });
});
