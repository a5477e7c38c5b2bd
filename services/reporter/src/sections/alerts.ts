import type { ReportData } from '../data.ts';
import type { ReportContext, ReportPart } from './context.ts';
import { communeCells, HTML_LIMIT, makeTable } from './table.ts';

/** The alerts active in the week: how many by rule, and each one. */
export function alertsSection(data: ReportData, context: ReportContext): ReportPart {
  const { t, fmt } = context;
  const rows = data.alerts;
  const byRule = new Map<string, number>();
  for (const row of rows) byRule.set(row.rule, (byRule.get(row.rule) ?? 0) + 1);
  const alertsByRule = makeTable(context, {
    id: 'alerts-by-rule',
    title: 'alertsByRule',
    columns: [
      ['rule', 'rule', 'text'],
      ['alerts', 'alertCount', 'integer'],
    ],
    items: [...byRule].sort(([a], [b]) => a.localeCompare(b)),
    row: ([rule, alerts]) => ({ rule, alerts }),
    total: { rule: t('total'), alerts: rows.length },
  });
  const alertList = makeTable(context, {
    id: 'alerts',
    title: 'alertsList',
    columns: [
      ['rule', 'rule', 'text'],
      ['commune_code', 'communeCode', 'text'],
      ['commune', 'commune', 'text'],
      ['province', 'province', 'text'],
      ['state', 'state', 'text'],
      ['fired_at', 'firedAt', 'text'],
      ['resolved_at', 'resolvedAt', 'text'],
      ['value', 'value', 'index'],
      ['threshold', 'threshold', 'index'],
    ],
    items: rows,
    row: (row) => ({
      rule: row.rule,
      ...communeCells(row),
      state: fmt.alertState(row.state),
      fired_at: fmt.dateTime(row.fired_ms),
      resolved_at: row.resolved_ms === null ? null : fmt.dateTime(row.resolved_ms),
      value: row.value,
      threshold: row.threshold,
    }),
  });
  return {
    sections: [
      {
        id: 'alerts',
        title: t('alerts'),
        blocks:
          rows.length === 0
            ? [{ kind: 'text', text: t('none') }]
            : [
                { kind: 'table', table: alertsByRule },
                { kind: 'table', table: alertList, limit: HTML_LIMIT },
              ],
      },
    ],
    tables: [alertsByRule, alertList],
  };
}
