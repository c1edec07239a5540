import { join } from 'node:path';
import { ALLOCATOR_TUNED_MARK, DAEMON_ALLOCATOR_ENV } from '@velos/core';

/** Label of the Velos LaunchAgent, also the name of its plist file. */
export const LAUNCHD_LABEL = 'dev.velos.daemon';

/** What the LaunchAgent of the Velos daemon is made of. */
export interface LaunchdPlistOptions {
  /** Absolute path of the node binary. */
  nodePath: string;
  /** Node flags of the daemon, before the script (e.g. `--max-semi-space-size=1`). */
  nodeFlags?: readonly string[];
  /** Absolute path of the `velos` CLI script. */
  cliEntry: string;
  /** The Velos home the daemon serves (`VELOS_HOME`); launchd's own output files go there too. */
  home: string;
  /** `PATH` of the daemon and of the apps it starts. */
  path: string;
  /** The Velos version written in the header comment. */
  version: string;
}

/**
 * Renders the LaunchAgent plist of the Velos daemon (SUP-14): run at load, restarted when it fails
 * (not after `velos kill`, which exits 0), the daemon in the foreground.
 * @example renderLaunchdPlist({ nodePath, cliEntry, home, path: process.env.PATH ?? '', version });
 */
export function renderLaunchdPlist(options: LaunchdPlistOptions): string {
  const args = [options.nodePath, ...(options.nodeFlags ?? []), options.cliEntry, 'daemon', '--foreground'];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    `<!-- The Velos daemon, written by velos startup launchd (velos ${escapeXml(options.version)}). -->`,
    '<!-- It restores the processes of its saved state (state.json) when it starts. -->',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${LAUNCHD_LABEL}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...args.map((arg) => `    <string>${escapeXml(arg)}</string>`),
    '  </array>',
    '  <key>EnvironmentVariables</key>',
    '  <dict>',
    '    <key>VELOS_HOME</key>',
    `    <string>${escapeXml(options.home)}</string>`,
    '    <key>PATH</key>',
    `    <string>${escapeXml(options.path)}</string>`,
    // the allocator tuning the launcher and the systemd unit give the daemon (which then drops it)
    ...Object.entries({ ...DAEMON_ALLOCATOR_ENV, [ALLOCATOR_TUNED_MARK]: '1' }).flatMap(([name, value]) => [
      `    <key>${escapeXml(name)}</key>`,
      `    <string>${escapeXml(value)}</string>`,
    ]),
    '  </dict>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    '  <key>KeepAlive</key>',
    '  <dict>',
    '    <key>SuccessfulExit</key>',
    '    <false/>',
    '  </dict>',
    '  <key>StandardOutPath</key>',
    `  <string>${escapeXml(join(options.home, 'launchd-out.log'))}</string>`,
    '  <key>StandardErrorPath</key>',
    `  <string>${escapeXml(join(options.home, 'launchd-err.log'))}</string>`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}
