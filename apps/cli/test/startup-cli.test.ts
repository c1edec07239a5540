import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON_NODE_FLAGS } from '../src/context.js';
import { BIN, DIST, type Run, runTool, Scratch } from './startup-helpers.js';
import { parsePlist } from './startup-plist.js';

const scratch = new Scratch();
afterEach(() => scratch.cleanup());

beforeAll(() => {
  if (!existsSync(DIST))
    throw new Error(`${DIST} is missing: build the CLI first (pnpm --filter velos build)`);
});

const SYSTEM_UNIT = '/etc/systemd/system/velos.service';
const CLI_ENTRY = realpathSync(BIN);

/** A fake `systemctl` that appends its arguments to `<bin>/calls` and exits with `exitCode`. */
function fakeSystemctl(exitCode = 0, stderr = ''): { bin: string; calls: () => string[] } {
  const bin = scratch.fakeProgram(
    'systemctl',
    `echo "$*" >> "$(dirname "$0")/calls"\n${stderr ? `echo '${stderr}' >&2\n` : ''}exit ${exitCode}`,
  );
  const file = join(bin, 'calls');
  return { bin, calls: () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []) };
}

function verifyUnit(file: string): Promise<Run> {
  return runTool(scratch, 'systemd-analyze', ['verify', file], '/', 'systemd');
}

