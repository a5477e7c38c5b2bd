import { userInfo } from 'node:os';
import {
  type AlertListing,
  type AlertState,
  acknowledge,
  addSilence,
  describeCondition,
  findAlertIds,
  listAlerts,
  loadAlerterConfig,
  loadRules,
  openAlerter,
  startAlerterService,
} from '@commune-pulse/alerter';
import { addDays, communeByCode, provinceByCode, vnDayStartMs } from '@commune-pulse/reference-data';
import { createLogger } from '@commune-pulse/runtime';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { configFrom, environmentFrom, parseCommand, UsageError } from '../args.ts';
import { formatTable } from '../output.ts';

export const ALERTS_USAGE = `usage:
  pnpm cli alerts list [--state firing|resolved|pending|cancelled|all] [--province <code>] [--commune <code>]
                       [--rule <rule>] [--json]        (default: every state but cancelled)
  pnpm cli alerts silence --commune <code> [--rule <rule>] --until <YYYY-MM-DD | ISO time> --reason <text>
  pnpm cli alerts ack <alert id> [--note <text>]
  pnpm cli alerts evaluate [--json]   evaluate the estimation runs not evaluated yet and send what is due, here
  pnpm cli alerts run                 the alerter loop in this process (what the embedded warehouse needs)
  pnpm cli alerts rules [--json]      the rules in force
  A silence holds back webhooks and e-mails of a commune (one rule, or all) through the --until day (Vietnam
  time); its alerts still change state, are recorded, and are published on commune-alerts.v1.
  settings: ALERT_RULES_FILE, ALERT_ROUTING_FILE, SMTP_URL, ALERT_EMAIL_FROM, ALERT_DIGEST_HOUR (7),
  ALERT_NOTIFY_MAX_AGE_HOURS (72), ALERTER_POLL_SECONDS (30), ALERT_RETRY_BASE_MS, ALERT_RETRY_MAX_MS,
  BULLMQ_PREFIX`;

const STATES = ['pending', 'firing', 'resolved', 'cancelled'] as const;

async function withWarehouse<T>(
  values: { 'data-dir'?: string | boolean | undefined },
  run: (warehouse: Warehouse) => Promise<T>,
): Promise<T> {
  const config = configFrom(values);
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  try {
    return await run(warehouse);
  } finally {
    await warehouse.close();
  }
}

function communeText(code: string): string {
  return `${code} ${communeByCode(code)?.name ?? ''}`.trim();
}

function localTime(text: string | null): string {
  if (text === null) return '';
  const ms = Date.parse(`${text.replace(' ', 'T')}Z`);
  return Number.isFinite(ms) ? new Date(ms + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : text;
}

/** --until: a day means through that day, Vietnam time; an ISO time is taken as it is. */
export function untilFrom(text: string, nowMs: number): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? vnDayStartMs(addDays(text, 1)) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new UsageError(`--until takes a date or an ISO time, got ${text}`, ALERTS_USAGE);
  if (ms <= nowMs) throw new UsageError(`--until ${text} is already past`, ALERTS_USAGE);
  return ms;
}

const OPTIONS = {
  state: { type: 'string' },
  province: { type: 'string' },
  commune: { type: 'string' },
  rule: { type: 'string' },
  until: { type: 'string' },
  reason: { type: 'string' },
  note: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type AlertsValues = ReturnType<typeof parseCommand<typeof OPTIONS>>['values'];

export async function alertsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(argv, OPTIONS, ALERTS_USAGE, true);
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined) {
    if (sub === undefined && !values.help) throw new UsageError('give a subcommand', ALERTS_USAGE);
    console.log(ALERTS_USAGE);
    return;
  }
  const commands: Record<string, [arguments: number, run: () => Promise<void>]> = {
    list: [0, () => listCommand(values)],
    silence: [0, () => silenceCommand(values)],
    ack: [1, () => ackCommand(values, rest)],
    evaluate: [0, () => evaluateCommand(values)],
    run: [0, () => runCommand(values)],
    rules: [0, () => rulesCommand(values)],
  };
  const command = Object.hasOwn(commands, sub) ? commands[sub] : undefined;
  if (command === undefined) throw new UsageError(`unknown alerts subcommand: ${sub}`, ALERTS_USAGE);
  if (rest.length !== command[0]) {
    throw new UsageError(`alerts ${sub}: unexpected ${rest.join(' ') || 'arguments'}`, ALERTS_USAGE);
  }
  await command[1]();
}

