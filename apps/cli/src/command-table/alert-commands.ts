import type { CommandSpec } from '../command-spec.js';
import { ai, json } from './common-options.js';

/** The alert rules: `velos alerts` and its add, remove and test. */
export const ALERT_COMMANDS: CommandSpec[] = [
  {
    name: 'alerts',
    argsUsage: '[list | add <rule> | remove <rule> | test <rule>]',
    completes: { list: [], add: ['none'], remove: ['rule'], test: ['rule'] },
    shortArgsUsage: '[add|remove|test]',
    minArgs: 0,
    maxArgs: 2,
    summary: 'list alert rules with their state; add, remove or test one',
    details: [
      'velos alerts                      rules: when, app, severity, state (ok, pending, firing,',
      '                                  resolved), since when, and the last delivery',
      'velos alerts add <name> --when "restarts >= 5 within 1m" [--app api] [--webhook URL] …',
      'velos alerts add --file rules.toml  adds every [[alerts]] rule of a TOML/YAML/JSON file',
      'velos alerts remove <name>        velos alerts test <name>  (a test notification, every channel)',
      'Conditions (--when): event <kind>[,<kind>] (kinds as velos events --kind takes them: exited,',
      'exit, restarted, app.deploy), restarts >= N within T, errored, unhealthy, memory > SIZE,',
      'cpu > N% (100 is one core; at most 100 × the CPUs), log anomaly, log error_burst, job failed',
      'N times in a row, no output, daemon degraded, component stale (until the component reports',
      'again); any of them may end with "for D" (as --for). Run-time rules are kept in',
      '$VELOS_HOME/alerts.json; rules of a config file ([[alerts]]) are replaced at each velos start',
      'of that file. --command runs a program (split on spaces, no shell) with the alert as JSON on',
      'stdin and in VELOS_ALERT_* variables. Every firing/resolved also goes to the event log.',
      '--group-interval 30s sends what comes within 30 s of a notification as one message (a storm of',
      'apps is one message per interval, not one per app).',
      '--json shows a webhook URL as its origin only (https://hooks.slack.com/****) and secret-looking',
      'webhook headers as ****, unless --show-secrets is given.',
      'See docs/alerts.md.',
    ].join('\n'),
    options: {
      when: { type: 'string', value: 'condition', description: 'add: what fires the rule (see above)' },
      app: {
        type: 'string',
        value: 'target',
        description: 'add: an app name, namespace or id (default: every app)',
      },
      severity: {
        type: 'string',
        value: 'level',
        description: 'add: info, warning (default), error or critical',
      },
      for: {
        type: 'string',
        value: 'duration',
        description: 'add: the condition must hold this long (default 0)',
      },
      repeat: { type: 'string', value: 'duration', description: 'add: notify again this often while firing' },
      'resolve-after': {
        type: 'string',
        value: 'duration',
        description: 'add: event conditions resolve after this long without a new event (default 1m)',
      },
      'group-interval': {
        type: 'string',
        value: 'duration',
        description: 'add: after a notification, wait this long and send what came meanwhile as one',
      },
      webhook: {
        type: 'string',
        value: 'url',
        description: 'add: POST the alert as JSON (Slack-compatible text)',
      },
      command: {
        type: 'string',
        value: 'program',
        description: 'add: run this program with the alert on stdin',
      },
      'escalate-after': {
        type: 'string',
        value: 'duration',
        description: 'add: escalate when firing this long',
      },
      'escalate-repeats': {
        type: 'string',
        value: 'n',
        description: 'add: escalate after n repeats (needs --repeat)',
      },
      'escalate-severity': { type: 'string', value: 'level', description: 'add: severity once escalated' },
      'escalate-webhook': { type: 'string', value: 'url', description: 'add: also POST here once escalated' },
      'escalate-command': {
        type: 'string',
        value: 'program',
        description: 'add: also run this once escalated',
      },
      file: {
        type: 'string',
        value: 'path',
        description: 'add: the [[alerts]] rules of a TOML/YAML/JSON file',
      },
      json,
      ai,
      'show-secrets': { type: 'boolean', description: 'print webhook URLs and headers as they are' },
    },
    run: async (ctx, input) => (await import('../commands/alerts.js')).runAlerts(ctx, input),
  },
];
