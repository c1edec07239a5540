import net from 'node:net';

type Listen = (this: net.Server, ...args: unknown[]) => net.Server;
/** Opens a probe door whose connections go to `serve`: `onOpen` once it is open, `onFail` when it cannot open. */
type OpenDoor = (serve: (socket: net.Socket) => void, onOpen: () => void, onFail: () => void) => net.Server;

/** One server whose `listen()` on the probed port is held. */
interface HeldListen {
  readonly server: net.Server;
  /** The port it will listen on. */
  readonly port: number;
  /** The `listen()` arguments as the app gave them. */
  readonly args: unknown[];
  /** The same without the callback. */
  readonly callArgs: unknown[];
  readonly callback: (() => void) | null;
  /** What `address()` says: null while its host name is looked up. */
  address: net.AddressInfo | null;
  isAnnounced: boolean;
}

/**
 * The hold of a reload's new worker off the shared ports (`worker-probe-door.ts`): every server of the
 * worker whose `listen()` names a held port is held until the primary admits the worker (its probe
 * passed). The first one held opens the probe door, which serves the first server still held on the
 * probed port (the door closes with the last server held); each says `'listening'` (the app's
 * callback included) once the door is open, and `address()` gives the address it will listen on. Once
 * admitted, each makes the `listen()` call the app made, whose `'listening'` reaches node:cluster (which
 * then tells the primary) but not the app's listeners a second time. When the door cannot open, the
 * hold ends: each server makes its `listen()` call at once, as without it.
 */
