import type { LogRuleSpec } from '@velos/core';
import { compileUserRules, createRecordParser, TemplateMiner } from '@velos/log-engine';

/** Error templates the live miner of one app keeps (least recently seen dropped first). */
export const LIVE_MAX_TEMPLATES = 200;

const MAX_KNOWN_TEMPLATES = 1000;
const MAX_SAMPLE_CHARS = 500;

/** The last error line of an app: its template and its message, both cut to 500 characters. */
export interface LastError {
  id: number;
  template: string;
  message: string;
}

/**
 * Tells error lines of one app apart with the log engine's own `createRecordParser`, so that the live
 * counts agree with the analyses and `velos logs --level error` (a JSON line's own level, else the
 * classifier; a leading syslog priority, timestamp or klog header is taken off before a line's place in
 * its event is judged; a line that continues the event before it in its stream — a stack frame, a
 * blank line, the exception line under a logged error, see `EventTracker` — is no error of its own),
 * mines the templates of error lines and remembers which templates it has seen (at most 1,000, then it
 * starts over).
 */
export class ErrorInspector {
  private parse = createRecordParser();
  private miner: TemplateMiner | null = null;
  private readonly known = new Set<number>();
  /** The last error line seen, if any. */
  last: LastError | undefined;

  /**
   * Inspects one line: `undefined` when it is not an error or fatal line, else whether its template is
   * new to this app (the line becomes `last`). Lines of a stream come in order; `isAlone` for a line
   * picked out of its batch (a sample): it is judged without the lines before it.
   */
  inspect(line: string, stream: 'out' | 'err', isAlone = false): { isNew: boolean } | undefined {
    if (isAlone) this.parse.forget(stream);
    // the time is not needed: given one, the parser looks for none in the line
    const parsed = this.parse({ ts: 0, stream, line });
    if (parsed.isContinuation) return undefined;
    const level = parsed.level;
    if (level !== 'error' && level !== 'fatal') return undefined;
    const full = parsed.message;
    this.miner ??= new TemplateMiner({ maxTemplates: LIVE_MAX_TEMPLATES });
    const id = this.miner.add(full);
    const template = this.miner.template(id) ?? full;
    this.last = { id, template: cut(template), message: cut(full, '…') };
    if (this.known.has(id)) return { isNew: false };
    if (this.known.size >= MAX_KNOWN_TEMPLATES) this.known.clear();
    this.known.add(id);
    return { isNew: true };
  }

  /** Classifies the next lines with `rules` tried first (undefined: the built-in rules alone). */
  setRules(rules: readonly LogRuleSpec[] | undefined): void {
    this.parse = createRecordParser(rules === undefined ? {} : { userRules: compileUserRules(rules) });
  }

  /** The last error's template and sample, as event fields (none before the first error). */
  fields(): Record<string, string> {
    return this.last ? { template: this.last.template, sample: this.last.message } : {};
  }
}

function cut(text: string, mark = ''): string {
  return text.length > MAX_SAMPLE_CHARS ? `${text.slice(0, MAX_SAMPLE_CHARS)}${mark}` : text;
}
