import { cutAiMessage } from './ai-output.js';
import { formatSpanMs } from './alert-rule.js';
import type { LogAnomalyInfo, LogErroredInfo, LogPatternInfo, LogsAnalyzeResult } from './log-analysis.js';
import { formatDuration } from './units.js';

/**
 * The log engine's summary in short keys, as `log_summary` and `velos logs <app> --summary --ai` give
 * it: health (and `s`, the status, when processes are errored), lines and events by level, the top
 * templates, the error templates the top leaves out, the last error, anomalies, the last restart and
 * the exits of the period (`ex`); empty parts left out. `periodMs` is the window used (`per`), written as `formatSpanMs` writes it: `300s` and `5m`
 * are both `5m`; `'all'` when every captured line was read (the CLI's default, while `log_summary`'s
 * is `1h`: each answer says which, so that the two are not compared as alike); left out for a
 * `--since`/`--until` range. Over several apps, each template names its apps (`a`) and `apps` gives
 * each app's lines, events and health.
 */
export function toAiLogSummary(
  result: LogsAnalyzeResult,
  periodMs: number | 'all' | undefined,
  now = Date.now(),
): Record<string, unknown> {
  const s = result.summary;
  // one instance of an app whose instances share their files: the summary is of every process's lines
  const shared = result.sharedBy === undefined ? {} : { shared: result.sharedBy };
  const per = windowKey(periodMs);
  if (!s) return { app: result.app, ...shared, ...per, n: 0 };
  const ago = (at: number) => formatDuration(Math.max(0, now - at));
  // the error templates the top list leaves out: a rare fatal is never invisible
  const errs = (s.errors ?? []).filter((e) => !s.top.some((p) => p.id === e.id));
  return {
    app: result.app,
    ...shared,
    ...per,
    h: s.health,
    ...erroredKey(s.errored),
    n: s.lines,
    ...(Object.keys(s.levels).length > 0 ? { lv: s.levels } : {}),
    tpl: s.templates,
    ...(s.top.length > 0
      ? {
          top: s.top.map(toAiPattern),
        }
      : {}),
    ...(errs.length > 0
      ? {
          errs: errs.map((e) => ({
            t: e.template,
            c: e.count,
            l: e.level,
            ...(e.errorCount === undefined ? {} : { ec: e.errorCount }),
            ...(e.frame === undefined ? {} : { fr: e.frame }),
            ...(e.apps === undefined ? {} : { a: e.apps }),
          })),
        }
      : {}),
    ...(s.lastError
      ? {
          err: {
            m: s.lastError.message,
            ...(s.lastError.at === undefined ? {} : { ago: ago(s.lastError.at) }),
          },
        }
      : {}),
    ...(s.anomalies.length > 0
      ? {
          an: s.anomalies.map(toAiAnomaly),
        }
      : {}),
    ...(s.lastRestart
      ? {
          rst: {
            ago: ago(s.lastRestart.at),
            ...(s.lastRestart.reason === undefined ? {} : { why: s.lastRestart.reason }),
          },
        }
      : {}),
    ...(s.exits && s.exits.count > 0
      ? {
          ex: {
            n: s.exits.count,
            cr: s.exits.crashes,
            rs: s.exits.restarts,
            ...(s.exits.last === undefined
              ? {}
              : {
                  last: {
                    ago: ago(s.exits.last.at),
                    ...(s.exits.last.code === undefined ? {} : { code: s.exits.last.code }),
                    ...(s.exits.last.signal === undefined ? {} : { sig: s.exits.last.signal }),
                    ...(s.exits.last.reason === undefined ? {} : { why: s.exits.last.reason }),
                  },
                }),
          },
        }
      : {}),
    ...(result.apps
      ? {
          apps: result.apps.map((app) => ({
            a: app.name,
            h: app.health,
            ...erroredKey(app.errored),
            n: app.lines,
            ...(Object.keys(app.levels).length > 0 ? { lv: app.levels } : {}),
            ...(app.isPartial ? { partial: true } : {}),
            ...(app.readFrom === undefined ? {} : { readFrom: new Date(app.readFrom).toISOString() }),
          })),
        }
      : {}),
    ...readKeys(result),
  };
}

