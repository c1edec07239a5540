import { realpathSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCodes, VELOS_VERSION, VelosError } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import { type CommandContext, DAEMON_NODE_FLAGS, printWarnings } from '../context.js';
import { usageError } from '../parse-argv.js';
import { startupInitSystem } from '../pm2/startup-platform.js';
import { installLaunchAgent, uninstallLaunchAgent } from '../startup/launchd-install.js';
import { renderLaunchdPlist } from '../startup/launchd-plist.js';
import {
  installSystemdUnit,
  type SystemdTarget,
  systemdUnitPath,
  uninstallSystemdUnit,
} from '../startup/systemd-install.js';
import { isValidServiceName, isValidUserName, renderSystemdUnit } from '../startup/systemd-unit.js';
import { homeProblem, lookupUser, type UserEntry } from '../startup/unit-user.js';

/** The init systems `velos startup` writes a service for. */
export type InitSystem = 'systemd' | 'launchd';

const DEFAULT_SERVICE_NAME = 'velos';

/**
 * `velos startup [systemd|launchd]`: prints (`--print`) or installs a service that runs the daemon at
 * boot; a system unit needs root, so without it the command prints the one line to run as root.
 */
export async function runStartup(ctx: CommandContext, input: CommandInput): Promise<void> {
  const system = initSystemOf(input, 'startup');
  const target = system === 'systemd' ? systemdTargetOf(input, 'startup') : undefined;
  const user = target === undefined || target.isUserUnit ? undefined : userNameOf(input);
  const runAs = await daemonUser(user);
  const home = await daemonHome(input, ctx.home, runAs);
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

  if (target === undefined) return;
  const unit = renderSystemdUnit({
    ...facts,
    isUserUnit: target.isUserUnit,
    serviceName: target.serviceName,
    isWaitingForNetwork: input.options['wait-ip'] === true,
    ...(user ? { user } : {}),
  });
  const isHandedToRoot = !isPrint && !target.isUserUnit && !isRoot();
  // root, given the line below, checks it; the unit it prints or installs is checked here
  if (!isHandedToRoot && runAs !== undefined) await warnAboutHome(home, runAs, input);
  if (isPrint) return void process.stdout.write(unit);
  if (isHandedToRoot) {
    const again = [
      'startup',
      'systemd',
      '--user-name',
      user ?? '',
      '--home',
      home,
      ...serviceNameArgs(target),
      ...(input.options['wait-ip'] === true ? ['--wait-ip'] : []),
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
  // without a unit there is nothing root could do: said as root would say it (exit 0), not handed over;
  // with one, nothing was removed: an error (exit 1), not a success a script would read as done
  if (!target.isUserUnit && !isRoot() && unitMayExist(systemdUnitPath(target))) {
    const again = ['unstartup', 'systemd', ...serviceNameArgs(target)];
    const command = ['sudo', process.execPath, cliEntry(), ...again].map(shellQuote).join(' ');
    throw new VelosError(
      ErrorCodes.FORBIDDEN,
      `removing ${systemdUnitPath(target)} needs root; nothing was removed: run ${command}`,
    );
  }
  const removed = await uninstallSystemdUnit(target);
  ctx.print(
    removed
      ? `disabled and removed ${removed}; a daemon it runs now keeps running until velos kill`
      : `there is no ${systemdUnitPath(target)}: nothing to remove`,
  );
}

/** Who the daemon of the unit runs as: you, or the user of --user-name (undefined when there is none). */
async function daemonUser(user: string | undefined): Promise<UserEntry | undefined> {
  const me = userInfo();
  if (user === undefined || user === me.username) return { name: me.username, uid: me.uid, home: me.homedir };
  const entry = await lookupUser(user);
  if (entry === undefined) {
    printWarnings([`there is no user "${user}" on this machine: systemd cannot start the unit as that user`]);
  }
  return entry;
}

/**
 * The daemon's VELOS_HOME: --home (or --hp's <dir>/.velos); else this one, unless the daemon runs as
 * another user who could not use it (the daemon refuses a home of another user): then that user's
 * ~/.velos, and a line on stderr says so.
 */
async function daemonHome(
  input: CommandInput,
  current: string,
  runAs: UserEntry | undefined,
): Promise<string> {
  const given = stringOption(input, 'home');
  if (given !== undefined) return resolve(given);
  const home = resolve(current);
  if (runAs === undefined || runAs.uid === process.getuid?.()) return home;
  const problem = await homeProblem(home, runAs);
  if (problem === undefined) return home;
  const theirs = join(runAs.home, '.velos');
  process.stderr.write(
    `velos: the daemon runs as ${runAs.name}, but ${problem.what}: it uses ${theirs} instead (--home or --hp to choose another)\n`,
  );
  return theirs;
}

/** A warning when the daemon of the unit could not use its home, with the fix. */
async function warnAboutHome(home: string, runAs: UserEntry, input: CommandInput): Promise<void> {
  const problem = await homeProblem(home, runAs);
  if (problem === undefined) return;
  const theirs = join(runAs.home, '.velos');
  const another = `--home a directory of ${runAs.name}${theirs === home ? '' : ` (such as ${theirs})`}`;
  const isOwnerAnother = problem.owner !== undefined && problem.ownerUid !== 0;
  const fix =
    problem.fix ??
    (isOwnerAnother && input.options['user-name'] === undefined
      ? `pass --user-name ${problem.owner} to run it as ${problem.owner}, or ${another}`
      : `pass ${another}`);
  printWarnings([`the daemon runs as ${runAs.name}, but ${problem.what}; ${fix}`]);
}

function initSystemOf(input: CommandInput, command: string): InitSystem {
  const name = input.args[0] ?? platformInitSystem(command);
  const known = startupInitSystem(name, input.options.user === true);
  if ('system' in known) return known.system;
  throw usageError(known.refused.replace('velos startup', `velos ${command}`), command);
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
  // `velos.service` names the unit `velos` (systemctl takes both), not a `velos.service.service` file
  const serviceName = (stringOption(input, 'service-name') ?? DEFAULT_SERVICE_NAME).replace(/\.service$/, '');
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
  for (const option of ['user', 'user-name', 'service-name', 'wait-ip']) {
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

/** False only when `path` surely does not exist; a directory this user cannot search may hide it. */
function unitMayExist(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
