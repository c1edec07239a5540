import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURES,
  homeEnv,
  outLog,
  range,
  readLines,
  readPidFile,
  rowsNamed,
  VELOS_BIN,
  velos,
  velosOk,
  waitFor,
  waitForStatus,
} from './helpers.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.CI) {
  throw new Error('tmux is not installed: the monit end-to-end test needs it (apt-get install -y tmux)');
}

/** tmux servers started by this file, each on its own socket; killed by socket name in teardown. */
const sockets: string[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) spawnSync('tmux', ['-L', socket, 'kill-server']);
  await cleanupHomes();
});

/** Runs `velos monit` in a detached tmux session of `columns`×`rows` on a socket of its own. */
function startMonit(home: string, columns: number, rows: number): { socket: string; screen: () => string } {
  const socket = `velos-monit-${process.pid}-${sockets.length}-${Date.now()}`;
  sockets.push(socket);
  // The pane's shell prints monit's exit status, then stays, so the test sees how monit ended.
  const command = `'${process.execPath}' '${VELOS_BIN}' monit; echo "monit exited $?"; sleep 600`;
  const started = spawnSync(
    'tmux',
    [
      '-L',
      socket,
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-x',
      String(columns),
      '-y',
      String(rows),
      command,
    ],
    { env: homeEnv(home, { TERM: 'xterm-256color' }), encoding: 'utf8' },
  );
  if (started.status !== 0) throw new Error(`tmux new-session failed: ${started.stderr}`);
  const screen = () => spawnSync('tmux', ['-L', socket, 'capture-pane', '-p'], { encoding: 'utf8' }).stdout;
  return { socket, screen };
}

/** The log pane's note while no daemon answers (LOGS_PAUSED in apps/cli/src/monit/monit-store.ts). */
const LOGS_PAUSED = 'paused while the daemon is away';

/** The numbers N of every `line N` (the ticker's stdout lines) on a screen, top to bottom. */
function lineNumbers(text: string): number[] {
  return [...text.matchAll(/ line (\d+)\b/g)].map((m) => Number(m[1]));
}

function sendKeys(socket: string, ...keys: string[]): void {
  for (const key of keys) spawnSync('tmux', ['-L', socket, 'send-keys', key]);
}

