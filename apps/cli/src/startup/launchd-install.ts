import { existsSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ErrorCodes, VelosError } from '@velos/core';
import { LAUNCHD_LABEL } from './launchd-plist.js';
import { runTool } from './run-tool.js';

/** Path of the Velos LaunchAgent: `~/Library/LaunchAgents/dev.velos.daemon.plist`. */
export function launchAgentPath(): string {
  return join(homedir(), 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
}

/**
 * Writes the LaunchAgent and loads it into the user's GUI domain (a loaded older one is unloaded
 * first); macOS only.
 */
export async function installLaunchAgent(plist: string): Promise<string> {
  const domain = guiDomain('startup');
  const path = launchAgentPath();
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, plist, { mode: 0o644 });
  renameSync(temporary, path);
  // fails when nothing is loaded yet, which is the usual case
  await runTool('launchctl', ['bootout', `${domain}/${LAUNCHD_LABEL}`]);
  const loaded = await runTool('launchctl', ['bootstrap', domain, path]);
  if (!loaded.isOk) {
    throw new VelosError(
      ErrorCodes.SERVICE_MANAGER_FAILED,
      `launchctl bootstrap ${domain} ${path} failed: ${loaded.reason}; the plist is kept in ${path}`,
    );
  }
  return path;
}

/** Unloads the LaunchAgent and removes its plist; resolves with the removed path, or null when there was none. */
export async function uninstallLaunchAgent(): Promise<string | null> {
  const domain = guiDomain('unstartup');
  const path = launchAgentPath();
  if (!existsSync(path)) return null;
  // fails when it is not loaded, which leaves only the file to remove
  await runTool('launchctl', ['bootout', `${domain}/${LAUNCHD_LABEL}`]);
  unlinkSync(path);
  return path;
}

function guiDomain(command: string): string {
  if (process.platform !== 'darwin') {
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `velos ${command} launchd works on macOS only, this is ${process.platform} (velos startup launchd --print shows the plist on any system)`,
    );
  }
  return `gui/${process.getuid?.() ?? 0}`;
}
