import { quoteValue } from './quote-value.js';

/**
 * What an HTTP probe can send: a URL with a host and a port in range, header names that are HTTP
 * tokens and values without control characters. Checked when the config is read, so a typo is an
 * error at `velos start` rather than a liveness probe that fails (and restarts the app) on every run.
 */

/** An HTTP header name: an RFC 9110 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Characters a header value may not hold (Node refuses them): controls but tab, CR, LF, DEL. */
const HEADER_VALUE_BAD = /[^\t\x20-\x7e\x80-\xff]/;

/** Why `text` is no URL an HTTP probe can request (`http://` alone, a space in the host…), or null. */
export function probeUrlProblem(text: string): string | null {
  if (!/^https?:\/\//i.test(text)) return 'expected an http:// or https:// URL';
  return URL.canParse(text) ? null : 'expected a valid http:// or https:// URL (a host, a port 1-65535)';
}

/** Why `name` cannot be an HTTP probe's header name, or null. */
export function probeHeaderNameProblem(name: string): string | null {
  return HEADER_NAME.test(name)
    ? null
    : `expected header names of letters, digits and - (no spaces or ":"), got ${quoteValue(name)}`;
}

/** Why `value` cannot be an HTTP probe's header value, or null. */
export function probeHeaderValueProblem(value: string): string | null {
  return HEADER_VALUE_BAD.test(value)
    ? 'expected a header value without control characters (newlines)'
    : null;
}
