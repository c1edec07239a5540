// Scanners for variable values at a token start. Each returns the end index of the value, or -1.
// They work on char codes without regular expressions: they run on every token of every line.

const DURATION_UNITS = new Set([
  'ns',
  'us',
  'µs',
  'ms',
  's',
  'sec',
  'secs',
  'second',
  'seconds',
  'm',
  'min',
  'mins',
  'minute',
  'minutes',
  'h',
  'hr',
  'hrs',
  'hour',
  'hours',
  'd',
  'day',
  'days',
]);
const SIZE_UNITS = new Set([
  'b',
  'B',
  'byte',
  'bytes',
  'Bytes',
  'k',
  'K',
  'kb',
  'kB',
  'KB',
  'KiB',
  'M',
  'mb',
  'MB',
  'MiB',
  'g',
  'G',
  'gb',
  'GB',
  'GiB',
  'T',
  'TB',
  'TiB',
  'PB',
  'PiB',
]);
const EMAIL = /^[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

/** What a number-like value at a token start turned out to be. */
export type NumberKind = 'num' | 'hex' | 'dur' | 'size';

/** Out-parameter of `scanNumber`: the kind of the last value it matched. */
export const scanState: { numberKind: NumberKind } = { numberKind: 'num' };

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

export function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 181;
}

/** True when a value may end at `q`: end of text, or a character that is neither alphanumeric nor `_`. */
export function endsAt(s: string, q: number, end: number): boolean {
  if (q >= end) return true;
  const c = s.charCodeAt(q);
  if (isAlnum(c) || c === 95) return false;
  // A dot, dash or @ followed by more word characters continues the word (5.36.59.76.dsl-ip, 0@x.com).
  if ((c === 46 || c === 45 || c === 64) && q + 1 < end && isAlnum(s.charCodeAt(q + 1))) return false;
  return true;
}

function digits(s: string, p: number, end: number): number {
  let q = p;
  while (q < end && isDigit(s.charCodeAt(q))) q++;
  return q - p;
}

/** IPv4 with an optional `:port`. */
export function scanIpv4(s: string, p: number, end: number, allowPort = true): number {
  let q = p;
  for (let group = 0; group < 4; group++) {
    if (group > 0) {
      if (s.charCodeAt(q) !== 46) return -1;
      q++;
    }
    const n = digits(s, q, end);
    if (n < 1 || n > 3) return -1;
    if (
      n === 3 &&
      (s.charCodeAt(q) - 48) * 100 + (s.charCodeAt(q + 1) - 48) * 10 + s.charCodeAt(q + 2) - 48 > 255
    ) {
      return -1;
    }
    q += n;
  }
  if (allowPort && s.charCodeAt(q) === 58) {
    const n = digits(s, q + 1, end);
    if (n >= 1 && n <= 5 && endsAt(s, q + 1 + n, end)) return q + 1 + n;
  }
  return endsAt(s, q, end) ? q : -1;
}

/** IPv6 (full, `::`-compressed, or with an IPv4 tail) with an optional `%zone`; needs a digit. */
export function scanIpv6(s: string, p: number, end: number): number {
  let q = p;
  let groups = 0;
  let compressed = false;
  let hasDigit = false;
  if (s.charCodeAt(q) === 58) {
    if (s.charCodeAt(q + 1) !== 58) return -1;
    compressed = true;
    q += 2;
  }
  while (q < end) {
    let h = q;
    while (h < end && h - q < 5 && isHexDigit(s.charCodeAt(h))) h++;
    if (h === q || h - q > 4) break;
    if (s.charCodeAt(h) === 46 && groups <= 6) {
      const v4 = scanIpv4(s, q, end, false);
      if (v4 > 0) {
        groups += 2;
        hasDigit = true;
        q = v4;
        break;
      }
    }
    for (let i = q; i < h; i++) if (isDigit(s.charCodeAt(i))) hasDigit = true;
    groups++;
    q = h;
    if (s.charCodeAt(q) !== 58) break;
    if (s.charCodeAt(q + 1) === 58) {
      if (compressed) return -1;
      compressed = true;
      q += 2;
    } else if (isHexDigit(s.charCodeAt(q + 1))) {
      q++;
    } else {
      break;
    }
  }
  if (!hasDigit || groups < 1 || (compressed ? groups > 7 : groups !== 8)) return -1;
  if (s.charCodeAt(q) === 37) {
    let z = q + 1;
    while (z < end && isAlnum(s.charCodeAt(z))) z++;
    if (z > q + 1) q = z;
  }
  return endsAt(s, q, end) ? q : -1;
}

/** UUID `8-4-4-4-12` hex digits. */
export function scanUuid(s: string, p: number, end: number): number {
  if (p + 36 > end) return -1;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(p + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return -1;
    } else if (!isHexDigit(c)) {
      return -1;
    }
  }
  return endsAt(s, p + 36, end) ? p + 36 : -1;
}

