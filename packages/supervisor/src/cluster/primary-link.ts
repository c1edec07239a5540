import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import {
  claimPrimarySlot,
  type PrimaryEntry,
  recordPrimary,
  releasePrimarySlot,
} from '../orphans/primary-registry.js';
import { readProcStat } from '../proc-scan.js';
import type { FromPrimary, ToPrimary, WorkerState } from './cluster-messages.js';
import { LineChannel } from './line-channel.js';

/** How often a primary this daemon did not spawn is checked for life once its socket closed. */
const GONE_POLL_MS = 200;
/** How long a re-adopted primary has to answer `hello`. */
const HELLO_TIMEOUT_MS = 5000;

/** The Node a taken-over primary runs, as it says (both undefined: a primary before it said so). */
export interface PrimaryNode {
  execPath: string | undefined;
  version: string | undefined;
  /** True when it relays its workers' probe doors (`worker-probe-door.ts`); false for a primary before them. */
  hasProbeDoor: boolean;
  /** True when it relays `admit` to a held worker; false for a primary before it. */
  hasAdmit: boolean;
}

/** What a link reports to its host. */
export interface PrimaryLinkHandlers {
  onMessage(message: FromPrimary): void;
  /** The primary is gone (exit code and signal when it was this daemon's child, else null). */
  onGone(code: number | null, signal: string | null): void;
  log(line: string): void;
}

/**
 * The daemon's connection to a cluster primary (SUP-5, SUP-13): the same path whether this daemon
 * spawned the primary or took it over from a daemon that died. Messages sent before the socket is
 * connected wait in order; the primary's entry in `run/` names its socket for the next daemon.
 */
export class PrimaryLink {
  readonly #queue: ToPrimary[] = [];
  #channel: LineChannel<FromPrimary, ToPrimary> | null = null;
  #socket: Socket | null = null;
  #isGone = false;
  #isLetGo = false;
  /** Set for a primary this daemon did not spawn: its exit is noticed by polling its pid. */
  #startTicks: number | null = null;

  private constructor(
    readonly pid: number,
    readonly name: string,
    private readonly runDir: string,
    private readonly slot: number,
    private readonly handlers: PrimaryLinkHandlers,
  ) {}

