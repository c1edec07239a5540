import type { PrimaryEntry } from '../orphans/primary-registry.js';
import type { FromPrimary, ToPrimary, WorkerState } from './cluster-messages.js';
import { PrimaryLink, type PrimaryLinkHandlers, type PrimaryNode } from './primary-link.js';

/** What a cluster app's current primary reports to its host. */
export interface PrimaryEvents {
  onMessage(message: FromPrimary): void;
  /** The current primary is gone; the primary counts as gone once the returned promise settles. */
  onExit(link: PrimaryLink, code: number | null, signal: string | null): Promise<void>;
  log(line: string): void;
}

/**
 * The primary of one cluster app, as its host sees it: spawned on demand or taken over (SUP-13), at
 * most one at a time; what an earlier primary reports once it is no longer the current one is ignored.
 */
export class ClusterPrimary {
  #link: PrimaryLink | null = null;
  /** Resolves when the current primary is gone. */
  #gone: Promise<void> = Promise.resolve();
  #markGone: () => void = () => undefined;
  /** Why the latest attempt to spawn the primary failed (it arrives with the child's 'error' event). */
  #failure: Promise<string> | null = null;
  /** Primaries let go that a successor replaced before they exited, with their wait. */
  readonly #retiring = new Map<PrimaryLink, { gone: Promise<void>; markGone: () => void }>();

  constructor(
    private readonly name: string,
    private readonly primaryPath: string,
    private readonly runDir: string,
    private readonly home: string | undefined,
    private readonly events: PrimaryEvents,
  ) {}

  /** The current primary, if one runs. */
  get link(): PrimaryLink | null {
    return this.#link;
  }

  /** Why the latest spawn failed, or null. */
  get failure(): Promise<string> | null {
    return this.#failure;
  }

  /**
   * The current primary, spawned first when none runs, or when the current one was let go and is still
   * on its way out (a worker forked through it would end with it); null when it cannot be spawned.
   */
  ensure(): PrimaryLink | null {
    if (this.#link && !this.#link.isLetGo()) return this.#link;
    if (this.#link) this.#retire(this.#link);
    let link: PrimaryLink | null = null;
    const spawned = PrimaryLink.spawn(
      {
        primaryPath: this.primaryPath,
        name: this.name,
        runDir: this.runDir,
        // VELOS_HOME + a VELOS_ID that names no process: a daemon started after this one died finds it.
        env: this.withHome({ PATH: process.env.PATH ?? '', VELOS_ID: 'cluster-primary' }),
      },
      this.#handlers(() => link),
    );
    if (!(spawned instanceof PrimaryLink)) {
      this.#failure = spawned;
      return null;
    }
    link = spawned;
    this.#install(link);
    this.events.log(`cluster primary of ${this.name} started (pid ${link.pid})`);
    return link;
  }

  /**
   * Takes over the primary of `entry`; `onState` gets its workers and its Node synchronously with its
   * answer (so a worker's exit reported right after is not missed), once it is the current primary.
   * False when it does not answer.
   */
  adopt(entry: PrimaryEntry, onState: (workers: WorkerState[], node: PrimaryNode) => void): Promise<boolean> {
    let link: PrimaryLink | null = null;
    return PrimaryLink.adopt(
      entry,
      this.runDir,
      this.#handlers(() => link),
      (found, workers, node) => {
        link = found;
        this.#install(found);
        onState(workers, node);
      },
    );
  }

  /** Sends a message to the current primary (dropped when none runs). */
  send(message: ToPrimary): void {
    this.#link?.send(message);
  }

  /**
   * Lets the current primary go (it stops any worker left, SIGKILL `graceMs` after SIGTERM) and waits
   * until it and any retired one are gone.
   */
  async close(graceMs: number): Promise<void> {
    const retiring = [...this.#retiring.values()].map((entry) => entry.gone);
    const link = this.#link;
    if (link) {
      link.letGo(graceMs);
      retiring.push(this.#gone);
    }
    await Promise.all(retiring);
  }

  /** Adds `VELOS_HOME` (SUP-13: how a later daemon finds what this one left running). */
  withHome(env: Record<string, string>): Record<string, string> {
    return this.home === undefined ? env : { ...env, VELOS_HOME: this.home };
  }

  /** A let-go primary stops being the current one: it has no worker, its exit only ends its wait. */
  #retire(link: PrimaryLink): void {
    this.#retiring.set(link, { gone: this.#gone, markGone: this.#markGone });
    this.#link = null;
  }

  #install(link: PrimaryLink): void {
    this.#link = link;
    this.#gone = new Promise((resolve) => {
      this.#markGone = resolve;
    });
  }

  /** The handlers of a link, ignoring whatever it reports once it is no longer (or not yet) the current primary. */
  #handlers(current: () => PrimaryLink | null): PrimaryLinkHandlers {
    return {
      onMessage: (message) => {
        if (current() !== null && current() === this.#link) this.events.onMessage(message);
      },
      onGone: (code, signal) => {
        const link = current();
        const retired = link === null ? undefined : this.#retiring.get(link);
        if (link !== null && retired) {
          this.#retiring.delete(link);
          const how = signal ? `signal ${signal}` : `code ${code}`;
          this.events.log(`cluster primary of ${this.name} (pid ${link.pid}) exited with ${how}`);
          retired.markGone();
          return;
        }
        if (link === null || link !== this.#link) return;
        this.#link = null;
        const gone = this.#markGone;
        this.events.onExit(link, code, signal).then(gone, (error: unknown) => {
          this.events.log(`cluster primary of ${this.name} (pid ${link.pid}): ${String(error)}`);
          gone();
        });
      },
      log: this.events.log,
    };
  }
}