/**
 * A signed integer or decimal, `0x` hex, a duration (`250ms`, `1h30m`, `1.5s`) or a size (`64KB`, `2GiB`);
 * sets `scanState.numberKind`.
 */
export function scanNumber(s: string, p: number, end: number): number {
  let q = p;
  const c0 = s.charCodeAt(q);
  if (c0 === 45 || c0 === 43) q++;
  if (s.charCodeAt(q) === 48 && (s.charCodeAt(q + 1) | 32) === 120 && isHexDigit(s.charCodeAt(q + 2))) {
    q += 2;
    while (q < end && isHexDigit(s.charCodeAt(q))) q++;
    scanState.numberKind = 'hex';
    return endsAt(s, q, end) ? q : -1;
  }
  let kind: NumberKind = 'num';
  for (;;) {
    const n = digits(s, q, end);
    if (n === 0) return -1;
    q += n;
    if (s.charCodeAt(q) === 46 && isDigit(s.charCodeAt(q + 1))) q += 1 + digits(s, q + 1, end);
    if (q >= end || !isLetter(s.charCodeAt(q))) break;
    let u = q;
    while (u < end && isLetter(s.charCodeAt(u))) u++;
    const unit = s.slice(q, u);
    if (DURATION_UNITS.has(unit)) kind = 'dur';
    else if (SIZE_UNITS.has(unit) && kind === 'num') kind = 'size';
    else return -1;
    q = u;
    // Compound durations such as 1h30m15s continue with more digits.
    if (kind !== 'dur' || !isDigit(s.charCodeAt(q))) break;
  }
  scanState.numberKind = kind;
  return endsAt(s, q, end) ? q : -1;
}

/**
 * A unit written after a number and one space (`300 KB`, `2 secs`, `12 bytes`): the end of the unit when
 * `s[q]` is a space and a duration or size unit of two letters or more follows, as a whole word; -1
 * otherwise. One-letter units (`5 s`, `3 m`, `2 B`) stand alone too often for something else to count.
 * Sets `scanState.numberKind` to `dur` or `size`.
 */
export function scanSpacedUnit(s: string, q: number, end: number): number {
  if (s.charCodeAt(q) !== 32) return -1;
  let u = q + 1;
  while (u < end && u - q <= 8 && isLetter(s.charCodeAt(u))) u++;
  if (u - q < 3 || !endsAt(s, u, end)) return -1;
  const unit = s.slice(q + 1, u);
  // `1 Sec`, `5 Minutes` as well; sizes keep their case (`mb` and `Mb` differ)
  if (DURATION_UNITS.has(unit) || (u - q > 3 && DURATION_UNITS.has(unit.toLowerCase())))
    scanState.numberKind = 'dur';
  else if (SIZE_UNITS.has(unit)) scanState.numberKind = 'size';
  else return -1;
  return u;
}

/** A filesystem path: `/a/b`, `~/a`, `./a`, `../a/b` or `C:\a`; a lone `/name` is not one. */
export function scanPath(s: string, p: number, end: number): number {
  let q = p;
  const c = s.charCodeAt(q);
  let slashes = 0;
  if (c === 126 || c === 46) {
    // ~/x, ./x, ../x
    q++;
    if (c === 46 && s.charCodeAt(q) === 46) q++;
    if (s.charCodeAt(q) !== 47) return -1;
    slashes = 1;
  } else if (isLetter(c) && s.charCodeAt(q + 1) === 58 && s.charCodeAt(q + 2) === 92) {
    q += 2;
    slashes = 1;
  } else if (c !== 47) {
    return -1;
  }
  for (; q < end; q++) {
    const ch = s.charCodeAt(q);
    if (ch === 47 || ch === 92) slashes++;
    else if (
      !(
        isAlnum(ch) ||
        ch === 46 ||
        ch === 95 ||
        ch === 45 ||
        ch === 126 ||
        ch === 64 ||
        ch === 43 ||
        ch === 37 ||
        ch === 36 ||
        ch === 35
      )
    )
      break;
  }
  if (q <= p + 2) return -1;
  // A lone `/name` is a word (`/start`), unless it names a file (`/index.html`).
  if (slashes >= 2) return q;
  for (let i = p + 2; i < q - 1; i++) if (s.charCodeAt(i) === 46 && isLetter(s.charCodeAt(i + 1))) return q;
  return -1;
}

/**
 * The end of a relative path that fills the word `s[p, w)`, else -1: names made of path characters joined
 * by `/` or `\`, four or more (Windows' `GLOBALROOT/Device/HarddiskVolumeShadowCopy9/Windows/System32`), or
 * three when the last is a file's (`src/app/main.go`, the `Files\App\bin\app.dll` of `C:\Program Files\…`). Fewer are words (`HTTP/1.1`, `application/json`,
 * `ns/pod-7`, `TCP/UDP/ICMP`). An absolute path is `scanPath`'s.
 */
