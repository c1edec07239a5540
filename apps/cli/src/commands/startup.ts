import { realpathSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { ErrorCodes, VELOS_VERSION, VelosError } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import { type CommandContext, DAEMON_NODE_FLAGS } from '../context.js';
import { usageError } from '../parse-argv.js';
import { installLaunchAgent, uninstallLaunchAgent } from '../startup/launchd-install.js';
import { renderLaunchdPlist } from '../startup/launchd-plist.js';
import {
  installSystemdUnit,
  type SystemdTarget,
  systemdUnitPath,
  uninstallSystemdUnit,
} from '../startup/systemd-install.js';
import { isValidServiceName, isValidUserName, renderSystemdUnit } from '../startup/systemd-unit.js';

/** The init systems `velos startup` writes a service for. */
export type InitSystem = 'systemd' | 'launchd';

const DEFAULT_SERVICE_NAME = 'velos';

/**
 * `velos startup [systemd|launchd]`: prints (`--print`) or installs a service that runs the daemon at
 * boot; a system unit needs root, so without it the command prints the one line to run as root.
 */
export async function runStartup(ctx: CommandContext, input: CommandInput): Promise<void> {
  const system = initSystemOf(input, 'startup');
  const home = resolve(stringOption(input, 'home') ?? ctx.home);
  const facts = {
    nodePath: process.execPath,
    // the flags this command runs with (`node --max-old-space-size=… velos.js startup`) go to the daemon too
    nodeFlags: [...DAEMON_NODE_FLAGS, ...process.execArgv],
    cliEntry: cliEntry(),
    home,
    path: process.env.PATH ?? '',
    version: VELOS_VERSION,
  };
  const isPrint = input.options.print === true;
  if (system === 'launchd') {
    refuseSystemdOptions(input, 'startup');
    const plist = renderLaunchdPlist(facts);
    if (isPrint) return void process.stdout.write(plist);
    const path = await installLaunchAgent(plist);
    ctx.print(`wrote ${path} and loaded it: the Velos daemon of ${home} starts when you log in`);
    return;
  }

  const target = systemdTargetOf(input, 'startup');
  const user = target.isUserUnit ? undefined : userNameOf(input);
  const unit = renderSystemdUnit({ ...facts, isUserUnit: target.isUserUnit, ...(user ? { user } : {}) });
  if (isPrint) return void process.stdout.write(unit);
  if (!target.isUserUnit && !isRoot()) {
    const again = [
      'startup',
      'systemd',
      '--user-name',
      user ?? '',
      '--home',
      home,
      ...serviceNameArgs(target),
    ];
    process.stderr.write(`velos: writing ${systemdUnitPath(target)} needs root; run this as root:\n`);
    ctx.print(
      ['sudo', 'env', `PATH=${facts.path}`, facts.nodePath, facts.cliEntry, ...again]
        .map(shellQuote)
        .join(' '),
    );
    return;
  }
  const path = await installSystemdUnit(target, unit);
  const name = target.serviceName;
  if (target.isUserUnit) {
    ctx.print(
      `wrote ${path} and enabled it: the Velos daemon of ${home} starts with your systemd user session`,
    );
    ctx.print(`to start it at boot without a login: loginctl enable-linger ${userInfo().username}`);
    ctx.print(`to hand the running daemon over now: velos kill && systemctl --user start ${name}`);
  } else {
    ctx.print(`wrote ${path} and enabled it: the Velos daemon of ${home} starts at boot as ${user}`);
    ctx.print(`to hand the running daemon over now: velos kill && systemctl start ${name}`);
  }
}

/** `velos unstartup [systemd|launchd]`: disables and removes the service `velos startup` installed. */
export async function runUnstartup(ctx: CommandContext, input: CommandInput): Promise<void> {
  const system = initSystemOf(input, 'unstartup');
  if (system === 'launchd') {
    refuseSystemdOptions(input, 'unstartup');
    const removed = await uninstallLaunchAgent();
    ctx.print(
      removed ? `unloaded and removed ${removed}` : 'no Velos LaunchAgent is installed: nothing to remove',
    );
    return;
  }
  const target = systemdTargetOf(input, 'unstartup');
  if (!target.isUserUnit && !isRoot()) {
    const again = ['unstartup', 'systemd', ...serviceNameArgs(target)];
    process.stderr.write(`velos: removing ${systemdUnitPath(target)} needs root; run this as root:\n`);
    ctx.print(['sudo', process.execPath, cliEntry(), ...again].map(shellQuote).join(' '));
    return;
  }
  const removed = await uninstallSystemdUnit(target);
  ctx.print(
    removed
      ? `disabled and removed ${removed}; a daemon it runs now keeps running until velos kill`
      : `there is no ${systemdUnitPath(target)}: nothing to remove`,
  );
}

function initSystemOf(input: CommandInput, command: string): InitSystem {
  const name = input.args[0] ?? platformInitSystem(command);
  if (name === 'systemd' || name === 'launchd') return name;
  throw usageError(`unknown init system "${name}": velos ${command} knows systemd and launchd`, command);
}

function platformInitSystem(command: string): InitSystem {
  if (process.platform === 'linux') return 'systemd';
  if (process.platform === 'darwin') return 'launchd';
  throw usageError(
    `name the init system (systemd or launchd): none is known on ${process.platform}`,
    command,
  );
}

function systemdTargetOf(input: CommandInput, command: string): SystemdTarget {
  const serviceName = stringOption(input, 'service-name') ?? DEFAULT_SERVICE_NAME;
  if (!isValidServiceName(serviceName)) {
    throw usageError(
      `--service-name: expected letters, digits and : _ . - (e.g. velos), got "${serviceName}"`,
      command,
    );
  }
  const isUserUnit = input.options.user === true;
  if (isUserUnit && input.options['user-name'] !== undefined) {
    throw usageError('--user-name is for a system unit; a --user unit runs as you', command);
  }
  return { serviceName, isUserUnit };
}

function userNameOf(input: CommandInput): string {
  const name = stringOption(input, 'user-name') ?? userInfo().username;
  if (!isValidUserName(name)) throw usageError(`--user-name: "${name}" is not a valid user name`, 'startup');
  return name;
}

function refuseSystemdOptions(input: CommandInput, command: string): void {
  for (const option of ['user', 'user-name', 'service-name']) {
    if (input.options[option] !== undefined) throw usageError(`--${option} is for systemd only`, command);
  }
}

function serviceNameArgs(target: SystemdTarget): string[] {
  return target.serviceName === DEFAULT_SERVICE_NAME ? [] : ['--service-name', target.serviceName];
}

function stringOption(input: CommandInput, name: string): string | undefined {
  const value = input.options[name];
  return typeof value === 'string' ? value : undefined;
}

// The script this command runs from (bin/velos.js, or wherever a global install links to), as a real path.
function cliEntry(): string {
  const script = process.argv[1];
  if (!script) throw new VelosError(ErrorCodes.INVALID_ARGUMENT, 'cannot tell which script runs velos');
  try {
    return realpathSync(script);
  } catch {
    return resolve(script);
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