describe('velos startup systemd --print', () => {
  it.each([
    ['a system unit', []],
    ['a user unit', ['--user']],
  ])('prints %s that passes systemd-analyze verify', async (_kind, extra) => {
    const home = join(scratch.dir(), 'home');
    const printed = await scratch.run(BIN, ['startup', 'systemd', '--print', ...extra], { VELOS_HOME: home });
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    expect(printed.stdout).toContain(
      `ExecStart=${process.execPath} ${DAEMON_NODE_FLAGS.join(' ')} ${CLI_ENTRY} daemon --foreground`,
    );
    expect(printed.stdout).toContain(`Environment=VELOS_HOME=${home}\n`);
    expect(printed.stdout).toContain('Type=notify\nNotifyAccess=all\n');
    expect(printed.stdout).toContain('\nWatchdogSec=30s\n');
    expect(printed.stdout.includes(`User=${userInfo().username}\n`)).toBe(extra.length === 0);

    const file = join(scratch.dir(), 'velos-test.service');
    writeFileSync(file, printed.stdout);
    const verified = await verifyUnit(file);
    // verify exits 0 on some problems and only warns: any line about our unit is a failure
    expect(verified.stderr.split('\n').filter((line) => line.includes('velos-test'))).toEqual([]);
    expect(verified.code).toBe(0);
  });

  it('changes nothing on disk (no unit, no home, no daemon)', async () => {
    const userHome = scratch.dir();
    const velosHome = join(userHome, 'velos-home');
    const hadUnit = existsSync(SYSTEM_UNIT);
    const env = { HOME: userHome, VELOS_HOME: velosHome, XDG_CONFIG_HOME: '' };
    for (const args of [['systemd'], ['systemd', '--user'], ['launchd']]) {
      const run = await scratch.run(BIN, ['startup', ...args, '--print'], env);
      expect(run.code).toBe(0);
    }
    expect(readdirSync(userHome)).toEqual([]);
    expect(existsSync(SYSTEM_UNIT)).toBe(hadUnit);
  });

  it('takes --service-name, --user-name and --home into the unit', async () => {
    const run = await scratch.run(
      BIN,
      [
        'startup',
        'systemd',
        '--print',
        '--service-name',
        'velos-prod',
        '--user-name',
        'www-data',
        '--home',
        '/srv/v',
      ],
      {},
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('User=www-data\n');
    expect(run.stdout).toContain('Environment=VELOS_HOME=/srv/v\n');
    expect(run.stdout).toContain('# Remove it with `velos unstartup systemd --service-name velos-prod`.\n');
  });

  it("takes PM2's --wait-ip: the daemon starts once the network is online", async () => {
    // PM2's `startup --wait-ip` (a provisioning script's) used to be an unknown option, exit 2
    const run = await scratch.run(BIN, ['startup', 'ubuntu', '--print', '--wait-ip'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\nWants=network-online.target\nAfter=network-online.target\n');
    expect(run.stdout).not.toContain('After=network.target');
  });
});

describe('velos startup systemd: the home of the daemon user', () => {
  const isRoot = process.getuid?.() === 0;
  // nobody's entry in the password database (its home is usually /nonexistent)
  const nobody = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'nobody');
  const nobodyHome = nobody?.[5] ?? '';
  const me = userInfo().username;

  it.skipIf(nobody === undefined || userInfo().uid === 65_534)(
    "-u <user> takes that user's ~/.velos when this home would be refused, and says so",
    async () => {
      const home = scratch.dir(); // this user's, 0755
      const run = await scratch.run(BIN, ['startup', 'systemd', '--print', '-u', 'nobody'], {
        VELOS_HOME: home,
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('User=nobody\n');
      expect(run.stdout).toContain(`Environment=VELOS_HOME=${nobodyHome}/.velos\n`);
      expect(run.stderr).toContain(
        `velos: the daemon runs as nobody, but its home ${home} belongs to ${me}, and the daemon refuses a home of another user: it uses ${nobodyHome}/.velos instead (--home or --hp to choose another)\n`,
      );
      // a home given with --home stays, with a warning that says why it cannot work
      const given = await scratch.run(
        BIN,
        ['startup', 'systemd', '--print', '-u', 'nobody', '--home', home],
        {},
      );
      expect(given.code).toBe(0);
      expect(given.stdout).toContain(`Environment=VELOS_HOME=${home}\n`);
      expect(given.stderr).toBe(
        `velos: warning: the daemon runs as nobody, but its home ${home} belongs to ${me}, and the daemon refuses a home of another user; pass --home a directory of nobody${home === `${nobodyHome}/.velos` ? '' : ` (such as ${nobodyHome}/.velos)`}\n`,
      );
    },
  );

  it('warns of a user that does not exist', async () => {
    const run = await scratch.run(BIN, ['startup', 'systemd', '--print', '-u', 'velos-no-such-user'], {
      VELOS_HOME: join(scratch.dir(), 'home'),
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'velos: warning: there is no user "velos-no-such-user" on this machine: systemd cannot start the unit as that user\n',
    );
  });

  it.runIf(isRoot && nobody !== undefined)(
    '--hp of another user keeps User= you (as PM2) and warns, naming --user-name that user',
    async () => {
      const dir = scratch.dir();
      chownSync(dir, 65_534, 65_534);
      const run = await scratch.run(BIN, ['startup', 'systemd', '--print', '--hp', dir], {});
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`User=${me}\n`);
      expect(run.stdout).toContain(`Environment=VELOS_HOME=${dir}/.velos\n`);
      expect(run.stderr).toBe(
        `velos: warning: the daemon runs as ${me}, but it would create its home ${dir}/.velos inside ${dir}, which belongs to nobody, out of the reach of nobody's velos; pass --user-name nobody to run it as nobody, or --home a directory of ${me} (such as ${userInfo().homedir}/.velos)\n`,
      );
      mkdirSync(join(dir, '.velos'), { mode: 0o700 });
      chownSync(join(dir, '.velos'), 65_534, 65_534);
      const existing = await scratch.run(BIN, ['startup', 'systemd', '--print', '--hp', dir], {});
      expect(existing.stderr).toMatch(
        /belongs to nobody, and the daemon refuses a home of another user; pass --user-name nobody/,
      );
      // with -u nobody it is right: nothing to say
      const right = await scratch.run(
        BIN,
        ['startup', 'systemd', '--print', '--hp', dir, '-u', 'nobody'],
        {},
      );
      expect(right).toMatchObject({ code: 0, stderr: '' });
      expect(right.stdout).toContain('User=nobody\n');
    },
  );
});

describe('velos startup launchd --print', () => {
  it('prints a well-formed LaunchAgent plist with the expected keys', async () => {
    const home = join(scratch.dir(), 'home');
    const run = await scratch.run(BIN, ['startup', 'launchd', '--print'], {
      VELOS_HOME: home,
      PATH: '/usr/bin:/bin',
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(parsePlist(run.stdout)).toMatchObject({
      Label: 'dev.velos.daemon',
      ProgramArguments: [process.execPath, ...DAEMON_NODE_FLAGS, CLI_ENTRY, 'daemon', '--foreground'],
      EnvironmentVariables: { VELOS_HOME: home, PATH: '/usr/bin:/bin' },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      StandardErrorPath: join(home, 'launchd-err.log'),
    });
  });

  // SUP-14: installing a LaunchAgent can only run on macOS; elsewhere it must refuse cleanly
  it.skipIf(process.platform === 'darwin')('refuses to install off macOS with one line, exit 1', async () => {
    const userHome = scratch.dir();
    const run = await scratch.run(BIN, ['startup', 'launchd'], { HOME: userHome });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^velos: velos startup launchd works on macOS only, this is \w+ .*--print.*\n$/,
    );
    expect(readdirSync(userHome)).toEqual([]);
  });
});

describe("PM2's startup platform names", () => {
  it.each([
    ['ubuntu', 'systemd'],
    ['centos', 'systemd'],
    ['macos', 'launchd'],
  ])('velos startup %s --print prints what velos startup %s --print does', async (platform, system) => {
    const env = { VELOS_HOME: join(scratch.dir(), 'h') };
    const named = await scratch.run(BIN, ['startup', platform, '--print'], env);
    const own = await scratch.run(BIN, ['startup', system, '--print'], env);
    expect(named).toMatchObject({ code: 0, stderr: '' });
    expect(named.stdout).toBe(own.stdout);
  });
});

describe('velos startup / unstartup usage', () => {
  it.each([
    [['startup', 'upstart'], /unknown init system "upstart"/],
    [['unstartup', 'runit'], /unknown init system "runit"/],
    [['startup', 'ubuntu14'], /unknown init system "ubuntu14" \(PM2's name for upstart\)/],
    [['startup', '--user', 'deploy'], /PM2's --user deploy is -u deploy \(--user-name\)/],
    [['startup', 'systemd', '--user', '--user-name', 'x'], /--user-name is for a system unit/],
    [['startup', 'systemd', '--print', '--service-name', '../etc/x'], /--service-name: expected/],
    [['startup', 'launchd', '--print', '--user'], /--user is for systemd only/],
    [['startup', 'launchd', '--print', '--wait-ip'], /--wait-ip is for systemd only/],
  ])('velos %j is a usage error (exit 2)', async (args, message) => {
    const run = await scratch.run(BIN, args, { VELOS_HOME: join(scratch.dir(), 'h') });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});

describe('velos startup systemd --user (installing)', () => {
  it('writes the user unit, reloads and enables it; unstartup disables and removes it', async () => {
    const userHome = scratch.dir();
    const systemctl = fakeSystemctl();
    const env = { HOME: userHome, XDG_CONFIG_HOME: '', PATH: `${systemctl.bin}:${process.env.PATH}` };
    const unitPath = join(userHome, '.config/systemd/user/velos.service');

    const installed = await scratch.run(BIN, ['startup', 'systemd', '--user'], env);
    expect(installed).toMatchObject({ code: 0, stderr: '' });
    expect(installed.stdout).toContain(`wrote ${unitPath} and enabled it`);
    const printed = await scratch.run(BIN, ['startup', 'systemd', '--user', '--print'], env);
    expect(readFileSync(unitPath, 'utf8')).toBe(printed.stdout);
    expect(systemctl.calls()).toEqual(['--user daemon-reload', '--user enable velos.service']);

    const removed = await scratch.run(BIN, ['unstartup', 'systemd', '--user'], env);
    expect(removed).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(unitPath)).toBe(false);
    expect(systemctl.calls().slice(2)).toEqual(['--user disable velos.service', '--user daemon-reload']);

    const again = await scratch.run(BIN, ['unstartup', 'systemd', '--user'], env);
    expect(again).toMatchObject({ code: 0, stdout: `there is no ${unitPath}: nothing to remove\n` });
    expect(systemctl.calls()).toHaveLength(4);
  });

  it('takes a --service-name given with its .service suffix as the unit name', async () => {
    const userHome = scratch.dir();
    const systemctl = fakeSystemctl();
    const env = { HOME: userHome, XDG_CONFIG_HOME: '', PATH: `${systemctl.bin}:${process.env.PATH}` };
    const unitPath = join(userHome, '.config/systemd/user/velos-x.service');
    const args = ['systemd', '--user', '--service-name', 'velos-x.service'];

    const installed = await scratch.run(BIN, ['startup', ...args], env);
    expect(installed).toMatchObject({ code: 0, stderr: '' });
    expect(installed.stdout).toContain(`wrote ${unitPath} and enabled it`);
    expect(installed.stdout).toContain('systemctl --user start velos-x\n');
    expect(readFileSync(unitPath, 'utf8')).toContain(
      'velos unstartup systemd --user --service-name velos-x`',
    );
    expect(systemctl.calls()).toEqual(['--user daemon-reload', '--user enable velos-x.service']);

    const removed = await scratch.run(BIN, ['unstartup', ...args], env);
    expect(removed).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(unitPath)).toBe(false);
  });

  it('keeps the unit and exits 1 with one clear line when systemctl fails', async () => {
    const userHome = scratch.dir();
    const systemctl = fakeSystemctl(
      1,
      'System has not been booted with systemd as init system (PID 1). Cannot operate.',
    );
    const env = { HOME: userHome, XDG_CONFIG_HOME: '', PATH: `${systemctl.bin}:${process.env.PATH}` };
    const unitPath = join(userHome, '.config/systemd/user/velos-x.service');

    const installed = await scratch.run(
      BIN,
      ['startup', 'systemd', '--user', '--service-name', 'velos-x'],
      env,
    );
    expect(installed.code).toBe(1);
    expect(installed.stderr.split('\n')).toHaveLength(2);
    expect(installed.stderr).toMatch(
      /^velos: systemctl --user daemon-reload failed: .*System has not been booted/,
    );
    expect(installed.stderr).toContain(`the unit is kept in ${unitPath}`);
    expect(existsSync(unitPath)).toBe(true);

    const removed = await scratch.run(
      BIN,
      ['unstartup', 'systemd', '--user', '--service-name', 'velos-x'],
      env,
    );
    expect(removed.code).toBe(1);
    expect(removed.stderr).toMatch(/^velos: systemctl --user disable velos-x\.service failed: .*is kept\n$/);
    expect(existsSync(unitPath)).toBe(true);
  });
});

describe('velos startup systemd without root', () => {
  // as root the test runs the CLI as "nobody"; otherwise it already is an ordinary user
  const asUser = process.getuid?.() === 0 ? { uid: 65_534, gid: 65_534 } : {};
  const userName = process.getuid?.() === 0 ? 'nobody' : userInfo().username;

  it('prints the one command to run as root and changes nothing', async () => {
    const hadUnit = existsSync(SYSTEM_UNIT);
    const env = {
      VELOS_HOME: '/nonexistent/velos-home',
      HOME: '/nonexistent',
      PATH: '/usr/local/bin:/usr/bin:/bin',
    };
    const node = scratch.nodeForOthers();
    const run = await scratch.run(
      BIN,
      ['startup', 'systemd', '--service-name', 'velos-ci', '--wait-ip'],
      env,
      {
        ...asUser,
        node,
      },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      'velos: writing /etc/systemd/system/velos-ci.service needs root; run this as root:\n',
    );
    expect(run.stdout).toBe(
      `sudo env PATH=/usr/local/bin:/usr/bin:/bin ${node} ${CLI_ENTRY} startup systemd ` +
        `--user-name ${userName} --home /nonexistent/velos-home --service-name velos-ci --wait-ip\n`,
    );
    expect(existsSync(SYSTEM_UNIT)).toBe(hadUnit);
    expect(existsSync('/etc/systemd/system/velos-ci.service')).toBe(false);

    // a unit that is there needs root to go; this machine's own velos.service is left alone either way
    const removal = await scratch.run(BIN, ['unstartup', 'systemd'], env, { ...asUser, node });
    expect(removal).toMatchObject(
      hadUnit
        ? {
            code: 1,
            stdout: '',
            stderr: expect.stringContaining(`run sudo ${node} ${CLI_ENTRY} unstartup systemd\n`),
          }
        : { code: 0, stdout: `there is no ${SYSTEM_UNIT}: nothing to remove\n`, stderr: '' },
    );
    expect(existsSync(SYSTEM_UNIT)).toBe(hadUnit);
  });

  // the unit is put there as root, and the CLI run as "nobody"; an ordinary user cannot write it
  it.skipIf(process.getuid?.() !== 0)(
    'refuses to remove an installed unit in one line naming the command to run as root (exit 1), and keeps it',
    async () => {
      const name = `velos-ci-unstartup-${process.pid}`;
      const unitPath = `/etc/systemd/system/${name}.service`;
      writeFileSync(unitPath, '[Service]\nExecStart=/bin/true\n', { mode: 0o644 });
      try {
        const env = { VELOS_HOME: '/nonexistent/velos-home', HOME: '/nonexistent', PATH: '/usr/bin:/bin' };
        const node = scratch.nodeForOthers();
        const removal = await scratch.run(BIN, ['unstartup', 'systemd', '--service-name', name], env, {
          ...asUser,
          node,
        });
        // it printed the sudo line on stdout and exited 0: a script read "removed"
        expect(removal).toMatchObject({
          code: 1,
          stdout: '',
          stderr:
            `velos: removing ${unitPath} needs root; nothing was removed: ` +
            `run sudo ${node} ${CLI_ENTRY} unstartup systemd --service-name ${name}\n`,
        });
        expect(existsSync(unitPath)).toBe(true);
      } finally {
        rmSync(unitPath, { force: true });
      }
    },
  );

  it('says there is nothing to remove when no unit is installed, rather than asking for root', async () => {
    const env = { VELOS_HOME: '/nonexistent/velos-home', HOME: '/nonexistent', PATH: '/usr/bin:/bin' };
    const node = scratch.nodeForOthers();
    const removal = await scratch.run(BIN, ['unstartup', 'systemd', '--service-name', 'velos-ci-none'], env, {
      ...asUser,
      node,
    });
    expect(removal).toMatchObject({
      code: 0,
      stdout: 'there is no /etc/systemd/system/velos-ci-none.service: nothing to remove\n',
      stderr: '',
    });
  });
});