describe.skipIf(!hasTmux)('velos monit in a real terminal (tmux)', () => {
  it('selects an app, restarts it, and shows the new pid and its log lines; q quits with 0', async () => {
    const home = createHome();
    await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'quiet'], { home });
    await velosOk(['start', join(FIXTURES, 'ticker.js'), '--name', 'tick'], {
      home,
      env: { TICK_MS: '300' },
    });
    const before = await waitForStatus(home, 'tick', 'online');
    const { socket, screen } = startMonit(home, 80, 24);
    const until = (what: string, test: (text: string) => boolean) =>
      waitFor(() => test(screen()), { timeoutMs: 20_000, message: `${what}; screen:\n${screen()}` });

    await until('the table', (s) => /quiet/.test(s) && /tick/.test(s) && s.includes('── logs quiet#0'));
    // two keys in one write (as typed fast or pasted): each is handled, k (stays on the first) then j
    sendKeys(socket, 'kj');
    await until('tick selected', (s) => s.includes('── logs tick#0 (id 1)'));
    await until('tick log lines', (s) => s.includes(`ticker ${before.pid} line`));

    sendKeys(socket, 'r');
    const after = await waitFor(
      async () => {
        const row = (await rowsNamed(home, 'tick'))[0];
        return row && row.pid !== before.pid && row.status === 'online' ? row : undefined;
      },
      { timeoutMs: 20_000, message: 'tick to restart with a new pid' },
    );
    await until('the outcome inline', (s) => s.includes(`restarted tick#0 (pid ${after.pid})`));
    await until('the new pid in the table', (s) => new RegExp(`tick\\s+online\\s+${after.pid}\\b`).test(s));
    await until('log lines of the new pid', (s) => s.includes(`ticker ${after.pid} line`));
    for (const line of screen().split('\n')) expect([...line].length).toBeLessThanOrEqual(80);

    // a filter picks quiet (tick, selected before, hidden); cleared, the table keeps quiet selected
    sendKeys(socket, '/qui', 'Enter');
    await until(
      'the filter kept, quiet selected',
      (s) => s.includes('filter "qui"') && s.includes('── logs quiet#0'),
    );
    sendKeys(socket, 'Escape');
    await until('every process again', (s) => /tick/.test(s) && !s.includes('filter "qui"'));
    expect(screen()).toContain('── logs quiet#0');
    expect(screen()).toMatch(/▸\s+0 quiet/);

    sendKeys(socket, 'q');
    await until('monit to quit with 0', (s) => s.includes('monit exited 0'));
  });

  it('after velos kill shows the daemon unreachable and starts none; follows the next one (velos resurrect)', async () => {
    const home = createHome();
    await velosOk(['start', join(FIXTURES, 'ticker.js'), '--name', 'tick'], {
      home,
      env: { TICK_MS: '300' },
    });
    const before = await waitForStatus(home, 'tick', 'online');
    const { screen } = startMonit(home, 100, 30);
    const until = (what: string, test: (text: string) => boolean) =>
      waitFor(() => test(screen()), { timeoutMs: 20_000, message: `${what}; screen:\n${screen()}` });
    await until('tick log lines', (s) => s.includes(`ticker ${before.pid} line`));

    await velosOk(['kill'], { home });
    await until('the daemon unreachable', (s) => s.includes('unreachable:') && s.includes(LOGS_PAUSED));
    // monit goes on asking (the list every 2 s, the follows every second): no daemon comes of it
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      expect(readPidFile(home), `a daemon runs; screen:\n${screen()}`).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    await velosOk(['resurrect'], { home });
    const after = await waitForStatus(home, 'tick', 'online');
    await until('the table of the new daemon', (s) =>
      new RegExp(`tick\\s+online\\s+${after.pid}\\b`).test(s),
    );
    await until(
      'log lines of the new run',
      (s) => s.includes(`ticker ${after.pid} line`) && !s.includes(LOGS_PAUSED),
    );
    await until(
      'the new daemon in the events',
      (s) => s.includes(`daemon.started`) && s.includes('health healthy'),
    );
  });

  it('goes on following logs and events across velos update, showing no line twice', async () => {
    const home = createHome();
    await velosOk(['start', join(FIXTURES, 'ticker.js'), '--name', 'tick'], {
      home,
      env: { TICK_MS: '200' },
    });
    const before = await waitForStatus(home, 'tick', 'online');
    const { screen } = startMonit(home, 100, 40);
    const until = (what: string, test: (text: string) => boolean) =>
      waitFor(() => test(screen()), { timeoutMs: 20_000, message: `${what}; screen:\n${screen()}` });
    await until('tick log lines', (s) => s.includes(`ticker ${before.pid} line 3`));
    const update = await velosOk(['update', '--json'], { home });
    const daemon = (JSON.parse(update.stdout) as { new: { pid: number } }).new.pid;
    const handedOver = Math.max(...lineNumbers(readLines(outLog(home, 'tick')).join('\n')));
    await until('the new daemon in the header', (s) => s.includes(`pid ${daemon}`));
    await until('log lines written after the update', (s) => lineNumbers(s).some((n) => n > handedOver + 5));
    await until('the new daemon in the events', (s) => s.includes(`started, pid ${daemon}`));
    const numbers = lineNumbers(screen());
    // the file's numbers tell a line monit left out from a line never captured (zero loss)
    const inFile = () => lineNumbers(readLines(outLog(home, 'tick')).join('\n')).join(',');
    expect(numbers, `handed over at ${handedOver}; in the file ${inFile()}`).toEqual(
      range(numbers[0]!, numbers.at(-1)!),
    );
    expect(screen()).not.toContain('closed while waiting');
  });

  it('redraws for a resized terminal; a SIGTERM or a SIGINT leaves the alternate screen', async () => {
    const home = createHome();
    await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'quiet'], { home });
    const { socket, screen } = startMonit(home, 100, 30);
    await waitFor(() => screen().includes('── logs quiet#0'), { timeoutMs: 20_000, message: 'the table' });
    spawnSync('tmux', ['-L', socket, 'resize-window', '-x', '80', '-y', '24']);
    await waitFor(
      () => {
        const lines = screen().split('\n');
        return lines.filter((line) => line.includes('velos ')).length === 1 && lines[0]?.startsWith('velos ');
      },
      { timeoutMs: 20_000, message: `one clean frame after the resize; screen:\n${screen()}` },
    );

    // monit is the only child of the pane's shell: Node ends on a signal without its 'exit' listeners
    const tmux = (...args: string[]) =>
      spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).stdout.trim();
    const monitPid = Number(
      spawnSync('pgrep', ['-P', tmux('display', '-p', '#{pane_pid}')], { encoding: 'utf8' }).stdout,
    );
    expect(tmux('display', '-p', '#{alternate_on}')).toBe('1');
    process.kill(monitPid, 'SIGTERM');
    await waitFor(() => screen().includes('monit exited 143'), {
      timeoutMs: 20_000,
      message: `monit to exit on SIGTERM; screen:\n${screen()}`,
    });
    expect(tmux('display', '-p', '#{alternate_on}')).toBe('0');

    // a SIGINT: kill -INT, or a Ctrl-C before ink has the keyboard in raw mode (as the splash shows)
    const second = startMonit(home, 80, 24);
    await waitFor(() => second.screen().includes('── logs quiet#0'), {
      timeoutMs: 20_000,
      message: 'the table',
    });
    const tmux2 = (...args: string[]) =>
      spawnSync('tmux', ['-L', second.socket, ...args], { encoding: 'utf8' }).stdout.trim();
    const secondPid = Number(
      spawnSync('pgrep', ['-P', tmux2('display', '-p', '#{pane_pid}')], { encoding: 'utf8' }).stdout,
    );
    process.kill(secondPid, 'SIGINT');
    await waitFor(() => second.screen().includes('monit exited 130'), {
      timeoutMs: 20_000,
      message: `monit to exit on SIGINT; screen:\n${second.screen()}`,
    });
    expect(tmux2('display', '-p', '#{alternate_on}')).toBe('0');
  });
});

describe('velos monit without a terminal', () => {
  it('exits 2 with a message that names the alternatives', async () => {
    const home = createHome();
    const result = await velos(['monit'], { home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('velos: monit needs a terminal (stdout is not a TTY)');
    expect(result.stderr).toContain('velos list --json');
    // that line only: dist/monit-entry.js once read every export of node:fs, which Node 24 warns about (F_OK…)
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