export function scanRelativePath(s: string, p: number, w: number): number {
  if (!isAlnum(s.charCodeAt(p)) && s.charCodeAt(p) !== 95) return -1;
  let slashes = 0;
  for (let q = p + 1; q < w; q++) {
    const ch = s.charCodeAt(q);
    if (ch === 47 || ch === 92) {
      // an empty name (`a//b`) or a trailing slash: no path
      const before = s.charCodeAt(q - 1);
      if (before === 47 || before === 92 || q === w - 1) return -1;
      slashes++;
    } else if (!(isAlnum(ch) || ch === 46 || ch === 95 || ch === 45 || ch === 126 || ch === 43 || ch === 37))
      return -1;
  }
  if (slashes >= 3) return w;
  if (slashes < 2) return -1;
  // two slashes: a path when the last name is a file's (`src/app/main.go`), not `TCP/UDP/ICMP`
  for (let q = w - 2; q > p && s.charCodeAt(q) !== 47 && s.charCodeAt(q) !== 92; q--)
    if (s.charCodeAt(q) === 46 && isLetter(s.charCodeAt(q + 1))) return w;
  return -1;
}

/** A URL `scheme://…` up to whitespace or a quote, without trailing punctuation. */
export function scanUrl(s: string, p: number, end: number): number {
  let q = p;
  while (
    q < end &&
    q - p < 16 &&
    (isAlnum(s.charCodeAt(q)) || s.charCodeAt(q) === 43 || s.charCodeAt(q) === 45)
  )
    q++;
  if (q === p || !isLetter(s.charCodeAt(p)) || !s.startsWith('://', q)) return -1;
  q += 3;
  const start = q;
  for (; q < end; q++) {
    const c = s.charCodeAt(q);
    if (c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96) break;
  }
  while (q > start) {
    const c = s.charCodeAt(q - 1);
    if (
      c === 46 ||
      c === 44 ||
      c === 59 ||
      c === 58 ||
      c === 41 ||
      c === 93 ||
      c === 125 ||
      c === 33 ||
      c === 63
    )
      q--;
    else break;
  }
  return q > start ? q : -1;
}

/** A quoted string `"…"`, `'…'` or `` `…` `` (backslash escapes allowed) that ends at a token boundary. */
export function scanQuoted(s: string, p: number, end: number, isBoundary: (c: number) => boolean): number {
  const quote = s.charCodeAt(p);
  for (let q = p + 1; q < end; q++) {
    const c = s.charCodeAt(q);
    if (c === 92) q++;
    else if (c === quote) return q + 1 >= end || isBoundary(s.charCodeAt(q + 1)) ? q + 1 : -1;
  }
  return -1;
}

const GENERIC_TLDS = new Set([
  'com',
  'net',
  'org',
  'edu',
  'gov',
  'mil',
  'int',
  'info',
  'biz',
  'io',
  'co',
  'local',
  'internal',
]);

/**
 * The two-letter file extensions that end a file name more often than a host name in a country domain
 * (`next.config.js`, `index.d.ts`, `access.log.1.gz`); the longer ones (`json`, `yaml`) are no domain here.
 */
const FILE_EXTENSIONS = new Set([
  'js',
  'ts',
  'py',
  'rb',
  'go',
  'rs',
  'md',
  'sh',
  'cs',
  'kt',
  'gz',
  'xz',
  'db',
]);

/**
 * True when the word `s[p, q)` is a host name: dot-separated labels ending in a generic top-level domain
 * (`db.example.com`, `DB.EXAMPLE.COM`), or in a two-letter country domain after at least two labels
 * (`proxy.cse.cuhk.edu.hk`) that is no file extension (`next.config.js`); not a lower-case name before an
 * upper-case domain (`production.INFO`).
 */
export function isHostname(s: string, p: number, q: number): boolean {
  let labels = 1;
  let labelStart = p;
  for (let i = p; i < q; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (i === labelStart || s.charCodeAt(i - 1) === 45) return false;
      labels++;
      labelStart = i + 1;
    } else if (!(isAlnum(c) || (c === 45 && i > labelStart))) {
      return false;
    }
  }
  if (labels < 2 || q - labelStart < 2) return false;
  for (let i = labelStart; i < q; i++) if (!isLetter(s.charCodeAt(i))) return false;
  // an upper-case domain after a lower-case name is a level: Monolog's `production.INFO`, `app.INFO`
  if (isUpper(s.charCodeAt(labelStart)) && isUpper(s.charCodeAt(q - 1)) && hasLower(s, p, labelStart))
    return false;
  const tld = s.slice(labelStart, q).toLowerCase();
  return GENERIC_TLDS.has(tld) || (tld.length === 2 && labels >= 3 && !FILE_EXTENSIONS.has(tld));
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** True when `s[p, q)` holds a lower-case ASCII letter. */
function hasLower(s: string, p: number, q: number): boolean {
  for (let i = p; i < q; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return true;
  }
  return false;
}

/** True when the word `s[p, q)` is an e-mail address. */
export function isEmail(s: string, p: number, q: number): boolean {
  return EMAIL.test(s.slice(p, q));
}
