/**
 * Where the tag starts when a syslog host stands at `from` (just past the time), else -1: the host and
 * tag of `web-3 sshd[4121]: `, `combo kernel: `, `dn228/dn228 crond(pam_unix)[2915]: `, macOS's
 * `mbp-7 com.apple.xpc.launchd[1] (com.apple.x.42): ` — a host name, one space, then a tag (a program
 * name) with a pid in brackets followed by `:` or ` (`, or, when `bare` allows, a tag alone and `: `.
 * The host leaves the mined message like the time before it: a central syslog file holds every event
 * once per host, and with the host as its first word one event would be one template per host (the
 * miner's tree is keyed by the first word). The tag stays: it names the program, part of the event.
 *
 * `bare` (a syslog date, `Dec 10 06:55:46`, always followed by a host) also accepts a tag without a pid
 * (`combo kernel: `); behind another time (rsyslog's ISO times, an app's own) a tag needs its pid, so
 * `2026-03-02T10:00:00Z Server started: port 80` keeps its words. Read by hand, not with a regular
 * expression: the record parser tries every line with a leading time.
 *
 * @example
 * syslogHostEnd('Mar 10 12:00:13 web-1 systemd[1]: Started x', 16, true); // 22
 */
export function syslogHostEnd(line: string, from: number, bare: boolean): number {
  if (!isAlnum(line.charCodeAt(from))) return -1;
  let q = from + 1;
  while (isHostChar(line.charCodeAt(q))) q++;
  if (line.charCodeAt(q) !== 32) return -1;
  const tag = q + 1;
  q = tag;
  while (isHostChar(line.charCodeAt(q)) || line.charCodeAt(q) === 40 || line.charCodeAt(q) === 41) q++;
  if (q === tag) return -1;
  const c = line.charCodeAt(q);
  if (c === 91) {
    // [pid] then `:` or ` (`
    let r = q + 1;
    while (isDigit(line.charCodeAt(r))) r++;
    if (r === q + 1 || line.charCodeAt(r) !== 93) return -1;
    const after = line.charCodeAt(r + 1);
    if (after === 58 || (after === 32 && line.charCodeAt(r + 2) === 40)) return tag;
    return -1;
  }
  return bare && c === 58 && line.charCodeAt(q + 1) === 32 ? tag : -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlnum(c: number): boolean {
  return isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 122);
}

/** A character of a host name or a tag: a letter, a digit, `_`, `.`, `-` or `/`. */
function isHostChar(c: number): boolean {
  return isAlnum(c) || c === 95 || c === 46 || c === 45 || c === 47;
}
