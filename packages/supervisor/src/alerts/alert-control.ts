import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AlertRule,
  type AlertStatus,
  alertNameClash,
  ErrorCodes,
  maskedSecretPlace,
  RUNTIME_ALERT_SOURCE,
  type VelosControl,
  VelosError,
} from '@velos/core';
import type { AlertEngine, AlertEngineHost } from './alert-engine.js';
import { ALERT_STATE_FILE, ALERTS_FILE } from './alert-files.js';
import { checkAlertPrograms } from './alert-programs.js';
import type { ComponentHealth } from './delivery-health.js';

/** The supervisor's alert methods, plus what the daemon wires to other parts (config.toml, health). */
export interface AlertControl
  extends Pick<VelosControl, 'alerts' | 'addAlert' | 'removeAlert' | 'testAlert' | 'setAlerts'> {
  /**
   * Replaces the rules of `source` (the daemon's `config.toml` passes `isPersistent: false`: it is
   * read again at each start); loads the engine on the first rule.
   */
  setRulesFromSource(
    source: string,
    rules: AlertRule[],
    options?: { isPersistent?: boolean },
  ): Promise<AlertStatus[]>;
  /**
   * Throws the error `setRulesFromSource` would for a rule of `rules` named like a rule of another
   * source (core's `alertNameClash`), changing nothing: a config file is checked before it applies.
   */
  checkRulesFromSource(source: string, rules: AlertRule[]): Promise<void>;
  /** OBS-4: alert delivery's health (healthy while no rule exists). */
  alertDeliveryHealth(): ComponentHealth;
  /**
   * At the daemon's start: loads the engine only when `alerts.json` exists (a stat, nothing imported
   * otherwise); until `endRestore`, rules added (config.toml's too) go on with the alerts they had
   * firing under the previous daemon (`alert-state.json`).
   */
  restore(): Promise<void>;
  /** Ends the start's restore, once config.toml's rules are in: saved alerts of rules gone are dropped. */
  endRestore(): Promise<void>;
  close(): void;
}

/**
 * OBS-3: the alert methods, with the engine and the delivery code imported on the first rule
 * (a daemon without rules loads none of it).
 */
export function createAlertControl(host: AlertEngineHost): AlertControl {
  let engine: AlertEngine | null = null;
  let loading: Promise<AlertEngine> | null = null;
  let isClosed = false;
  let isRestoring = false;
  /** Rules set while restoring (config.toml's), chained: `endRestore` waits for them. */
  let restoring: Promise<unknown> = Promise.resolve();

  const load = (): Promise<AlertEngine> => {
    const isRestoringNow = isRestoring;
    loading ??= import('./alert-engine.js').then((module) => {
      const created = module.createAlertEngine(host);
      if (isRestoringNow) created.restoreState();
      if (existsSync(join(host.home, ALERTS_FILE))) created.loadSaved();
      if (isClosed) created.close();
      engine = created;
      return created;
    });
    return loading;
  };
  const setRules = (source: string, rules: AlertRule[], isPersistent = true): Promise<AlertStatus[]> => {
    const result = (async () => {
      if (!engine && rules.length === 0 && !existsSync(join(host.home, ALERTS_FILE))) return [];
      return (await load()).setRules(source, rules, isPersistent);
    })();
    if (isRestoring) restoring = restoring.then(() => result).catch(() => undefined);
    return result;
  };

  /** The engine, loaded when there are saved rules; a name with no engine at all is unknown. */
  const existing = async (name: string): Promise<AlertEngine> => {
    if (engine) return engine;
    if (existsSync(join(host.home, ALERTS_FILE))) return load();
    throw new VelosError(
      ErrorCodes.TARGET_NOT_FOUND,
      `no alert rule is called '${name}' (there are no rules)`,
      {
        data: { name },
      },
    );
  };

  return {
    async alerts() {
      return engine?.list() ?? [];
    },
    async addAlert(rule) {
      const masked = maskedSecretPlace(rule);
      if (masked !== null) {
        throw new VelosError(
          ErrorCodes.INVALID_ARGUMENT,
          `rule.${masked}: a masked secret (****, as a read token sees the rule): give the whole value`,
          { data: { field: `rule.${masked}` } },
        );
      }
      checkAlertPrograms([rule]);
      return (await load()).add({ ...rule, source: RUNTIME_ALERT_SOURCE });
    },
    async removeAlert(name) {
      return (await existing(name)).remove(name);
    },
    async testAlert(name) {
      return (await existing(name)).test(name);
    },
    // a config file's rules (velos start, MCP, REST): a command that cannot run starts nothing
    async setAlerts(source, rules) {
      checkAlertPrograms(rules, source);
      return setRules(source, rules);
    },
    setRulesFromSource: (source, rules, options) => setRules(source, rules, options?.isPersistent ?? true),
    async checkRulesFromSource(source, rules) {
      checkAlertPrograms(rules, source);
      // no engine and no saved rules: there is no rule to clash with
      if (rules.length === 0 || (!engine && !existsSync(join(host.home, ALERTS_FILE)))) return;
      const existingRules = (await load()).list().map((status) => status.rule);
      const clash = alertNameClash(source, rules, existingRules);
      if (clash) throw clash;
    },
    alertDeliveryHealth: () => engine?.deliveryHealth() ?? { status: 'healthy' },
    async restore() {
      isRestoring = true;
      if (!existsSync(join(host.home, ALERTS_FILE))) return;
      try {
        await load();
      } catch (error) {
        host.log(`alerts: restoring the saved rules failed: ${(error as Error).message}`);
      }
    },
    async endRestore() {
      if (!isRestoring) return;
      await restoring;
      isRestoring = false;
      if (loading) {
        await loading.then((loaded) => loaded.endRestore()).catch(() => undefined);
        return;
      }
      // no rule at all: whatever was firing belonged to rules that are gone
      try {
        rmSync(join(host.home, ALERT_STATE_FILE), { force: true });
      } catch (error) {
        host.log(`alerts: cannot remove ${ALERT_STATE_FILE}: ${(error as Error).message}`);
      }
    },
    close() {
      isClosed = true;
      engine?.close();
    },
  };
}
