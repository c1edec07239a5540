import { stripAnsi } from './ansi.js';
import { isDotnetScopeLine, parseDotnetHeader } from './dotnet-header.js';
import { eventMessageOf, messageOf } from './log-record.js';
import type { TemplateMiner } from './template-miner.js';

/** How long `velos-log templates --stream` waits for the message line of a .NET console header before giving the header its own template. */
export const HEADER_WAIT_MS = 1000;

/**
 * Gives each line of `velos-log templates` its template id, in order: a .NET console header
 * (`info: Microsoft.Hosting.Lifetime[14]`) gets the template of its message, mined from the indented
 * line under it (and its scope lines their own), as the engine's summary counts the entry; a header
 * whose message never comes (another line, `release` at the end or after `HEADER_WAIT_MS`) gets its own.
 */
export class TemplateLines {
  readonly #miner: TemplateMiner;
  /** The ids of a header waiting for its message and the lines after it: the header's first, -1 until known. */
  #held: { header: string; ids: number[] } | undefined;

  constructor(miner: TemplateMiner) {
    this.#miner = miner;
  }

  /** True while a header waits for its message line (its id and those after it are held). */
  get isHolding(): boolean {
    return this.#held !== undefined;
  }

  /** The array `add` returns most often, used again: read it before the next call. */
  readonly #done: number[] = [];

  /**
   * Mines `line`; returns the ids it made final, in order of their lines (none while a header waits),
   * in an array that is only valid until the next call.
   */
  add(line: string): number[] {
    const message = messageOf(line);
    let done = this.#done;
    done.length = 0;
    const held = this.#held;
    if (held !== undefined) {
      // indented: the line itself or a JSON line's message; behind a time, as `eventMessageOf` keeps it
      const m = message.charCodeAt(0);
      const text = m === 32 || m === 9 ? message : eventMessageOf(stripAnsi(line));
      const c = text.charCodeAt(0);
      if ((c === 32 || c === 9) && text.trim() !== '') {
        if (isDotnetScopeLine(text)) {
          held.ids.push(this.#miner.add(message));
          return done;
        }
        const id = this.#miner.add(text.trim());
        held.ids[0] = id;
        held.ids.push(id);
        this.#held = undefined;
        return held.ids;
      }
      done = this.release();
    }
    if (parseDotnetHeader(message) !== undefined) {
      this.#held = { header: message, ids: [-1] };
      return done;
    }
    done.push(this.#miner.add(message));
    return done;
  }

  /** The held ids, the waiting header given its own template (the input ended, or its message is late). */
  release(): number[] {
    const held = this.#held;
    if (held === undefined) return [];
    this.#held = undefined;
    held.ids[0] = this.#miner.add(held.header);
    return held.ids;
  }
}
