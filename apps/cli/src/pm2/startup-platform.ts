/** The init systems `velos startup` writes a service for. */
export type StartupInitSystem = 'systemd' | 'launchd';

/** PM2's `startup` platform names (`pm2 startup ubuntu`) and the init system PM2 picks for each. */
const PM2_PLATFORMS: Readonly<Record<string, string>> = {
  ubuntu: 'systemd',
  centos: 'systemd',
  arch: 'systemd',
  oracle: 'systemd',
  macos: 'launchd',
  darwin: 'launchd',
  ubuntu14: 'upstart',
  ubuntu12: 'upstart',
  amazon: 'systemv',
  centos6: 'systemv',
  freebsd: 'rcd',
  openbsd: 'rcd-openbsd',
};

/**
 * The init system the argument of `velos startup` names: `systemd` or `launchd`, or one of PM2's
 * platform names for them (`ubuntu`, `centos`, `macos`…). Otherwise the one-line reason it is refused,
 * naming the init system a PM2 platform stands for (`ubuntu14`: upstart) and PM2's `--user <name>`
 * (Velos's `--user` is a flag, so the name was read as the init system).
 * @example startupInitSystem('ubuntu', false) // { system: 'systemd' }
 */
export function startupInitSystem(
  name: string,
  hasUserFlag: boolean,
): { system: StartupInitSystem } | { refused: string } {
  const system = name === 'systemd' || name === 'launchd' ? name : PM2_PLATFORMS[name];
  if (system === 'systemd' || system === 'launchd') return { system };
  const pm2 = system === undefined ? '' : ` (PM2's name for ${system})`;
  const user = hasUserFlag
    ? `; --user is a systemd user unit here: PM2's --user ${name} is -u ${name} (--user-name)`
    : '';
  return { refused: `unknown init system "${name}"${pm2}: velos startup knows systemd and launchd${user}` };
}
