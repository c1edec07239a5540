import { describe, expect, it } from 'vitest';
import { alertNameClash } from '../src/alert-name-clash.js';
import type { AlertRule, AlertStatus } from '../src/alert-rule.js';
import { ErrorCodes, VelosError } from '../src/errors.js';
import { startWithFileAlerts } from '../src/file-alerts.js';

const FILE = '/srv/app.toml';

function rule(name: string, source = FILE): AlertRule {
  return {
    name,
    when: { kind: 'event', kinds: ['exited'] },
    severity: 'warning',
    forMs: 0,
    resolveAfterMs: 60_000,
    channels: [],
    source,
  };
}

/** A daemon's rule table with the daemon's clash check; `steps` records what happened in order. */
function fakeDaemon(initial: AlertRule[], options: { isOld?: boolean } = {}) {
  let rules = [...initial];
  const steps: string[] = [];
  const control = {
    async alerts(): Promise<AlertStatus[]> {
      if (options.isOld) throw new VelosError(ErrorCodes.UNKNOWN_COMMAND, 'unknown command alerts');
      return rules.map((r) => ({ rule: r, phase: 'ok', since: null, instances: [], lastDelivery: null }));
    },
    async setAlerts(source: string, next: AlertRule[]): Promise<AlertStatus[]> {
      const clash = alertNameClash(source, next, rules);
      if (clash) throw clash;
      steps.push(`set ${source}: ${next.map((r) => r.name).join(',') || '-'}`);
      rules = [...rules.filter((r) => r.source !== source), ...next.map((r) => ({ ...r, source }))];
      return [];
    },
  };
  return { control, steps, names: () => rules.map((r) => r.name).sort() };
}

describe('startWithFileAlerts (OBS-3)', () => {
  it("sets the file's rules before its apps start, replacing the file's earlier ones", async () => {
    const daemon = fakeDaemon([rule('old'), rule('other', 'runtime')]);
    const started = await startWithFileAlerts(daemon.control, FILE, [rule('exits')], async () => {
      daemon.steps.push(`start (rules: ${daemon.names().join(',')})`);
      return 'ok';
    });
    expect(started).toBe('ok');
    expect(daemon.steps).toEqual([`set ${FILE}: exits`, 'start (rules: exits,other)']);
  });

  it("puts the file's earlier rules back when the start is refused, and rethrows", async () => {
    const daemon = fakeDaemon([rule('old'), rule('other', 'runtime')]);
    const refused = new VelosError(ErrorCodes.NAME_IN_USE, 'api runs already');
    await expect(
      startWithFileAlerts(daemon.control, FILE, [rule('exits')], async () => {
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(daemon.names()).toEqual(['old', 'other']);
  });

  it('a rule named like another source refuses before anything starts', async () => {
    const daemon = fakeDaemon([rule('esc', 'runtime')]);
    let isStarted = false;
    const attempt = startWithFileAlerts(daemon.control, FILE, [rule('esc')], async () => {
      isStarted = true;
    });
    await expect(attempt).rejects.toMatchObject({ code: ErrorCodes.NAME_IN_USE });
    expect(isStarted).toBe(false);
    expect(daemon.names()).toEqual(['esc']);
  });

  it('a file without rules and none before sets nothing; an old daemon still starts it', async () => {
    const daemon = fakeDaemon([rule('other', 'runtime')]);
    await startWithFileAlerts(daemon.control, FILE, [], async () => undefined);
    expect(daemon.steps).toEqual([]);
    const old = fakeDaemon([], { isOld: true });
    await expect(startWithFileAlerts(old.control, FILE, [], async () => 'started')).resolves.toBe('started');
    await expect(
      startWithFileAlerts(old.control, FILE, [rule('x')], async () => 'started'),
    ).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_COMMAND });
  });
});
