import type { LogRuleSpec } from '@velos/core';
import { compileUserRules, createRecordParser, type ParsedRecord, TemplateMiner } from '@velos/log-engine';

/** Error templates the live miner of one app keeps (least recently seen dropped first). */
export const LIVE_MAX_TEMPLATES = 200;

const MAX_KNOWN_TEMPLATES = 1000;
const MAX_SAMPLE_CHARS = 500;

/** What `inspect` found: its error events, whether one's template is new to the app, and the lines it read. */
export interface Inspection {
  /** 0 or 1, or 2 when the line also ended a .NET console header of error level whose message never came. */
  errors: number;
  isNew: boolean;
  /** 1, or the lines of a .NET console entry read whole (its header, scope lines and message). */
  lines: number;
}

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
   * Inspects one line: its error events (a .NET console header whose message never came, ended by this
   * line, is one), whether one's template is new to this app (the last becomes `last`). Lines of a
   * stream come in order; `isAlone` for a line picked out of its batch (a sample): it is judged without
   * the lines before it, and when it is a .NET console header (`info: Category[14]`) its entry is read
   * whole with the lines `next` gives (scope lines and the message; without the message, the header is
   * judged alone by its own level).
   */
  inspect(line: string, stream: 'out' | 'err', isAlone = false, next?: () => string | undefined): Inspection {
    const found: Inspection = { errors: 0, isNew: false, lines: 1 };
    if (isAlone) this.parse.forget(stream);
    // the time is not needed: given one, the parser looks for none in the line
    let parsed = this.parse({ ts: 0, stream, line });
    if (parsed.orphan !== undefined) this.judge(parsed.orphan, found);
    if (!isAlone || !parsed.awaitsMessage) {
      this.judge(parsed, found);
      return found;
    }
    const header = parsed;
    for (let more = next?.(); more !== undefined; more = next?.()) {
      parsed = this.parse({ ts: 0, stream, line: more });
      // another line than the entry's: not read here
      if (parsed.orphan !== undefined) break;
      found.lines += 1;
      if (!parsed.awaitsMessage) {
        this.judge(parsed, found);
        this.parse.forget(stream);
        return found;
      }
    }
    this.parse.forget(stream);
    this.judge({ ...header, isContinuation: false }, found);
    return found;
  }

  /** True when `line`, judged alone, is the header of a .NET console entry (its message on the lines after it). */
  isEntryHeader(line: string, stream: 'out' | 'err'): boolean {
    this.parse.forget(stream);
    const isHeader = this.parse({ ts: 0, stream, line }).awaitsMessage === true;
    this.parse.forget(stream);
    return isHeader;
  }

  /** Counts `parsed` in `found` when it is an error or fatal event, mining its template. */
  private judge(parsed: ParsedRecord, found: Inspection): void {
    if (parsed.isContinuation) return;
    const level = parsed.level;
    if (level !== 'error' && level !== 'fatal') return;
    found.errors += 1;
    const full = parsed.message;
    this.miner ??= new TemplateMiner({ maxTemplates: LIVE_MAX_TEMPLATES });
    const id = this.miner.add(full);
    const template = this.miner.template(id) ?? full;
    this.last = { id, template: cut(template), message: cut(full, '…') };
    if (this.known.has(id)) return;
    if (this.known.size >= MAX_KNOWN_TEMPLATES) this.known.clear();
    this.known.add(id);
    found.isNew = true;
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