  /** Spawns a primary for app `name`; resolves with why when it cannot be spawned. */
  static spawn(
    options: { primaryPath: string; name: string; runDir: string; env: Record<string, string> },
    handlers: PrimaryLinkHandlers,
  ): PrimaryLink | Promise<string> {
    const { n, socket } = claimPrimarySlot(options.runDir);
    const child = spawn(process.execPath, [options.primaryPath, options.name, socket], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: options.env,
    });
    if (child.pid === undefined) {
      releasePrimarySlot(options.runDir, n);
      return new Promise((resolve) => {
        child.once('error', (error: NodeJS.ErrnoException) => {
          handlers.log(`cluster primary of ${options.name}: ${error.message}`);
          const why =
            error.code === 'ENOENT'
              ? 'not found'
              : error.code === 'EACCES'
                ? 'permission denied'
                : error.message;
          resolve(`${why} (${error.code ?? 'error'})`);
        });
      });
    }
    const link = new PrimaryLink(child.pid, options.name, options.runDir, n, handlers);
    link.#own(child, socket);
    return link;
  }

  /**
   * Takes over the primary of a registry entry left by a daemon that died: connects to its socket and
   * asks for its live workers, which `onState` gets as soon as they arrive (before any later report
   * of the primary is handled) with the primary's Node; false (and a log line) when it does not answer.
   */
  static async adopt(
    entry: PrimaryEntry,
    runDir: string,
    handlers: PrimaryLinkHandlers,
    onState: (link: PrimaryLink, workers: WorkerState[], node: PrimaryNode) => void,
  ): Promise<boolean> {
    const link = new PrimaryLink(entry.pid, entry.name, runDir, entry.n, handlers);
    link.#startTicks = entry.startTicks;
    let answer!: (isAnswered: boolean) => void;
    const answered = new Promise<boolean>((resolve) => {
      answer = resolve;
    });
    const timer = setTimeout(() => answer(false), HELLO_TIMEOUT_MS);
    let hasState = false;
    link.#connect(
      entry.socket,
      (message) => {
        if (message.t !== 'state') handlers.onMessage(message);
        else if (!hasState && !link.#isGone) {
          hasState = true;
          onState(link, message.workers, {
            execPath: message.execPath,
            version: message.version,
            hasProbeDoor: message.hasProbeDoor === true,
            hasAdmit: message.hasAdmit === true,
          });
          answer(true);
        }
      },
      () => answer(false),
    );
    link.send({ t: 'hello' });
    const isAnswered = await answered;
    clearTimeout(timer);
    if (!isAnswered) {
      handlers.log(`cluster primary of ${entry.name} (pid ${entry.pid}): no answer on ${entry.socket}`);
      link.#isGone = true;
      link.#socket?.destroy();
      return false;
    }
    recordPrimary(runDir, entry);
    return true;
  }

  /** Sends a message (queued until the socket is connected; dropped once the primary is gone). */
  send(message: ToPrimary): void {
    if (this.#isGone) return;
    if (this.#channel?.isOpen()) this.#channel.send(message);
    else this.#queue.push(message);
  }

  /** True until the primary is gone. */
  isAlive(): boolean {
    return !this.#isGone;
  }

  /** True once the daemon let the primary go (`letGo`): its exit is no failure. */
  isLetGo(): boolean {
    return this.#isLetGo;
  }

  /**
   * Tells the primary to stop its workers and exit (a closed connection alone would mean the daemon
   * died); a worker still running `graceMs` after its SIGTERM is SIGKILLed.
   */
  letGo(graceMs: number): void {
    this.#isLetGo = true;
    this.send({ t: 'shutdown', graceMs });
  }

  #own(child: ChildProcess, socket: string): void {
    const pid = child.pid!;
    const stat = readProcStat(pid);
    if (stat) {
      try {
        recordPrimary(this.runDir, {
          n: this.slot,
          name: this.name,
          pid,
          startTicks: stat.startTicks,
          startedAt: Date.now(),
          socket,
        });
      } catch (error) {
        this.handlers.log(
          `cluster primary of ${this.name} (pid ${pid}): cannot write its run entry: ${error}`,
        );
      }
    }
    let isListening = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!isListening && line === 'listening') {
        isListening = true;
        this.#connect(
          socket,
          (message) => this.handlers.onMessage(message),
          () => undefined,
        );
        return;
      }
      this.handlers.log(`cluster primary of ${this.name} (pid ${pid}): ${line}`);
    });
    createInterface({ input: child.stderr! }).on('line', (line) =>
      this.handlers.log(`cluster primary of ${this.name} (pid ${pid}): ${line}`),
    );
    child.on('error', (error) =>
      this.handlers.log(`cluster primary of ${this.name} (pid ${pid}): ${error.message}`),
    );
    child.once('exit', (code, signal) => this.#gone(code, signal));
  }

  #connect(path: string, onMessage: (message: FromPrimary) => void, onFailed: () => void): void {
    const socket = connect(path);
    this.#socket = socket;
    const channel = new LineChannel<FromPrimary, ToPrimary>(socket, onMessage);
    socket.once('connect', () => {
      this.#channel = channel;
      for (const message of this.#queue.splice(0)) channel.send(message);
    });
    socket.once('close', () => {
      const wasConnected = this.#channel === channel;
      if (wasConnected) this.#channel = null;
      else onFailed();
      // not this daemon's child: its exit is noticed by polling once its socket closed
      if (wasConnected && !this.#isGone && this.#startTicks !== null) this.#pollGone();
    });
  }

  #pollGone(): void {
    const timer = setInterval(() => {
      const stat = readProcStat(this.pid);
      const isAlive =
        stat !== null && stat.state !== 'Z' && stat.state !== 'X' && stat.startTicks === this.#startTicks;
      if (isAlive && !this.#isGone) return;
      clearInterval(timer);
      this.#gone(null, null);
    }, GONE_POLL_MS);
  }

  #gone(code: number | null, signal: string | null): void {
    if (this.#isGone) return;
    this.#isGone = true;
    this.#queue.length = 0;
    this.#channel?.close();
    releasePrimarySlot(this.runDir, this.slot);
    this.handlers.onGone(code, signal);
  }
}
