import { ALERT_STATE_FILE } from './alert-files.js';
import type { RuleState } from './alert-notifier.js';
import type { InstanceState } from './alert-state.js';
import {
  ANY_FINGERPRINT,
  alertStateText,
  readAlertState,
  restoredInstance,
  ruleFingerprint,
  type SavedRuleAlerts,
  savedAlertsOf,
  writeAlertState,
} from './alert-state-store.js';

/** Keeps the firing and pending alerts in `alert-state.json` for the next daemon, and gives them back to it. */
export interface AlertPersistence {
  /** At the daemon's start, before any rule: reads the file (an unusable one is logged and ignored). */
  load(): void;
  /**
   * Gives a rule just added the alerts it had firing under the previous daemon, if it is the same rule;
   * returns those whose latest notification the previous daemon had not sent (`SavedAlert.untold`).
   */
  claim(state: RuleState): InstanceState[];
  /** Writes the file when the firing or pending alerts of `states` changed since the last write. */
  save(states: Iterable<RuleState>): void;
  /** Ends the start: saved alerts no rule took (removed or changed meanwhile) are dropped, and saved so. */
  end(states: Iterable<RuleState>): void;
}

/**
 * Creates the persistence of a home's firing alerts; every problem goes to `log` (daemon.log).
 * `firingFromEvents` stands in for a missing file (see `load`).
 */
export function createAlertPersistence(
  home: string,
  log: (line: string) => void,
  firingFromEvents: () => Map<string, SavedRuleAlerts> = () => new Map(),
): AlertPersistence {
  /** Saved firing alerts by rule name, until a rule takes them or `end`. */
  let restored = new Map<string, SavedRuleAlerts>();
  /**
   * The file as last written or read (null: missing or unusable, written at the next save, so that a
   * missing file means a home where no daemon of this version had a rule).
   */
  let savedText: string | null = null;
  let isFailing = false;

  const save = (states: Iterable<RuleState>): void => {
    const saved = savedAlertsOf(states);
    // the alerts of rules not added yet (config.toml's come after alerts.json's) are kept meanwhile
    for (const [name, entry] of restored) if (!saved.has(name)) saved.set(name, entry);
    const text = alertStateText(saved);
    if (text === savedText) return;
    try {
      writeAlertState(home, text);
      savedText = text;
      isFailing = false;
    } catch (error) {
      // one line per run of failures: the next change tries again
      if (!isFailing) log(`alerts: cannot save the firing alerts: ${(error as Error).message}`);
      isFailing = true;
    }
  };

  return {
    load() {
      const read = readAlertState(home);
      if (read.problem)
        log(`alerts: ${read.problem}; firing alerts start afresh (one still holding is sent again)`);
      restored = read.rules;
      savedText = read.text;
      // `velos update` from a version without the file: its alert events tell what was firing
      if (read.isMissing) {
        restored = firingFromEvents();
        if (restored.size > 0) {
          const count = [...restored.values()].reduce((sum, entry) => sum + entry.alerts.length, 0);
          log(`alerts: no ${ALERT_STATE_FILE}; ${count} firing alert(s) read back from the event log`);
        }
      }
    },

    claim(state) {
      const { name } = state.rule;
      const saved = restored.get(name);
      if (!saved) return [];
      restored.delete(name);
      const keys = saved.alerts.map((alert) => alert.key).join(', ');
      if (saved.fingerprint !== ANY_FINGERPRINT && saved.fingerprint !== ruleFingerprint(state.rule)) {
        if (saved.alerts.length > 0)
          log(
            `alerts: rule ${name} changed while the daemon was away; its firing alerts (${keys}) start afresh`,
          );
        return [];
      }
      // `velos alerts` shows the rule's last delivery as it was before the restart
      if (saved.lastDelivery && state.lastDelivery === null) state.lastDelivery = saved.lastDelivery;
      if (saved.alerts.length === 0) return [];
      const now = Date.now();
      let pending = 0;
      let resolved = 0;
      const untold: InstanceState[] = [];
      for (const alert of saved.alerts) {
        const instance = restoredInstance(alert);
        state.instances.set(alert.key, instance);
        if (alert.untold) untold.push(instance);
        // a resolved one is kept for its resolve only: its condition is over
        if (alert.phase === 'resolved') {
          resolved += 1;
          continue;
        }
        // a pending one is not vouched for: the new daemon's own first reading must find it still holding
        if (alert.phase === 'pending') pending += 1;
        if (alert.phase !== 'pending' || state.tracker.isSampled)
          state.tracker.restore(alert.key, alert.message, now);
      }
      const firing = saved.alerts.length - pending - resolved;
      const held = saved.alerts.filter((alert) => alert.phase !== 'resolved').map((alert) => alert.key);
      if (held.length > 0)
        log(
          `alerts: rule ${name}: ${firing} firing alert(s)${pending > 0 ? ` and ${pending} pending` : ''} restored (${held.join(', ')})`,
        );
      if (untold.length > 0)
        log(
          `alerts: rule ${name}: ${untold.length} notification(s) the previous daemon had not sent go out now (${untold.map((i) => `${i.key} ${i.phase}`).join(', ')})`,
        );
      return untold;
    },

    save,

    end(states) {
      const dropped = [...restored].filter(([, entry]) => entry.alerts.length > 0).map(([name]) => name);
      if (dropped.length > 0) {
        log(`alerts: dropped the firing alerts of ${dropped.join(', ')}: no such rule any more`);
      }
      restored = new Map();
      save(states);
    },
  };
}
