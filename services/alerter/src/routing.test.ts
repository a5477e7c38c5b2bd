import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRouting, resolveRouting, routeTargets } from './routing.ts';
import { DEFAULT_RULES, loadRules } from './rules.ts';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'infra', 'alerting');
const SECRET = 'a-secret-of-some-length';

describe('routing', () => {
  const routing = resolveRouting(
    {
      webhooks: [
        { id: 'ha-noi', url: 'https://example.vn/hook', secret_env: 'HOOK_SECRET', provinces: ['01'] },
        { id: 'critical', url: 'http://127.0.0.1:9/hook', secret: SECRET, levels: ['critical'] },
      ],
      emails: [
        { address: 'So-Noi-Vu@HaNoi.gov.vn', provinces: ['01'], rules: ['overloaded'] },
        { address: 'all@moha.gov.vn' },
      ],
    },
    DEFAULT_RULES,
    { HOOK_SECRET: SECRET },
  );

  it('sends each change to the webhooks and addresses whose provinces, levels and rules match', () => {
    const targets = (province: string, rule: string, level: 'critical' | 'high' | 'warning') =>
      routeTargets({ province_code: province, rule, level }, routing, 'commune-alerts.v1').map((t) => t.recipient);
    expect(targets('01', 'overloaded', 'high')).toEqual([
      'webhook:ha-noi',
      'email:so-noi-vu@hanoi.gov.vn',
      'email:all@moha.gov.vn',
      'kafka:commune-alerts.v1',
    ]);
    expect(targets('04', 'critical_overload', 'critical')).toEqual([
      'webhook:critical',
      'email:all@moha.gov.vn',
      'kafka:commune-alerts.v1',
    ]);
    expect(targets('01', 'deadline_slippage', 'warning')).toEqual([
      'webhook:ha-noi',
      'email:all@moha.gov.vn',
      'kafka:commune-alerts.v1',
    ]);
    expect(routing.webhooks[0]?.secret).toBe(SECRET);
  });

  it('says what is wrong: a missing secret, an unknown province or rule', () => {
    const bad =
      (raw: unknown, env: Record<string, string> = {}) =>
      () =>
        resolveRouting(raw, DEFAULT_RULES, env);
    expect(bad({ webhooks: [{ id: 'x', url: 'https://e.vn', secret_env: 'NOT_SET' }] })).toThrow(
      /NOT_SET must hold a secret/,
    );
    expect(bad({ webhooks: [{ id: 'x', url: 'https://e.vn' }] })).toThrow(/exactly one of secret_env/);
    expect(bad({ emails: [{ address: 'a@b.vn', provinces: ['99'] }] })).toThrow(/99 is not a province code/);
    expect(bad({ emails: [{ address: 'a@b.vn', rules: ['overload'] }] })).toThrow(/no rule overload/);
    expect(bad({ emails: [{ address: 'not an address' }] })).toThrow(/emails/);
  });

  it('the committed examples are valid', () => {
    const rules = loadRules(join(EXAMPLES, 'rules.example.json'));
    expect(rules.map((rule) => `${rule.id}:${rule.enabled}`)).toContain('overloaded_weekly:true');
    const example = loadRouting(join(EXAMPLES, 'routing.example.json'), DEFAULT_RULES, {
      ALERT_WEBHOOK_SECRET_HA_NOI: SECRET,
      ALERT_WEBHOOK_SECRET_BO_NOI_VU: SECRET,
    });
    expect(example.webhooks.map((webhook) => webhook.id)).toEqual(['so-noi-vu-ha-noi', 'bo-noi-vu-truc-ban']);
    expect(example.emails).toHaveLength(3);
  });
});
