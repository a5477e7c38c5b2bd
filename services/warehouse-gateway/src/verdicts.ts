import { type CheckedStatement, createSqlGuard } from '@commune-pulse/warehouse/sql-guard';
import type { GatewayRole } from './access.ts';
import type { WarehouseEngine } from './engine.ts';
import { policyOf } from './role-policy.ts';

/** Checks a statement against a role's policy; the verdict on a statement without parameters is kept. */
export type StatementCheck = (
  role: GatewayRole,
  sql: string,
  params: Record<string, string>,
) => Promise<CheckedStatement>;

const KEPT_VERDICTS = 1_000;

/**
 * The statement check of a gateway, parsed by its own engine. The engine parses each statement before it runs; a
 * statement without parameters gets the same verdict each time, and the services send the same few (an insert's
 * prefix) over and over: the last verdicts are kept (a refusal is not).
 */
export function statementCheck(engine: WarehouseEngine): StatementCheck {
  const guard = createSqlGuard(async (sql, params) => {
    const result = await engine.execute({
      sql,
      params: (params ?? {}) as Record<string, string>,
      settings: [],
      format: 'TabSeparatedRaw',
    });
    return result.body.toString('utf8');
  });
  const verdicts = new Map<string, Promise<CheckedStatement>>();
  return (role, sql, params) => {
    const policy = policyOf(role);
    if (Object.keys(params).length > 0) return guard.check(sql, policy, params);
    const key = `${role}\u0000${sql}`;
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = guard.check(sql, policy);
      verdicts.set(key, verdict);
      verdict.catch(() => verdicts.delete(key));
      if (verdicts.size > KEPT_VERDICTS) verdicts.delete(verdicts.keys().next().value as string);
    }
    return verdict;
  };
}
