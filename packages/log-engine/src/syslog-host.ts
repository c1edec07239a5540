/**
 * The host and tag of a syslog line after its time: `web-3 sshd[4121]: `, `combo kernel: `,
 * `dn228/dn228 crond(pam_unix)[2915]: `, macOS's `mbp-7 com.apple.xpc.launchd[1] (com.apple.x.42): `.
 * Sticky, tried where the time ends: a host name, one space, then a tag (a program name) with a pid in
 * brackets followed by `:` or ` (`, or, when `bare` allows, a tag alone followed by `: `.
 */
const WITH_PID = /[A-Za-z0-9][\w.\-/]* [\w.\-/()]+\[\d+\](?::| \()/y;
const BARE = /[A-Za-z0-9][\w.\-/]* [\w.\-/()]+: /y;

/**
 * Where the tag starts when a syslog host stands at `from` (just past the time), else -1. The host leaves
 * the mined message like the time before it: a central syslog file holds every event once per host, and
 * with the host as its first word one event would be one template per host (the miner's tree is keyed by
 * the first word). The tag stays: it names the program, which is part of the event.
 *
 * `bare` (a syslog date, `Dec 10 06:55:46`, always followed by a host) also accepts a tag without a pid
 * (`combo kernel: `); behind another time (rsyslog's ISO times, an app's own) a tag needs its pid, so
 * `2026-03-02T10:00:00Z Server started: port 80` keeps its words.
 *
 * @example
 * syslogHostEnd('Mar 10 12:00:13 web-1 systemd[1]: Started x', 16, true); // 22
 */
export function syslogHostEnd(line: string, from: number, bare: boolean): number {
  WITH_PID.lastIndex = from;
  if (!WITH_PID.test(line)) {
    if (!bare) return -1;
    BARE.lastIndex = from;
    if (!BARE.test(line)) return -1;
  }
  return line.indexOf(' ', from) + 1;
}