/** alerts list: the alerts of some states (all but cancelled by default), newest first. */
async function listCommand(values: AlertsValues): Promise<void> {
  const state = values.state ?? 'open-and-closed';
  if (state !== 'all' && state !== 'open-and-closed' && !(STATES as readonly string[]).includes(state)) {
    throw new UsageError(`--state takes ${STATES.join(', ')} or all, got ${state}`, ALERTS_USAGE);
  }
  if (values.province !== undefined && !provinceByCode(values.province)) {
    throw new UsageError(`${values.province} is not a province code`, ALERTS_USAGE);
  }
  const states: AlertState[] | undefined =
    state === 'all'
      ? undefined
      : state === 'open-and-closed'
        ? ['pending', 'firing', 'resolved']
        : [state as AlertState];
  const alerts = await withWarehouse(values, (warehouse) =>
    listAlerts(warehouse, { states, province: values.province, commune: values.commune, rule: values.rule }),
  );
  printAlerts(alerts, values.json === true);
}

/** alerts silence: holds back the deliveries of a commune (one rule or all) until a day or an instant. */
async function silenceCommand(values: AlertsValues): Promise<void> {
  const commune = values.commune;
  if (commune === undefined || !communeByCode(commune)) {
    throw new UsageError('give the commune: --commune <5-digit code of the registry>', ALERTS_USAGE);
  }
  const env = environmentFrom(values);
  const rules = loadRules(env.ALERT_RULES_FILE);
  if (values.rule !== undefined && !rules.some((rule) => rule.id === values.rule)) {
    throw new UsageError(`no rule ${values.rule}; the rules are ${rules.map((r) => r.id).join(', ')}`, ALERTS_USAGE);
  }
  if (values.until === undefined) throw new UsageError('give the end: --until <YYYY-MM-DD>', ALERTS_USAGE);
  if (values.reason === undefined || values.reason.trim() === '') {
    throw new UsageError('give the reason: --reason <text>', ALERTS_USAGE);
  }
  const now = Date.now();
  const until = untilFrom(values.until, now);
  const silence = await withWarehouse(values, (warehouse) =>
    addSilence(
      warehouse,
      {
        commune_code: commune,
        rule: values.rule ?? '',
        until_ms: until,
        reason: values.reason ?? '',
        created_by: userInfo().username,
      },
      now,
    ),
  );
  const result = { ...silence, until: new Date(silence.until_ms).toISOString() };
  console.log(
    values.json
      ? JSON.stringify(result)
      : `silenced ${communeText(commune)} (${values.rule ?? 'every rule'}) until ${localTime(result.until.replace('T', ' ').replace('Z', ''))} Vietnam time: ${values.reason}`,
  );
}

/** alerts ack: acknowledges the one alert an id prefix names. */
async function ackCommand(values: AlertsValues, rest: readonly string[]): Promise<void> {
  const prefix = (rest[0] ?? '').toLowerCase();
  if (!/^[0-9a-f]{6,16}$/.test(prefix)) {
    throw new UsageError(`alerts ack takes an alert id (6 to 16 hex characters), got ${rest[0]}`, ALERTS_USAGE);
  }
  const acked = await withWarehouse(values, async (warehouse) => {
    const ids = await findAlertIds(warehouse, prefix);
    if (ids.length === 0) throw new UsageError(`no alert ${prefix} (pnpm cli alerts list shows them)`, ALERTS_USAGE);
    if (ids.length > 1) throw new UsageError(`${prefix} names several alerts: ${ids.join(', ')}`, ALERTS_USAGE);
    const id = ids[0] as string;
    await acknowledge(warehouse, id, userInfo().username, values.note ?? '', Date.now());
    return (await listAlerts(warehouse, {})).find((alert) => alert.alert_id === id);
  });
  if (values.json) console.log(JSON.stringify(acked));
  else
    console.log(
      `acknowledged ${acked?.alert_id}: ${acked?.rule} on ${communeText(acked?.commune_code ?? '')} (${acked?.state})`,
    );
}

