import type { CommandSpec } from '../command-spec.js';
import { ai, json, TARGETS, TARGETS_OR_REGEX } from './common-options.js';

/**
 * A word that can only be a date format (`HH:mm:ss`, `YYYY-MM-DD HH:mm`): date tokens, `[literal]` text and
 * separators, with a two-letter token and a separator, so no plausible app name: PM2's `--timestamp HH:mm:ss`.
 */
const DATE_FORMAT_WORD =
  /^(?=.*(?:YY|MM|DD|HH|hh|mm|ss|SSS))(?=.*[-:./ ,_T])(?:YYYY|YY|MMMM|MMM|MM|M|DD|D|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|SSS|A|a|ZZ|Z|\[[^\]]*\]|[-:./ ,_T])+$/;

/** Commands on logs and the event log: logs, events, flush, reloadLogs. */
export const LOG_COMMANDS: CommandSpec[] = [
  {
    name: 'logs',
    argsUsage: '[target]',
    completes: ['target'],
    minArgs: 0,
    maxArgs: 1,
    summary: 'show recent log lines, follow new ones with -f, or analyse them (--summary, --grep …)',
    details: `Lines are printed as "<name> | line" ("<name>:<id> | line" for a process of an app with several, when known), oldest first; stdout and stderr lines in the order the daemon read them\n(also beyond the lines it keeps in memory: the time index of each file orders them). On a colour\nterminal stderr lines have a red prefix. On a terminal, control characters an app printed (ESC, BEL …) are\nshown as \\xHH; --raw prints them as they are, and bytes that are not UTF-8 too (plain log files; searches too).\nAn answer holds at most 4M of lines: beyond that older lines are left out, with a notice on stderr naming the\nfile they are in (a rotated .gz one too) and a command that prints them (head -c …, zcat … for a .gz).\nApps with --log-format json: a JSON line the app printed shows its message and key=value fields. --json adds\neach line's lvl (any app: the level a search by level gives it) and fields.\n${TARGETS} Without one, all processes; a /regex/ of names shows (and with -f follows) the apps whose name matches.\n\nThe log engine (the app's captured files, rotated ones included):\n  --summary [--period 1h]   period, lines by level, top patterns, anomalies, last error, exits\n                            (crashes, restarts, the last exit), health 0-100 (crashes lower it)\n  --patterns | --dedupe | --anomalies   recurring templates, lines collapsed by template, unusual minutes\n  --level L, --grep RE, --since T, --until T   search: the newest matching lines (--lines N, default 100)\nWithout a target, or with all, a namespace or a /regex/ of names, a search or a view reads every app it\nselects within one budget: a search merges their matches by time as "<name> | line", the newest --lines of\nthem all (every error of every app in the last 10 minutes: velos logs --level error --since 10m); a view\nanalyses their lines merged by time, each pattern naming its apps ("api, worker | template"), and a summary\nadds each app's lines, errors and health (velos logs all --summary); dedupe collapses each app's lines apart.\nT is a duration ago (10m, 2h, 1d) or a time (2026-12-01T10:00:00Z); plain log lines get the time the daemon\nread them from the time index of each file (<file>.tidx). Over 50,000 lines a summary analyses a random\nsample and says so (counts are then estimates). Example: velos logs api --summary --period 1h --ai\nAny log from stdin, without a daemon: cat app.log | velos logs - --summary (every view and filter);\n--since, --until and --period go by the time written in each line, as the summary does (a line without\none takes the time of the line before it); --rules rules.toml classifies its lines with your rules first,\nas an app's log_rules do.`,
    options: {
      lines: { type: 'string', value: 'n', description: 'how many recent lines to show (default 15)' },
      follow: {
        type: 'boolean',
        short: 'f',
        description:
          'keep printing new lines until Ctrl-C (across velos update; ends at velos kill; says on stderr what a slow reader missed)',
      },
      err: { type: 'boolean', description: 'only stderr' },
      out: { type: 'boolean', description: 'only stdout' },
      raw: {
        type: 'boolean',
        description:
          'print the lines as the app wrote them: no name prefix, no escaping, bytes that are not UTF-8 as they are',
      },
      json: {
        type: 'boolean',
        description: 'print one JSON object per line (with a view: the whole answer)',
      },
      ai,
      timestamp: {
        type: 'string',
        value: 'format',
        isValueOptional: true,
        valueShape: DATE_FORMAT_WORD,
        description:
          'prefix each line with its time (PM2: default YYYY-MM-DD-HH:mm:ss; tokens YYYY MM DD HH mm ss SSS Z; a format as the next word too: --timestamp HH:mm:ss)',
      },
      nostream: {
        type: 'boolean',
        description: 'PM2 compatibility: print and exit (what velos logs does without -f)',
      },
      format: {
        type: 'boolean',
        description: "PM2's key=value lines: timestamp=… app=… id=… type=out|err message=…",
      },
      summary: {
        type: 'boolean',
        description: "summarise the logs; over several apps, each app's lines, errors and health too",
      },
      period: {
        type: 'string',
        value: 'dur',
        description: 'with a view: the last 1h, 30m, 1d … (same as --since)',
      },
      patterns: { type: 'boolean', description: 'recurring templates with count, rate and trend' },
      dedupe: { type: 'boolean', description: 'the newest lines collapsed by template (x847, first, last)' },
      anomalies: { type: 'boolean', description: 'minutes whose volume or error rate was above mean + 2σ' },
      level: {
        type: 'string',
        value: 'level',
        description: 'lines at least this severe: fatal, error, warn, info, debug (trace is debug)',
      },
      grep: { type: 'string', value: 'regex', description: 'lines matching this regular expression' },
      'ignore-case': { type: 'boolean', short: 'i', description: 'with --grep: ignore case' },
      rules: {
        type: 'string',
        value: 'file',
        description:
          'with - (stdin): classification rules tried before the built-in ones, a JSON list or TOML [[rules]] of {match, level, stream?} (an app has log_rules)',
      },
      since: { type: 'string', value: 'time', description: 'lines since 10m, 2h, 1d ago or an ISO time' },
      until: { type: 'string', value: 'time', description: 'lines until 10m ago or an ISO time' },
      limit: {
        type: 'string',
        value: 'n',
        description:
          'with a view: patterns/entries listed (default 10); with a search: matches (default 100)',
      },
    },
    run: async (ctx, input) => (await import('../commands/logs.js')).runLogs(ctx, input),
  },
  {
    name: 'events',
    argsUsage: '[target] | emit <name> [key=value...]',
    completes: { emit: ['none', 'none'], '*': ['target'] },
    shortArgsUsage: '[target]',
    minArgs: 0,
    maxArgs: Number.POSITIVE_INFINITY,
    summary: 'show what happened: starts, exits, restarts, errors, jobs, daemon and app events',
    details: [
      'Prints the newest events (default 100), oldest first: time, severity, kind, app/id and message.',
      '--since and --until take a duration back from now (90s, 10m, 1h, 2d) or an ISO date',
      '(2026-01-02, 2026-01-02T03:04:05Z). --kind takes kinds (process.exited), categories (process, job,',
      'log, config, component, alert, daemon, app) or names (exited, stale); the start of a name works too (exit).',
      'restarted (process.restarting), unhealthy and recovered (process.health to unhealthy, back to healthy)',
      'select by what happened.',
      '--json prints the full events, --ai compact ones: t time, k kind, a app, i id, m message,',
      's severity (when not info), f fields (a JSON array; with --follow one object per line).',
      'A --follow that falls behind or reconnects after a daemon restart gets every event it missed that',
      'events.jsonl still keeps; past that it says events were skipped: a line on stderr, a follow.skipped',
      'object with --json and --ai.',
      'Apps raise their own events (kind app.<name>) by printing one JSON line with the key velos_event:',
      '{"velos_event":"sync.done","message":"synced 42 rows","rows":42}; see docs/events.md.',
      'velos events emit <name> [key=value...] [--app a] [--severity s] [--message m] posts one by hand,',
      'bounded like app events: --severity takes warn, err and fatal too; texts are cut at 2000 characters.',
      'Events are kept in events.jsonl in the Velos home (10M, then one rotated file).',
      `${TARGETS} Without one, all events.`,
    ].join('\n'),
    // after `emit` the words are an event name and key=value fields, not an app
    dashHint: (args, arg) => {
      if (args[0] !== 'emit') return null;
      if (args.length === 1)
        return '; an event name starts with a letter, a digit or _ (velos events emit <name>)';
      return `; to give a field whose key starts with -, put it after --: velos events emit ${args.slice(1).join(' ')} -- ${arg}`;
    },
    options: {
      since: {
        type: 'string',
        value: 'when',
        description: 'only events at or after: 1h (ago) or an ISO date',
      },
      until: {
        type: 'string',
        value: 'when',
        description: 'only events at or before: 10m (ago) or an ISO date',
      },
      kind: {
        type: 'string',
        value: 'kinds',
        description: 'only these kinds, e.g. exited,errored, process or unhealthy,recovered',
      },
      limit: { type: 'string', value: 'n', description: 'the newest n events that match (default 100)' },
      follow: {
        type: 'boolean',
        short: 'f',
        description:
          'keep printing new events until Ctrl-C (goes on across velos update; ends at velos kill)',
      },
      app: { type: 'string', value: 'name', description: 'emit: the app the event is about' },
      severity: {
        type: 'string',
        value: 'level',
        description: 'emit: info (default), warning (warn), error (err) or critical (fatal)',
      },
      message: { type: 'string', value: 'text', description: 'emit: the message (default: the name)' },
      json,
      ai,
    },
    run: async (ctx, input) => (await import('../commands/events.js')).runEvents(ctx, input),
  },
  {
    name: 'flush',
    argsUsage: '[target]',
    completes: ['target'],
    minArgs: 0,
    maxArgs: 1,
    summary: 'empty the log files (of all processes by default)',
    details: `Each log file is truncated in place (the app keeps writing to it) and its rotated files are deleted.\n${TARGETS_OR_REGEX}`,
    options: { json, ai },
    run: async (ctx, input) => (await import('../commands/flush.js')).runFlush(ctx, input.args[0]),
  },
  {
    name: 'reloadLogs',
    aliases: ['reload-logs'],
    argsUsage: '[target]',
    completes: ['target'],
    minArgs: 0,
    maxArgs: 1,
    summary: 'close and reopen the log files by path (of all processes by default)',
    details: [
      'For external rotators such as logrotate: after they rename a log file away, the daemon keeps',
      'writing to the renamed file until this command; then it opens the path again, creating a new',
      'file. No line is lost. Built-in rotation (--log-max-size, --log-rotate-cron) needs no reload.',
      TARGETS,
    ].join('\n'),
    options: { json, ai },
    run: async (ctx, input) => (await import('../commands/reload-logs.js')).runReloadLogs(ctx, input.args[0]),
  },
];
