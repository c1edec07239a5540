import {
  type AlertRule,
  type AlertStatus,
  ErrorCodes,
  isVelosError,
  maskAlertRule,
  maskAlerts,
  type ProcessInfo,
  RUNTIME_ALERT_SOURCE,
  suggestKey,
  VelosError,
} from '@velos/core';
import { toAiAlerts } from '@velos/core/ai';
import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';
import { renderAlertTable } from '../output/alert-list.js';
import { escapeControlChars } from '../output/log-line.js';
import { argumentError } from '../parse-argv.js';

/** Flags of `velos alerts add` and the rule key each one sets. */
const RULE_FLAGS: Record<string, string> = {
  when: 'when',
  app: 'app',
  severity: 'severity',
  for: 'for',
  repeat: 'repeat',
  'resolve-after': 'resolve_after',
  'group-interval': 'group_interval',
  webhook: 'webhook',
  command: 'command',
};
const ESCALATE_FLAGS: Record<string, string> = {
  'escalate-after': 'after',
  'escalate-repeats': 'after_repeats',
  'escalate-severity': 'severity',
  'escalate-webhook': 'webhook',
  'escalate-command': 'command',
};

/** `velos alerts [list|add|remove|test] …`: lists the rules with their state, or changes them. */
export async function runAlerts(ctx: CommandContext, input: CommandInput): Promise<void> {
  const [action = 'list', name] = input.args;
  const isShown = input.options['show-secrets'] === true;
  if (action === 'list' || action === 'ls') return list(ctx, isShown);
  if (action === 'add') return add(ctx, input, name, isShown);
  if ((action === 'remove' || action === 'rm' || action === 'test') && name === undefined) {
    throw argumentError(`velos alerts ${action}: expected the name of a rule`);
  }
  if (action === 'remove' || action === 'rm') {
    const removed = await (await ctx.client()).removeAlert(name!);
    if (ctx.mode !== 'text') ctx.printJson(isShown ? removed : maskAlertRule(removed));
    else if (removed.source === RUNTIME_ALERT_SOURCE) ctx.print(`removed alert rule ${removed.name}`);
    else {
      // a file's rule: the daemon takes the file's rules again each time it reads the file
      ctx.print(
        `removed alert rule ${removed.name}; it is still in ${removed.source} and comes back when that file is read again (velos start, velos config reload, a daemon start for config.toml): remove it there too`,
      );
    }
    return;
  }
  if (action === 'test') {
    const deliveries = await (await ctx.client()).testAlert(name!);
    if (ctx.mode !== 'text') ctx.printJson(deliveries);
    else if (deliveries.length === 0)
      ctx.print(`rule ${name} has no channel besides the event log: nothing sent`);
    else {
      for (const d of deliveries) {
        const outcome = `${d.isOk ? 'sent' : 'FAILED'} ${d.channel} (${d.attempts} attempt(s))${d.error ? `: ${d.error}` : ''}`;
        ctx.print(escapeControlChars(outcome));
      }
    }
    const failed = deliveries.filter((d) => !d.isOk).length;
    if (failed > 0) {
      throw new VelosError(
        ErrorCodes.IO_ERROR,
        `alerts test ${name}: ${failed} of ${deliveries.length} deliveries failed`,
      );
    }
    return;
  }
  throw argumentError(
    `velos alerts: unknown action ${JSON.stringify(action)} (expected list, add, remove or test)`,
  );
}

async function list(ctx: CommandContext, isShown: boolean): Promise<void> {
  const alerts = await (await ctx.client()).alerts();
  if (ctx.mode === 'json') ctx.printJson(shown(alerts, isShown));
  else if (ctx.mode === 'ai') ctx.printJson(toAiAlerts(alerts));
  else ctx.print(renderAlertTable(alerts, ctx.colors));
}