export class ListenHold {
  readonly #listen: Listen;
  readonly #openDoor: OpenDoor;
  /** The port whose server the door serves (the port the probe checks). */
  readonly #doorPort: number;
  readonly #held = new Set<HeldListen>();
  #door: net.Server | null = null;
  #isDoorOpen = false;
  /** Admitted, or the door could not open: no `listen()` is held any more. */
  #isOver = false;
  readonly #onMessage = (message: unknown): void => {
    if (isAdmitMessage(message)) this.#admit();
  };

  constructor(listen: Listen, openDoor: OpenDoor, doorPort: number) {
    this.#listen = listen;
    this.#openDoor = openDoor;
    this.#doorPort = doorPort;
  }

  /** True while a `listen()` on the probed port is held: not admitted yet, and the door did not fail. */
  get isHolding(): boolean {
    return !this.#isOver;
  }

  /** Holds `server`'s `listen(...args)` on the probed port. */
  hold(server: net.Server, args: unknown[]): void {
    const hasCallback = typeof args.at(-1) === 'function';
    const again = [...this.#held].find((each) => each.server === server);
    if (again) {
      // as listen() again on a listening server: it throws; before its 'listening', that one answers both calls
      if (again.isAnnounced) throw alreadyListening();
      if (hasCallback) server.once('listening', args.at(-1) as () => void);
      return;
    }
    const callArgs = hasCallback ? args.slice(0, -1) : args;
    const host = listenedHost(callArgs);
    const port = listenedPort(callArgs) ?? 0;
    const held: HeldListen = {
      server,
      port,
      args,
      callArgs,
      callback: hasCallback ? (args.at(-1) as () => void) : null,
      address: net.isIP(host) === 0 ? null : { address: host, family: familyOf(host), port },
      isAnnounced: false,
    };
    if (held.address !== null && this.#isTaken(held)) {
      refuse(server, held.address);
      return;
    }
    this.#held.add(held);
    server.address = () => held.address;
    // as after a listen(): true once it said 'listening' (Node's own code does not read it)
    Object.defineProperty(server, 'listening', { configurable: true, get: () => held.isAnnounced });
    // a held server has no handle: net.Server's close() would call back with ERR_SERVER_NOT_RUNNING
    server.close = ((callback?: (error?: Error) => void) => {
      this.#release(held);
      if (typeof callback === 'function') server.once('close', () => callback());
      return server.close();
    }) as net.Server['close'];
    // net.Server's own dispose (`await using`) does nothing without a handle: the door would stay open
    server[Symbol.asyncDispose] = () => new Promise<void>((resolve) => server.close(() => resolve()));
    server.once('close', () => this.#release(held));
    // the channel listener keeps the worker alive only while a server waits to be admitted
    if (this.#held.size === 1) process.on('message', this.#onMessage);
    if (held.address === null) {
      // a host name, looked up as listen() does it: the app compares addresses (Fastify's for localhost)
      import('node:dns').then(({ lookup }) =>
        lookup(host, (error, address) => {
          if (!this.#held.has(held)) return;
          if (error) {
            // listen() looks it up again and says why it cannot listen, as without the hold
            this.#release(held);
            this.#listen.apply(server, args);
            return;
          }
          held.address = { address, family: familyOf(address), port };
          if (this.#isTaken(held)) {
            this.#release(held);
            refuse(server, held.address);
            return;
          }
          this.#announce(held);
        }),
      );
    }
    if (this.#door === null) {
      this.#door = this.#openDoor(
        (socket) => this.#serve(socket),
        () => {
          this.#isDoorOpen = true;
          for (const each of this.#held) this.#announce(each);
        },
        () => this.#end(),
      );
    } else {
      process.nextTick(() => this.#announce(held));
    }
  }

  /** True when another server held has `held`'s address and port: node:cluster refuses a second one. */
  #isTaken(held: HeldListen): boolean {
    const { address } = held;
    if (address === null) return false;
    for (const each of this.#held) {
      if (each !== held && each.address?.address === address.address && each.address.port === address.port)
        return true;
    }
    return false;
  }

  /** The held server says `'listening'`, as its `listen()` would have, once the door is open and its address known. */
  #announce(held: HeldListen): void {
    if (!this.#isDoorOpen || held.address === null || held.isAnnounced || !this.#held.has(held)) return;
    held.isAnnounced = true;
    if (held.callback) held.server.once('listening', held.callback);
    held.server.emit('listening');
  }

  /** A connection at the door goes to the first server still held on its port (Fastify's other one when it closed one). */
  #serve(socket: net.Socket): void {
    const first = [...this.#held].find((each) => each.port === this.#doorPort);
    if (first) first.server.emit('connection', socket);
    else socket.destroy();
  }

  /** `held` is no longer held: closed, or its listen() goes on as without the hold. */
  #release(held: HeldListen): void {
    if (!this.#held.delete(held)) return;
    unhold(held.server);
    if (this.#held.size > 0) return;
    process.off('message', this.#onMessage);
    // the last one closed: a later listen() on the port opens a door again
    this.#door?.close();
    this.#door = null;
    this.#isDoorOpen = false;
  }

  /** The door could not open: the servers held listen now, as they would have without the hold. */
  #end(): void {
    this.#isOver = true;
    for (const held of [...this.#held]) {
      this.#release(held);
      this.#listen.apply(held.server, held.args);
    }
  }

  #admit(): void {
    this.#isOver = true;
    process.off('message', this.#onMessage);
    this.#door?.close();
    const held = [...this.#held];
    this.#held.clear();
    for (const each of held) admitServer(each, this.#listen);
  }
}

/** What the primary sends a held worker once its probe passed: it may listen on the shared port now. */
export interface AdmitMessage {
  velos_admit: true;
}

/** True for the message that admits a held worker to the shared port. */
export function isAdmitMessage(data: unknown): data is AdmitMessage {
  return (
    typeof data === 'object' && data !== null && (data as { velos_admit?: unknown }).velos_admit === true
  );
}

/** The server's own methods again: the hold's `address()`, `close()`, dispose and `listening` are gone. */
function unhold(server: net.Server, { keepsListening = false } = {}): void {
  delete (server as Partial<net.Server>).address;
  delete (server as Partial<net.Server>).close;
  Reflect.deleteProperty(server, Symbol.asyncDispose);
  if (!keepsListening) Reflect.deleteProperty(server, 'listening');
}

/** The TCP port a `listen()` call names (a number, a numeric string or `{port}`), else null. */
export function listenedPort(args: unknown[]): number | null {
  const [first] = args;
  const value = typeof first === 'object' && first !== null ? (first as { port?: unknown }).port : first;
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
}

/** The admitted server makes its `listen()` call for real; its app's `'listening'` listeners heard it already. */
function admitServer(held: HeldListen, listen: Listen): void {
  const { server } = held;
  if (!held.isAnnounced) {
    unhold(server);
    listen.apply(server, held.args);
    return;
  }
  // still `listening` until it listens on the shared port (or fails to)
  unhold(server, { keepsListening: true });
  const listeners = server.rawListeners('listening') as ((...a: unknown[]) => void)[];
  server.removeAllListeners('listening');
  const restore = (): void => {
    Reflect.deleteProperty(server, 'listening');
    server.off('error', restore);
    server.off('listening', restore);
    for (const listener of listeners) server.on('listening', listener);
  };
  server.once('error', restore);
  listen.apply(server, held.callArgs);
  server.once('listening', restore);
}

/** The error a worker's second server on an address and port gets from node:cluster: `bind EADDRINUSE`. */
function refuse(server: net.Server, { address, port }: net.AddressInfo): void {
  import('node:util').then(({ getSystemErrorMap }) => {
    const errno = [...getSystemErrorMap()].find(([, [name]]) => name === 'EADDRINUSE')?.[0];
    const error = new Error(`bind EADDRINUSE ${address}:${port}`);
    server.emit('error', Object.assign(error, { errno, code: 'EADDRINUSE', syscall: 'bind', address, port }));
  });
}

/** The error `listen()` throws on a server that listens already (Node's ERR_SERVER_ALREADY_LISTEN). */
function alreadyListening(): Error {
  return Object.assign(new Error('Listen method has been called more than once without closing.'), {
    code: 'ERR_SERVER_ALREADY_LISTEN',
  });
}

/** The host a `listen()` call names (`{host}` or its second argument); `::` (every address) when none. */
function listenedHost(args: unknown[]): string {
  const [first, second] = args;
  const options = typeof first === 'object' && first !== null ? (first as { host?: unknown }) : null;
  const host = options ? options.host : second;
  return typeof host === 'string' && host !== '' ? host : '::';
}

function familyOf(address: string): string {
  return net.isIPv4(address) ? 'IPv4' : 'IPv6';
}
