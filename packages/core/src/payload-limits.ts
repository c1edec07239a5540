import { ErrorCodes, VelosError } from './errors.js';

/** Size and count limits a request payload must meet before its schema is checked. */
export const PAYLOAD_LIMITS = {
  /** Apps in one `start` request. */
  maxAppsPerStart: 1000,
  /** Entries of one object, e.g. an app's `env` or a probe's `headers`. */
  maxObjectEntries: 4096,
  /** Items of one array other than `start.apps`, e.g. an app's `args`. */
  maxArrayItems: 4096,
  /** Characters of one object key (an env variable name). */
  maxKeyChars: 1024,
  /** Characters of one string (an env value, an argument), or bytes of one binary value. */
  maxStringChars: 128 * 1024,
  /** Values (objects, arrays, strings, numbers…) in one payload. */
  maxValues: 500_000,
  /** Nesting depth of objects and arrays. */
  maxDepth: 16,
  /**
   * MessagePack values and keys in one request frame, counted before it is decoded: a 16 MiB frame of
   * empty maps would build 16 million objects (~1 GB, past the daemon's 512 MB heap); 4 million cost
   * ~260 MB at most, for a moment. A request between `maxValues` and this still gets its answer.
   */
  maxFrameItems: 4_000_000,
} as const;

/** How a payload broke a limit: the path of the value and what was wrong with it. */
export interface LimitBreach {
  path: (string | number)[];
  message: string;
}

/**
 * Checks a request payload against `PAYLOAD_LIMITS` in one bounded walk (no schema, no zod) and
 * throws `INVALID_ARGUMENT` naming the command, the path and the limit at the first breach.
 */
export function checkPayloadLimits(cmd: string, payload: unknown): void {
  const breach = findBreach(cmd, payload);
  if (breach === null) return;
  const path = formatPayloadPath(breach.path);
  throw new VelosError(ErrorCodes.INVALID_ARGUMENT, `${cmd}: ${path || 'payload'}: ${breach.message}`, {
    data: { issues: [{ path, message: breach.message }] },
  });
}

/** Formats a value path the way error messages show it: `apps[2].env.HOME`. */
export function formatPayloadPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

/** The first way `value` breaks `PAYLOAD_LIMITS` (its path inside `value` and what is wrong), or null. */
export function findPayloadBreach(value: unknown): LimitBreach | null {
  return findBreach('', value);
}

function findBreach(cmd: string, payload: unknown): LimitBreach | null {
  const apps = cmd === 'start' ? (payload as { apps?: unknown } | null)?.apps : undefined;
  if (Array.isArray(apps) && apps.length > PAYLOAD_LIMITS.maxAppsPerStart) {
    return {
      path: ['apps'],
      message: `${apps.length} apps, at most ${PAYLOAD_LIMITS.maxAppsPerStart} per request`,
    };
  }
  const walker = new LimitWalker();
  try {
    walker.walk(payload, [], cmd === 'start' ? 'apps' : null);
  } catch (error) {
    if (error instanceof BreachFound) return error.breach;
    throw error;
  }
  return null;
}

class BreachFound extends Error {
  constructor(readonly breach: LimitBreach) {
    super(breach.message);
  }
}

class LimitWalker {
  private values = 0;

  // Recursion is safe: depth is checked before descending, so it never passes maxDepth frames.
  walk(value: unknown, path: (string | number)[], largeArrayKey: string | null): void {
    this.count();
    if (typeof value === 'string') {
      if (value.length > PAYLOAD_LIMITS.maxStringChars) {
        this.fail(path, `a string of ${value.length} characters, at most ${PAYLOAD_LIMITS.maxStringChars}`);
      }
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (ArrayBuffer.isView(value)) {
      if (value.byteLength > PAYLOAD_LIMITS.maxStringChars) {
        this.fail(path, `${value.byteLength} bytes of binary data, at most ${PAYLOAD_LIMITS.maxStringChars}`);
      }
      return;
    }
    if (path.length >= PAYLOAD_LIMITS.maxDepth) {
      this.fail(path, `nested deeper than ${PAYLOAD_LIMITS.maxDepth} levels`);
    }
    if (Array.isArray(value)) {
      const isAppList = path.length === 1 && path[0] === largeArrayKey;
      if (!isAppList && value.length > PAYLOAD_LIMITS.maxArrayItems) {
        this.fail(path, `${value.length} items, at most ${PAYLOAD_LIMITS.maxArrayItems}`);
      }
      for (let i = 0; i < value.length; i += 1) {
        path.push(i);
        this.walk(value[i], path, largeArrayKey);
        path.pop();
      }
      return;
    }
    let entries = 0;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      entries += 1;
      if (entries > PAYLOAD_LIMITS.maxObjectEntries) {
        this.fail(path, `more than ${PAYLOAD_LIMITS.maxObjectEntries} entries`);
      }
      if (key.length > PAYLOAD_LIMITS.maxKeyChars) {
        this.fail(path, `a key of ${key.length} characters, at most ${PAYLOAD_LIMITS.maxKeyChars}`);
      }
      path.push(key);
      this.walk((value as Record<string, unknown>)[key], path, largeArrayKey);
      path.pop();
    }
  }

  private count(): void {
    this.values += 1;
    if (this.values > PAYLOAD_LIMITS.maxValues) {
      this.fail([], `more than ${PAYLOAD_LIMITS.maxValues} values in one request`);
    }
  }

  private fail(path: (string | number)[], message: string): never {
    throw new BreachFound({ path: [...path], message });
  }
}