/**
 * The log engine's `--patterns`, `--dedupe` and `--anomalies` views in the keys of `toAiLogSummary`
 * (`velos logs <app> --patterns --ai` reads as `log_summary` does): `app`, `shared`, `per`, `n` the lines
 * read, then the view's list: `top` the templates (`toAiPattern`), `dd` the collapsed lines `{t, c, l, m
 * its first line, a app over several, first, last}` or `an` the anomalies (`toAiAnomaly`); `omitted`
 * the entries the limit left out (templates, collapsed lines or minutes), and `sampled`, `partial`, `readFrom`,
 * `missing` as in a summary. Empty parts left out.
 */
export function toAiLogView(
  result: LogsAnalyzeResult,
  periodMs: number | 'all' | undefined,
): Record<string, unknown> {
  return {
    app: result.app,
    ...(result.sharedBy === undefined ? {} : { shared: result.sharedBy }),
    ...windowKey(periodMs),
    n: result.scanned.lines,
    ...(result.patterns && result.patterns.length > 0 ? { top: result.patterns.map(toAiPattern) } : {}),
    ...(result.dedupe && result.dedupe.length > 0
      ? {
          dd: result.dedupe.map((d) => ({
            t: d.template,
            c: d.count,
            l: d.level,
            m: cutAiMessage(d.line),
            ...(d.app === undefined ? {} : { a: d.app }),
            ...(d.first === undefined ? {} : { first: new Date(d.first).toISOString() }),
            ...(d.last === undefined ? {} : { last: new Date(d.last).toISOString() }),
          })),
        }
      : {}),
    ...(result.anomalies && result.anomalies.length > 0 ? { an: result.anomalies.map(toAiAnomaly) } : {}),
    ...(result.omitted ? { omitted: result.omitted } : {}),
    ...readKeys(result),
  };
}

/**
 * A template in short keys, as `log_summary`'s `top` and `velos logs --patterns --ai` give it: `t`
 * template, `c` count, `l` level, `ec` its error lines (when not all are errors), `tr` trend (when not
 * stable), `pm` per minute, `fr` an error's top stack frame, `a` its apps (over several).
 */
export function toAiPattern(p: LogPatternInfo): Record<string, unknown> {
  return {
    t: p.template,
    c: p.count,
    l: p.level,
    ...(p.errorCount === undefined ? {} : { ec: p.errorCount }),
    ...(p.trend === 'stable' ? {} : { tr: p.trend }),
    ...(p.perMin === undefined ? {} : { pm: Math.round(p.perMin * 10) / 10 }),
    ...(p.frame === undefined ? {} : { fr: p.frame }),
    ...(p.apps === undefined ? {} : { a: p.apps }),
  };
}

/** An unusual minute in short keys (`an` of `log_summary` and of `velos logs --anomalies --ai`). */
export function toAiAnomaly(a: LogAnomalyInfo): Record<string, unknown> {
  return {
    at: new Date(a.at).toISOString(),
    k: a.metric,
    v: a.value,
    mean: Math.round(a.mean * 10) / 10,
    z: Math.round(a.z * 10) / 10,
    sev: a.severity,
  };
}

/** `per`, the window read: a span as `formatSpanMs` writes it, `all`, or none for a `--since`/`--until` range. */
function windowKey(periodMs: number | 'all' | undefined): { per?: string } {
  return periodMs === undefined ? {} : { per: periodMs === 'all' ? 'all' : formatSpanMs(periodMs) };
}

/**
 * `s` of a summary whose processes are errored (the supervisor gave up restarting them): `err` when all
 * of them are (`h` is 0), `err 1/3` when some are (`h` at most 50); none when none is.
 */
function erroredKey(errored: LogErroredInfo | undefined): { s?: string } {
  if (errored === undefined || errored.count === 0) return {};
  return { s: errored.count >= errored.of ? 'err' : `err ${errored.count}/${errored.of}` };
}

/**
 * How the lines were read: `sampled` the fraction analysed (below 1), `partial` and `readFrom` after a cut,
 * `missing` the current log files that were gone (removed under the daemon: their lines not read).
 */
function readKeys(result: LogsAnalyzeResult): Record<string, unknown> {
  return {
    ...(result.sampleRate < 1 ? { sampled: result.sampleRate } : {}),
    ...(result.scanned.isPartial ? { partial: true } : {}),
    ...(result.scanned.readFrom === undefined
      ? {}
      : { readFrom: new Date(result.scanned.readFrom).toISOString() }),
    ...(result.missingFiles === undefined ? {} : { missing: result.missingFiles }),
  };
}