/** `add <name> --when …` (one rule from flags) or `add --file rules.toml` (each `[[alerts]]` of a file). */
async function add(
  ctx: CommandContext,
  input: CommandInput,
  name: string | undefined,
  isShown: boolean,
): Promise<void> {
  const config = await import('@velos/core/config');
  const file = input.options.file;
  let rules: AlertRule[];
  if (typeof file === 'string') {
    if (name !== undefined)
      throw argumentError('velos alerts add: give a name with flags, or --file, not both');
    rules = (await config.loadConfigAlerts(file)) ?? [];
    if (rules.length === 0)
      throw new VelosError(ErrorCodes.INVALID_CONFIG, `${file}: expected [[alerts]] rules`);
  } else {
    if (name === undefined)
      throw argumentError('velos alerts add: expected a rule name (velos alerts add <name> --when "…")');
    rules = [ruleFromFlags(config.parseAlertRules, input, name)];
  }
  const client = await ctx.client();
  // The daemon adds one rule per request: a clash found at the second rule of a file would leave the
  // first added (and maybe firing already). A refused command changes nothing, so clashes are looked
  // for first, and what was added is taken back if a later rule is still refused.
  const owners = new Map((await client.alerts()).map((alert) => [alert.rule.name, alert.rule.source]));
  for (const rule of rules) {
    const owner = owners.get(rule.name);
    if (owner !== undefined) {
      throw new VelosError(
        ErrorCodes.NAME_IN_USE,
        `an alert rule called '${rule.name}' exists already (from ${owner}); remove it first`,
        { data: { name: rule.name, source: owner } },
      );
    }
  }
  const added: AlertStatus[] = [];
  try {
    for (const rule of rules) added.push(await client.addAlert({ ...rule, source: RUNTIME_ALERT_SOURCE }));
  } catch (error) {
    for (const status of added) await client.removeAlert(status.rule.name).catch(() => undefined);
    throw error;
  }
  for (const line of unmatchedApps(rules, await client.list())) process.stderr.write(`${line}\n`);
  if (ctx.mode === 'json') ctx.printJson(shown(added, isShown));
  else if (ctx.mode === 'ai') ctx.printJson(toAiAlerts(added));
  else ctx.print(renderAlertTable(added, ctx.colors));
}

/**
 * A warning per rule whose `app` names no process listed now (with the name it was likely meant to be):
 * such a rule is added, for an app started later, but a misspelt one would never fire, and say nothing.
 */
function unmatchedApps(rules: AlertRule[], processes: readonly ProcessInfo[]): string[] {
  const names = [...new Set(processes.flatMap((p) => [p.name, p.namespace]))];
  return rules.flatMap((rule) => {
    const app = rule.app;
    if (
      app === undefined ||
      processes.some((p) => p.name === app || p.namespace === app || String(p.id) === app)
    )
      return [];
    const meant = suggestKey(app, names);
    return [
      `velos: warning: alert rule '${rule.name}': no process matches '${app}' now${meant === null ? '' : ` (did you mean '${meant}'?)`}; the rule watches it once it runs`,
    ];
  });
}

/** The rows as `--json` prints them: webhook secrets masked unless `--show-secrets`. */
function shown(alerts: AlertStatus[], isShown: boolean): AlertStatus[] {
  return isShown ? alerts : maskAlerts(alerts);
}

type ParseRules = (raw: unknown, label: string, source: string, key?: string) => AlertRule[];

function ruleFromFlags(parse: ParseRules, input: CommandInput, name: string): AlertRule {
  const raw: Record<string, unknown> = { name };
  const escalate: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(RULE_FLAGS)) {
    const value = input.options[flag];
    if (typeof value === 'string') raw[key] = flagValue(key, value);
  }
  for (const [flag, key] of Object.entries(ESCALATE_FLAGS)) {
    const value = input.options[flag];
    if (typeof value === 'string') escalate[key] = flagValue(key, value);
  }
  if (Object.keys(escalate).length > 0) raw.escalate = escalate;
  if (raw.when === undefined)
    throw argumentError('velos alerts add: --when is required (e.g. --when "restarts >= 5 within 1m")');
  try {
    return parse([raw], 'alerts add', RUNTIME_ALERT_SOURCE, 'rule')[0]!;
  } catch (error) {
    if (!isVelosError(error)) throw error;
    throw argumentError(
      error.message.replace(/rule\[0\]\.(\S+):/, (_all, path: string) => `${flagOf(path)}:`),
    );
  }
}

function flagValue(key: string, value: string): unknown {
  if (key === 'after_repeats' && /^\d+$/.test(value)) return Number(value);
  return value;
}

/** `escalate.after_repeats` → `--escalate-repeats`, `resolve_after` → `--resolve-after`. */
function flagOf(path: string): string {
  const [head, tail] = path.split('.');
  if (head === 'escalate' && tail === undefined) return '--escalate-after/--escalate-repeats';
  if (head === 'escalate' && tail !== undefined) {
    const flag = Object.entries(ESCALATE_FLAGS).find(([, key]) => key === tail)?.[0];
    return flag ? `--${flag}` : `--escalate-${tail}`;
  }
  return `--${head!.replaceAll('_', '-')}`;
}
