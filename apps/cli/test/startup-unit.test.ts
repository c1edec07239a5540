import { describe, expect, it } from 'vitest';
import { LAUNCHD_LABEL, renderLaunchdPlist } from '../src/startup/launchd-plist.js';
import { isValidServiceName, isValidUserName, renderSystemdUnit } from '../src/startup/systemd-unit.js';
import { parsePlist } from './startup-plist.js';

const facts = {
  nodePath: '/usr/bin/node',
  cliEntry: '/opt/velos/bin/velos.js',
  home: '/home/ann/.velos',
  path: '/usr/local/bin:/usr/bin:/bin',
  version: '9.8.7',
};

/** The `key=value` lines of one `[section]` of a unit, comments left out. */
function section(unit: string, name: string): string[] {
  const lines = unit.split('\n');
  const start = lines.indexOf(`[${name}]`);
  if (start === -1) throw new Error(`no [${name}] in:\n${unit}`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('['));
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((line) => line && !line.startsWith('#'));
}

describe('renderSystemdUnit', () => {
  it('renders a Type=notify system unit that runs the daemon in the foreground and stops it with kill', () => {
    const unit = renderSystemdUnit({ ...facts, user: 'ann' });
    expect(section(unit, 'Unit')).toEqual(['Description=Velos process manager', 'After=network.target']);
    expect(section(unit, 'Service')).toEqual([
      'Type=notify',
      'NotifyAccess=all',
      'User=ann',
      'Environment=VELOS_HOME=/home/ann/.velos',
      'Environment=PATH=/usr/local/bin:/usr/bin:/bin',
      // glibc's mmap threshold fixed, as the launcher does (docs/protocol.md), and dropped by the daemon
      'Environment=MALLOC_MMAP_THRESHOLD_=16384',
      'Environment=VELOS_ALLOCATOR_TUNED=1',
      'ExecStart=/usr/bin/node /opt/velos/bin/velos.js daemon --foreground',
      'ExecStop=/usr/bin/node /opt/velos/bin/velos.js kill',
      'Restart=on-failure',
      'KillMode=process',
      'LimitNOFILE=65536',
      'TimeoutStopSec=60',
      'WatchdogSec=30s',
    ]);
    expect(section(unit, 'Install')).toEqual(['WantedBy=multi-user.target']);
    expect(unit).toMatch(/^# .*velos 9\.8\.7/);
    expect(unit).toMatch(/# The daemon restores the processes of its saved state/);
    expect(unit.endsWith('\n')).toBe(true);
  });

  it('names in its header the unstartup command that removes this unit: its --user and --service-name', () => {
    expect(renderSystemdUnit({ ...facts, user: 'ann' })).toContain(
      '# Remove it with `velos unstartup systemd`.',
    );
    // the header used to say `velos unstartup systemd` always, which finds no velos.service to remove
    expect(renderSystemdUnit({ ...facts, isUserUnit: true, serviceName: 'velos-api' })).toContain(
      '# Remove it with `velos unstartup systemd --user --service-name velos-api`.',
    );
  });

  it("waits for network-online.target when asked (PM2's --wait-ip)", () => {
    const unit = renderSystemdUnit({ ...facts, user: 'ann', isWaitingForNetwork: true });
    expect(section(unit, 'Unit')).toEqual([
      'Description=Velos process manager',
      'Wants=network-online.target',
      'After=network-online.target',
    ]);
  });

  it('puts node flags between node and the script', () => {
    const unit = renderSystemdUnit({ ...facts, nodeFlags: ['--max-semi-space-size=1'] });
    expect(section(unit, 'Service')).toContain(
      'ExecStart=/usr/bin/node --max-semi-space-size=1 /opt/velos/bin/velos.js daemon --foreground',
    );
    const plist = parsePlist(renderLaunchdPlist({ ...facts, nodeFlags: ['--max-semi-space-size=1'] }));
    expect((plist as { ProgramArguments: string[] }).ProgramArguments.slice(0, 3)).toEqual([
      '/usr/bin/node',
      '--max-semi-space-size=1',
      '/opt/velos/bin/velos.js',
    ]);
  });

  it('renders a user unit without User= and wanted by default.target', () => {
    const unit = renderSystemdUnit({ ...facts, user: 'ann', isUserUnit: true, stopTimeoutSec: 120 });
    expect(section(unit, 'Service')).not.toContain('User=ann');
    expect(section(unit, 'Service')).toContain('TimeoutStopSec=120');
    expect(section(unit, 'Install')).toEqual(['WantedBy=default.target']);
  });

  it('quotes spaces and escapes the characters systemd would expand (% everywhere, $ in Exec lines)', () => {
    const unit = renderSystemdUnit({
      ...facts,
      user: 'ann',
      home: '/srv/my apps/100%',
      path: '/opt/a "b"/bin:/usr/bin',
      cliEntry: '/opt/$velos/velos.js',
    });
    const service = section(unit, 'Service');
    expect(service).toContain('Environment="VELOS_HOME=/srv/my apps/100%%"');
    expect(service).toContain('Environment="PATH=/opt/a \\"b\\"/bin:/usr/bin"');
    expect(service).toContain('ExecStart=/usr/bin/node /opt/$$velos/velos.js daemon --foreground');
  });
});

describe('unit names', () => {
  it('accepts service and user names systemd takes and refuses paths and blanks', () => {
    expect(['velos', 'velos-prod', 'velos@api', 'a.b_c:d'].filter(isValidServiceName)).toHaveLength(4);
    expect(['', '../x', 'a/b', 'velos@', 'a b'].filter(isValidServiceName)).toEqual([]);
    expect(['ann', 'www-data', '_svc', 'build$'].filter(isValidUserName)).toHaveLength(4);
    expect(['', '-x', 'a b', 'a/b', 'a\nb'].filter(isValidUserName)).toEqual([]);
  });
});

describe('renderLaunchdPlist', () => {
  it('is a well-formed plist with the label, program, environment, keep-alive and log paths', () => {
    const plist = parsePlist(renderLaunchdPlist({ ...facts, home: '/Users/ann/.velos & <co>' }));
    expect(plist).toEqual({
      Label: LAUNCHD_LABEL,
      ProgramArguments: ['/usr/bin/node', '/opt/velos/bin/velos.js', 'daemon', '--foreground'],
      // the allocator tuning of the systemd unit and the launcher, dropped by the daemon once it runs
      EnvironmentVariables: {
        VELOS_HOME: '/Users/ann/.velos & <co>',
        PATH: facts.path,
        MALLOC_MMAP_THRESHOLD_: '16384',
        VELOS_ALLOCATOR_TUNED: '1',
      },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      StandardOutPath: '/Users/ann/.velos & <co>/launchd-out.log',
      StandardErrorPath: '/Users/ann/.velos & <co>/launchd-err.log',
    });
  });

  it('the minimal parser refuses what is not well-formed', () => {
    const good = renderLaunchdPlist(facts);
    expect(() => parsePlist(good.replace('</array>', ''))).toThrow();
    expect(() => parsePlist(good.replace('<string>daemon</string>', '<string>a & b</string>'))).toThrow();
    expect(() => parsePlist(good.replace('</plist>', ''))).toThrow();
  });
});