/** alerts evaluate: evaluates the estimation runs not evaluated yet and sends what is due, here. */
async function evaluateCommand(values: AlertsValues): Promise<void> {
  const config = loadAlerterConfig(environmentFrom(values));
  const logger = createLogger('alerts', config.logLevel === 'info' ? 'warn' : config.logLevel);
  const alerter = await openAlerter(config, logger, { useQueue: false });
  try {
    const { evaluations, dispatch } = await alerter.tick();
    const count = (outcome: string) => evaluations.filter((e) => e.outcome === outcome).length;
    const changes = evaluations.flatMap((e) =>
      e.transitions.map((t) => ({
        rule: t.rule,
        commune: communeText(t.commune_code),
        change: `${t.from_state} → ${t.to_state}`,
        period: `${t.period_kind} ${t.period_start}`,
        value: t.value,
        alert_id: t.alert_id,
      })),
    );
    if (values.json) {
      console.log(
        JSON.stringify({
          runs: evaluations.length,
          evaluated: count('evaluated'),
          stale: count('stale'),
          superseded: count('superseded'),
          changes,
          dispatch,
        }),
      );
      return;
    }
    console.log(
      `runs: ${evaluations.length} (evaluated ${count('evaluated')}, past periods ${count('stale')}, superseded ${count('superseded')}); alert changes: ${changes.length}`,
    );
    if (changes.length > 0) console.log(formatTable(changes));
    console.log(
      `deliveries: sent ${dispatch.sent}, failed ${dispatch.failed} (retried later), silenced ${dispatch.silenced}, waiting ${dispatch.waiting}`,
    );
  } finally {
    await alerter.close();
  }
}

/** alerts run: the alerter loop in this process. */
async function runCommand(values: AlertsValues): Promise<void> {
  const config = loadAlerterConfig(environmentFrom(values));
  const service = await startAlerterService(config, createLogger('alerter', config.logLevel), {
    handleSignals: true,
  });
  await service.finished;
}

/** alerts rules: the rules in force. */
async function rulesCommand(values: AlertsValues): Promise<void> {
  const rules = loadRules(environmentFrom(values).ALERT_RULES_FILE);
  if (values.json) {
    console.log(JSON.stringify({ rules }));
    return;
  }
  console.log(
    formatTable(
      rules.map((rule) => ({
        rule: rule.id,
        on: rule.enabled ? 'yes' : 'no',
        level: rule.level,
        rows: rule.period_kind,
        fires: describeCondition(rule.metric, rule.fire, rule.period_kind),
        resolves: describeCondition(rule.metric, rule.resolve, rule.period_kind),
        email: rule.email,
      })),
    ),
  );
}

function printAlerts(alerts: readonly AlertListing[], json: boolean) {
  if (json) {
    console.log(JSON.stringify(alerts));
    return;
  }
  if (alerts.length === 0) {
    console.log('no alerts');
    return;
  }
  console.log(
    formatTable(
      alerts.map((alert) => ({
        alert_id: alert.alert_id,
        state: alert.state,
        rule: alert.rule,
        level: alert.level,
        commune: communeText(alert.commune_code),
        province: alert.province_code,
        since: localTime(alert.fired_at ?? alert.pending_at),
        resolved: localTime(alert.resolved_at),
        value: alert.value,
        threshold: alert.threshold,
        acked_by: alert.acked_by ?? '',
      })),
    ),
  );
  console.log('(times in Vietnam time: the end of the indicator window that changed the alert)');
}
