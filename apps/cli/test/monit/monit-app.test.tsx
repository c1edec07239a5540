import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MonitApp } from '../../src/monit/monit-app.js';
import { createMonitStore, type MonitStore } from '../../src/monit/monit-store.js';
import { displayWidth } from '../../src/output/display-width.js';
import { fakeControl, logLine, proc } from './fake-control.js';

const SIZE = { columns: 80, rows: 24 };
const PAGE_UP = '\u001b[5~';
const PAGE_DOWN = '\u001b[6~';

/** [from, to): the integers from `from` up to `to` (not included). */
function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, n) => from + n);
}

/** The N of each `line N` log row of a frame, top to bottom. */
function logNumbers(frame: string): number[] {
  return [...frame.matchAll(/^ {2}line (\d+)$/gm)].map((match) => Number(match[1]));
}
const stores: MonitStore[] = [];
const unmounts: (() => void)[] = [];

afterEach(() => {
  for (const unmount of unmounts.splice(0)) unmount();
  for (const store of stores.splice(0)) store.stop();
});

function mount(
  processes = [proc({ id: 0, name: 'api' }), proc({ id: 1, name: 'worker', status: 'errored', pid: null })],
  size = SIZE,
  noticeMs?: number,
  maxHeldLogLines?: number,
) {
  const fake = fakeControl(processes);
  const store = createMonitStore(fake.control, {
    intervalMs: 50,
    historyIntervalMs: 50,
    throttleMs: 10,
    ...(maxHeldLogLines === undefined ? {} : { maxHeldLogLines }),
  });
  stores.push(store);
  store.start();
  const app = render(<MonitApp store={store} size={size} noticeMs={noticeMs} />);
  unmounts.push(app.unmount);
  const frame = () => app.lastFrame() ?? '';
  const until = (text: string) =>
    vi.waitFor(() => expect(frame()).toContain(text), { timeout: 3000, interval: 20 });
  const press = async (key: string, expected: string) => {
    app.stdin.write(key);
    await until(expected);
  };
  return { ...fake, app, store, frame, until, press };
}

describe('velos monit (ink)', () => {
  it('shows the daemon header, host bars, the table and the selected process', async () => {
    const m = mount();
    await m.until('worker');
    const frame = m.frame();
    expect(frame).toContain('velos 9.9.9');
    expect(frame).toContain('up 1h');
    expect(frame).toContain('2 processes (1 online)');
    expect(frame).toContain('health healthy');
    expect(frame).toMatch(/cpu █+░+\s+25%/);
    expect(frame).toContain('2.0G / 8.0G');
    expect(frame).toMatch(/▸\s+0 api\s+online\s+1000\s+1\.5%\s+30M\s+1m\s+0 -/);
    expect(frame).toMatch(/1 worker\s+errored\s+-\s+-\s+-\s+-\s+0/);
    await m.until('history unavailable (metrics history is not built yet)');
    expect(m.logSubs[0]?.request).toEqual({ target: '0', lines: 50 });
  });

  it('keeps the health word in a header too wide for the screen, leaving out the pid, then the RSS and the uptime', async () => {
    const many = Array.from({ length: 120 }, (_, id) => proc({ id, name: `app-${id}` }));
    const wide = mount(many);
    await wide.until('· health healthy');
    expect(wide.frame().split('\n')[0]).toBe(
      'velos 9.9.9 · up 1h · rss 48M · 120 processes (120 online) · health healthy',
    );
    const narrow = mount(many, { columns: 60, rows: 24 });
    await narrow.until('· health healthy');
    expect(narrow.frame().split('\n')[0]).toBe('velos 9.9.9 · 120 processes (120 online) · health healthy');
  });

  it('says which rows a scrolled table shows, on its header line, and nothing when every row shows', async () => {
    const many = Array.from({ length: 60 }, (_, id) => proc({ id, name: `app-${id}` }));
    const m = mount(many);
    await m.until('app-0');
    const header = () =>
      m
        .frame()
        .split('\n')
        .find((line) => line.includes(' name ')) ?? '';
    expect(header()).toMatch(/^ {2} id name +status .* health +1–6 of 60$/);
    expect(displayWidth(header())).toBe(80);
    await m.press('G', ' 55–60/60');
    expect(m.frame()).toMatch(/▸ +59 app-59 /);
    const narrow = mount(many, { columns: 40, rows: 24 });
    await narrow.until('app-0');
    const line = narrow
      .frame()
      .split('\n')
      .find((row) => row.includes('1–6/60'));
    expect(line).toMatch(/^ {2} id .*… 1–6\/60$/);
    const few = mount();
    await few.until('worker');
    expect(few.frame()).not.toMatch(/ of 2|\/2\b/);
  });

  it('shows - for the CPU and memory of a run the monitor has not measured yet, as the table does (not 0.0% 0B)', async () => {
    const m = mount([proc({ id: 0, name: 'boom', cpu: 0, memory: 0, uptime: 0 })]);
    m.state.history = { cpu: [1, 2], memory: [3, 4] };
    await m.until('boom#0');
    await vi.waitFor(() => expect(m.frame()).toMatch(/boom#0\s+cpu \S+\s+- mem \S+\s+-$/m), {
      timeout: 3000,
      interval: 20,
    });
    expect(m.frame()).toMatch(/▸\s+0 boom\s+online\s+1000\s+-\s+-/);
  });

  it('fits 80×24: at most 23 lines, none wider than 80 columns', async () => {
    const many = Array.from({ length: 30 }, (_, id) => proc({ id, name: `app-with-a-long-name-${id}` }));
    const m = mount(many);
    await m.until('app-with-a-long');
    for (let i = 0; i < 40; i += 1) m.logSubs[0]?.sub.push([logLine(0, `line ${i} ${'x'.repeat(120)}`)]);
    await m.until('line 39');
    const lines = m.frame().split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('draws log lines with tabs within the screen: the header stays on the first line', async () => {
    const m = mount();
    await m.until('worker');
    // a Java stack trace: ink counted a tab as no column, the terminal as up to 8 (the line ran over the edge)
    const frame = '\tat com.example.Foo.bar(Foo.java:42)' + '\t'.repeat(20) + 'END';
    for (let i = 0; i < 3; i += 1) m.logSubs[0]?.sub.push([logLine(0, `${i} ${frame}`)]);
    await vi.waitFor(() => expect(m.frame()).toMatch(/2\s+at com\.example/), { timeout: 3000, interval: 20 });
    expect(m.frame()).toContain(`2${' '.repeat(7)}at com.example.Foo.bar(Foo.java:42)`);
    const lines = m.frame().split('\n');
    expect(lines[0]).toMatch(/^velos 9\.9\.9/);
    for (const line of lines) {
      expect(line).not.toContain('\t');
      expect(displayWidth(line)).toBeLessThanOrEqual(80);
    }
  });

  it('cuts a log line of wide characters (CJK) at the screen’s edge, not one column past it', async () => {
    const m = mount([proc({ id: 0, name: 'サービス-日本語' }), proc({ id: 1, name: 'worker' })]);
    await m.until('worker');
    for (let i = 0; i < 3; i += 1)
      m.logSubs[0]?.sub.push([logLine(0, `${i} ${'日本語のログ行'.repeat(30)}`)]);
    m.logSubs[0]?.sub.push([logLine(0, `big ${'y'.repeat(300_000)}`, { stream: 'err' })]);
    const message = `${'サービス-日本語'.repeat(8)} (id 0) online`;
    m.eventSubs[0]?.sub.push([{ seq: 1, at: Date.now(), kind: 'process.online', severity: 'info', message }]);
    await m.until('! big yyy');
    await m.until('process.online     サービス');
    const lines = m.frame().split('\n');
    expect(lines[0]).toMatch(/^velos 9\.9\.9/);
    expect(lines.filter((line) => line.startsWith('  2 日本語のログ行'))).toHaveLength(1);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });

  it('shows the fields of a parsed JSON line after its message, as velos logs does', async () => {
    const m = mount();
    await m.until('── logs api#0');
    m.logSubs[0]?.sub.push([
      logLine(0, 'db failed', { lvl: 'error', fields: { err: { code: 'ECONNREFUSED' }, port: 5432 } }),
      logLine(0, 'slow request', { lvl: 'warn', fields: { route: '/users', note: 'took long' } }),
    ]);
    await m.until('slow request');
    expect(m.frame()).toContain('  db failed err={"code":"ECONNREFUSED"} port=5432');
    expect(m.frame()).toContain('  slow request route=/users note="took long"');
  });

  it('cuts the daemon’s errors at the screen’s edge when they hold wide characters (a home under /home/山田)', async () => {
    // at one of two widths a wide character straddles the edge
    for (const columns of [80, 81]) {
      const m = mount(undefined, { columns, rows: 24 });
      await m.until('worker');
      const away = () => new Error(`cannot reach the Velos daemon at /home/${'山田'.repeat(40)}/velos.sock`);
      m.control.list = async () => {
        throw away();
      };
      m.control.metricsHistory = async () => {
        throw away();
      };
      m.app.stdin.write('j');
      await m.until('history unavailable (cannot reach');
      await m.until('health unreachable: ');
      await m.until('── logs worker#0');
      const lines = m.frame().split('\n');
      expect(lines[0]).toMatch(/^velos 9\.9\.9/);
      for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(columns);
    }
  });

  it('moves the selection with j/k and follows the new selection’s logs, cancelling the old stream', async () => {
    const m = mount();
    await m.until('worker');
    m.logSubs[0]?.sub.push([logLine(0, 'hello from api'), logLine(0, 'boom error', { stream: 'err' })]);
    await m.until('hello from api');
    await m.press('j', '── logs worker#0 (id 1)');
    await vi.waitFor(() => expect(m.logSubs[0]?.sub.isCancelled).toBe(true), { timeout: 3000 });
    expect(m.logSubs[1]?.request.target).toBe('1');
    m.logSubs[1]?.sub.push([logLine(1, 'worker line')]);
    await m.until('worker line');
    expect(m.frame()).not.toContain('hello from api');
    await m.press('k', '── logs api#0 (id 0)');
  });

  it('handles each key of text that arrives in one read (typed fast, pasted, sent by tmux)', async () => {
    const m = mount([
      proc({ id: 0, name: 'api' }),
      proc({ id: 1, name: 'worker' }),
      proc({ id: 2, name: 'web' }),
    ]);
    await m.until('web');
    await m.press('jj', '── logs web#0 (id 2)');
    await m.press('kk', '── logs api#0 (id 0)');
    await m.press('/wor\r', 'filter "wor"');
    expect(m.frame()).not.toMatch(/\d api\s/);
    // cleared, the filter leaves worker selected (picked among its matches): j then k come back to it
    await m.press('\u001b', 'api');
    await m.press('jkd', 'delete worker#0? it stops and leaves the list (y/N)');
    await m.press('y', 'deleted worker#0');
    expect(m.calls).toEqual(['delete 1']);
  });

  it('jumps to the last process with End or G and to the first with Home or g', async () => {
    const many = Array.from({ length: 30 }, (_, id) => proc({ id, name: `svc-${id}` }));
    const m = mount(many);
    await m.until('svc-0');
    await m.press('G', '── logs svc-29#0 (id 29)');
    await m.press('g', '── logs svc-0#0 (id 0)');
    await m.press('\u001b[F', '── logs svc-29#0 (id 29)');
    await m.press('\u001b[H', '── logs svc-0#0 (id 0)');
  });

  it('fits a terminal of 10 rows or fewer (down to 4): header on top, the selection on screen', async () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((name, id) => proc({ id, name: `app-${name}` }));
    for (const rows of [10, 8, 7, 6, 5, 4]) {
      const m = mount(five, { columns: 80, rows });
      await m.until('app-a');
      for (const name of ['b', 'c', 'd', 'e']) {
        m.app.stdin.write('j');
        await vi.waitFor(() => expect(m.frame()).toMatch(new RegExp(`▸\\s+\\d app-${name}`)), {
          timeout: 3000,
        });
      }
      await vi.waitFor(() => expect(m.frame()).toMatch(/▸\s+4 app-e/), { timeout: 3000 });
      const lines = m.frame().split('\n');
      expect(lines.length, m.frame()).toBeLessThanOrEqual(rows - 1);
      expect(lines[0]).toMatch(/^velos 9\.9\.9 pid 42/);
      expect(lines.filter((line) => line.includes('velos 9.9.9'))).toHaveLength(1);
      if (rows >= 8) expect(lines[1]).toMatch(/^cpu /);
    }
  });

  it('shows the help on a short terminal as lines that fit, saying how many keys are left out', async () => {
    const m = mount(undefined, { columns: 80, rows: 8 });
    await m.until('0 api');
    await m.press('?', 'velos monit: keys');
    const lines = m.frame().split('\n');
    expect(lines).toEqual([
      'velos monit: keys',
      '↑ ↓  j k     select a process (PgUp PgDn: by 10; Home End, g G: first, last)',
      'Enter  l     full-screen logs of the selection (Esc, h, ← or q: back)',
      'PgUp PgDn    scroll the full-screen logs (on past the newest line: follow)',
      'a            the log engine’s summary of the app (a again: back to the logs)',
      'r            restart the selected process',
      '… 6 more keys on a terminal of 13 rows (any key closes this help)',
    ]);
  });

  it('shows every status word whole (a waiting job reads scheduled, not schedul…)', async () => {
    const m = mount([proc({ id: 0, name: 'clock', status: 'scheduled', pid: null })]);
    await m.until('clock');
    expect(m.frame()).toMatch(/0 clock\s+scheduled /);
  });

  it('keeps the numbers beside the names on a wide screen', async () => {
    const m = mount(undefined, { columns: 160, rows: 24 });
    await m.until('worker');
    // the name column is as wide as the longest name (8 at least), not the rest of the screen
    expect(m.frame()).toMatch(/0 api {6}online /);
    expect(m.frame()).toMatch(/ id name {5}status /);
  });

  it('leaves out health, uptime, pid and CPU on a narrow screen rather than cut off restarts', async () => {
    const processes = [proc({ id: 0, name: 'payments-api', restarts: 7 }), proc({ id: 1, name: 'mailer' })];
    const wide = mount(processes, { columns: 72, rows: 24 });
    await wide.until('payments-api');
    expect(wide.frame()).toMatch(/id name\s+status\s+pid\s+cpu\s+mem\s+uptime\s+↺\n/);
    expect(wide.frame()).toMatch(/0 payments-api\s+online\s+1000\s+1\.5%\s+30M\s+1m\s+7\n/);
    const narrow = mount(processes, { columns: 44, rows: 24 });
    await narrow.until('payments-api');
    const lines = narrow.frame().split('\n');
    expect(lines.find((line) => line.includes(' name '))).toMatch(/id name\s+status\s+mem\s+↺$/);
    expect(lines.find((line) => line.includes('payments-api'))).toMatch(/0 payments-api\s+online\s+30M\s+7$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(44);
  });

  it('shows how to get help and quit in the footer at 80 columns', async () => {
    const m = mount();
    await m.until('worker');
    expect(m.frame().split('\n').at(-1)).toMatch(/· \? help · q quit$/);
    m.app.stdin.write('\r');
    await m.until('Esc/q back');
    expect(m.frame().split('\n').at(-1)).toMatch(/· \? help$/);
  });

  it('widens the id and restart columns for numbers past 999 rather than cut them', async () => {
    const m = mount([proc({ id: 7, name: 'api' }), proc({ id: 1234, name: 'cron-worker', restarts: 1500 })]);
    await m.until('cron-worker');
    const lines = m.frame().split('\n');
    expect(lines.find((line) => line.includes('cron-worker'))).toMatch(/ 1234 cron-worker .* 1500 -$/);
    expect(lines.find((line) => line.includes(' name '))).toMatch(/^ {4}id name .* {3}↺ health$/);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('says 1 process, not 1 procs', async () => {
    const m = mount([proc({ id: 0, name: 'api' })]);
    await m.until('1 process (1 online)');
  });

  it('lists the keys of the full-screen logs there (q goes back, not quit)', async () => {
    const m = mount();
    await m.until('Enter logs · r restart');
    // a process selected: with none (the list not in yet) Enter opens nothing
    await m.until('── logs api#0');
    m.app.stdin.write('\r');
    await m.until('Esc/q back');
    expect(m.frame()).not.toContain('Enter logs');
    await m.press('q', 'Enter logs · r restart');
  });

  it('scrolls the full-screen logs back with PgUp, holds them there as lines arrive, follows again past the end', async () => {
    const m = mount();
    await m.until('── logs api#0');
    const push = (from: number, to: number) =>
      m.logSubs[0]?.sub.push(range(from, to).map((n) => logLine(0, `line ${n}`)));
    push(0, 60);
    m.app.stdin.write('\r');
    await m.until('PgUp/PgDn scroll');
    await m.until('line 59');
    // 21 log lines at 24 rows: a page back keeps one line of the page before
    await m.press(PAGE_UP, '20 newer lines below (PgDn)');
    expect(logNumbers(m.frame())).toEqual(range(19, 40));
    push(60, 70);
    await m.until('30 newer lines below');
    expect(logNumbers(m.frame())).toEqual(range(19, 40));
    // the oldest line held is as far as it goes
    await m.press(PAGE_UP, '49 newer lines below');
    expect(logNumbers(m.frame())).toEqual(range(0, 21));
    await m.press(PAGE_UP, '49 newer lines below');
    await m.press(PAGE_DOWN, '29 newer lines below');
    await m.press(PAGE_DOWN, '9 newer lines below');
    await m.press(PAGE_DOWN, 'line 69');
    expect(m.frame()).not.toContain('newer line');
    expect(logNumbers(m.frame())).toEqual(range(49, 70));
    // back to the table and in again: the logs follow
    await m.press(PAGE_UP, 'newer lines below');
    await m.press('q', 'Enter logs · r restart');
    m.app.stdin.write('\r');
    await m.until('Esc/q back');
    expect(m.frame()).not.toContain('newer line');
  });

  it('reads older lines when PgUp passes the oldest line held, saying so while it reads', async () => {
    const m = mount();
    m.state.logLines = range(0, 120).map((n) => logLine(0, `line ${n}`));
    let open: (value: undefined) => void = () => undefined;
    m.state.logsGate = new Promise<undefined>((resolve) => {
      open = resolve;
    });
    await m.until('── logs api#0');
    m.logSubs[0]?.sub.push(m.state.logLines.slice(70));
    m.app.stdin.write('\r');
    await m.until('line 119');
    await m.press(PAGE_UP, '20 newer lines below');
    await m.press(PAGE_UP, 'loading older lines…');
    expect(logNumbers(m.frame())).toEqual(range(70, 91));
    open(undefined);
    await vi.waitFor(() => expect(m.frame()).not.toContain('loading older'), { timeout: 3000 });
    expect(logNumbers(m.frame())).toEqual(range(70, 91));
    await m.press(PAGE_UP, '49 newer lines below');
    expect(logNumbers(m.frame())).toEqual(range(50, 71));
    await m.press(PAGE_UP, '69 newer lines below');
    await m.press(PAGE_UP, '89 newer lines below');
    await m.press(PAGE_UP, '· the oldest line');
    expect(logNumbers(m.frame())).toEqual(range(0, 21));
    expect(m.store.getData().logs.lines).toHaveLength(120);
  });

  it('says at the oldest of the most lines it holds how many, and how velos logs reads older ones', async () => {
    // at most 120 lines held here (5,000 in use): one read of older lines fills them
    const m = mount(undefined, SIZE, undefined, 120);
    m.state.logLines = range(0, 300).map((n) => logLine(0, `line ${n}`));
    await m.until('── logs api#0');
    m.logSubs[0]?.sub.push(m.state.logLines.slice(230));
    m.app.stdin.write('\r');
    await m.until('line 299');
    // the oldest of the 70 followed lines (49 newer below) reads older ones: 50, up to 120 held
    for (const newer of [20, 40, 49]) await m.press(PAGE_UP, `${newer} newer lines below`);
    await vi.waitFor(() => expect(m.store.getData().logs.lines).toHaveLength(120), { timeout: 3000 });
    for (const newer of [69, 89]) await m.press(PAGE_UP, `${newer} newer lines below`);
    await m.press(PAGE_UP, '· 120 lines held; older: velos logs 0 --lines 240');
    expect(logNumbers(m.frame())).toEqual(range(180, 201));
    // PgUp again reads nothing more and says the same
    await m.press(PAGE_UP, '· 120 lines held');
    expect(m.logSubs[0]?.request).toEqual({ target: '0', lines: 50 });
    expect(m.store.getData().logs.older).toBe('held');
  });

  it('follows the logs again once another process is selected, and back (a scroll is of one follow)', async () => {
    const m = mount();
    await m.until('── logs api#0');
    m.logSubs[0]?.sub.push(range(0, 60).map((n) => logLine(0, `line ${n}`)));
    m.app.stdin.write('\r');
    await m.until('line 59');
    await m.press(PAGE_UP, '20 newer lines below');
    await m.press('j', '── logs worker#0');
    await m.press('k', '── logs api#0');
    // api's new follow is asked for after its title is drawn: push to it, not to worker's
    await vi.waitFor(
      () => {
        expect(m.logSubs.length).toBeGreaterThanOrEqual(3);
        expect(m.logSubs.at(-1)?.request.target).toBe('0');
      },
      { timeout: 3000 },
    );
    m.logSubs.at(-1)?.sub.push(range(100, 160).map((n) => logLine(0, `line ${n}`)));
    await m.until('line 159');
    expect(m.frame()).not.toContain('newer line');
  });

  it('selects the next process after a delete, not the first', async () => {
    const m = mount([
      proc({ id: 0, name: 'api' }),
      proc({ id: 1, name: 'worker' }),
      proc({ id: 2, name: 'web' }),
    ]);
    await m.until('web');
    await m.press('j', '── logs worker#0 (id 1)');
    await m.press('d', '(y/N)');
    await m.press('y', 'deleted worker#0');
    await m.until('── logs web#0 (id 2)');
    await vi.waitFor(() => expect(m.frame()).toMatch(/▸\s+2 web/), { timeout: 3000 });
    // the last one deleted: the one before it
    await m.press('d', '(y/N)');
    await m.press('y', 'deleted web#0');
    await m.until('── logs api#0 (id 0)');
  });

  it('shows the new pid of a restarted cluster instance once it has one ("restarting" until then)', async () => {
    const web = [0, 1].map((instance) =>
      proc({ id: instance, name: 'web', instance, execMode: 'cluster', pid: 100 + instance }),
    );
    const m = mount(web);
    await m.until('web#1');
    m.control.restart = async (target: string) => {
      m.calls.push(`restart ${target}`);
      m.state.processes = m.state.processes.map((p) =>
        String(p.id) === target ? { ...p, pid: null, status: 'starting' as const } : p,
      );
      return m.state.processes.filter((p) => String(p.id) === target);
    };
    await m.press('j', '── logs web#1 (id 1)');
    await m.press('r', 'restarting web#1… (starting)');
    expect(m.frame()).not.toContain('(pid -)');
    m.state.processes = m.state.processes.map((p) =>
      p.id === 1 ? { ...p, pid: 2001, status: 'online' as const } : p,
    );
    await m.until('restarted web#1 (pid 2001)');
  });

  it('restarts the selection with r and shows the outcome and the new pid inline', async () => {
    const m = mount();
    await m.until('worker');
    await m.press('r', 'restarted api#0 (pid 1500)');
    expect(m.calls).toEqual(['restart 0']);
    await m.until(' 1500 ');
  });

  it('shows a failed action in the footer', async () => {
    const m = mount();
    await m.until('worker');
    await m.press('s', 'stop api#0 failed: stop refused');
  });

  it('asks before delete: n keeps the process, y deletes it', async () => {
    const m = mount();
    await m.until('worker');
    await m.press('d', 'delete api#0? it stops and leaves the list (y/N)');
    await m.press('n', 'delete cancelled');
    expect(m.calls).toEqual([]);
    await m.press('d', '(y/N)');
    await m.press('y', 'deleted api#0');
    expect(m.calls).toEqual(['delete 0']);
    await vi.waitFor(() => expect(m.frame()).not.toMatch(/\d api\s/), { timeout: 3000 });
  });

  it('gives the footer back to the keys after a cancelled delete (a notice that is not an action under way fades)', async () => {
    const m = mount(undefined, SIZE, 100);
    await m.until('worker');
    await m.press('d', '(y/N)');
    await m.press('n', 'delete cancelled');
    await m.until('Enter logs · r restart');
    expect(m.frame()).not.toContain('delete cancelled');
  });

  it('says a restarted job that waits for its schedule is restarted, not still starting', async () => {
    const m = mount([proc({ id: 0, name: 'clock', status: 'scheduled', pid: null, type: 'job' })], SIZE, 100);
    await m.until('clock');
    m.control.restart = async (target: string) => {
      m.calls.push(`restart ${target}`);
      return m.state.processes.map((p) => ({ ...p, restarts: p.restarts + 1 }));
    };
    await m.press('r', 'restarted clock#0 (scheduled, waits for its next run)');
    expect(m.frame()).not.toContain('starting');
    // an outcome fades like the others
    await m.until('Enter logs · r restart');
  });

  it('says a process deleted elsewhere while its delete asked y/N has left the list, not that the delete was cancelled', async () => {
    const m = mount();
    await m.until('worker');
    await m.press('d', 'delete api#0? it stops and leaves the list (y/N)');
    m.state.processes = m.state.processes.filter((p) => p.id !== 0);
    await vi.waitFor(() => expect(m.store.getData().processes).toHaveLength(1), { timeout: 3000 });
    await m.press('y', 'api#0 has left the list already');
    expect(m.calls).toEqual([]);
  });

  it('keeps the delete prompt of a long name on the footer line (the screen does not grow)', async () => {
    const long = 'this-is-a-very-long-application-name-for-testing';
    const m = mount([proc({ id: 0, name: long }), proc({ id: 1, name: 'api' })]);
    await m.until('api');
    await m.press('d', `delete ${long}#0?`);
    const whole = (frame: string, selected = /▸\s+0 this-is-a/) => {
      const lines = frame.split('\n');
      expect(lines.length, frame).toBeLessThanOrEqual(23);
      expect(lines[0], frame).toMatch(/^velos 9\.9\.9/);
      expect(frame).toMatch(selected);
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
      return lines;
    };
    expect(whole(m.frame()).at(-1)).toMatch(/^delete this-is-a-very-long.*#0\? .*\(y\/N\)$/);
    await m.press('n', 'delete cancelled');
    await m.press('/', 'Enter: keep');
    await m.press(`${long}-and-more`, `${long}-and-more█`);
    const lines = whole(m.frame(), /no process selected/);
    expect(lines.at(-1)).toMatch(/-for-testing-and-more█$/);
    // the table's note is one line too: the selection's line comes right after it
    const note = lines.findIndex((line) => line.startsWith('no process matches'));
    expect(lines[note + 1], m.frame()).toMatch(/^no process selected\s*$/);
  });

  it('opens no full-screen logs while no process is selected (the filter matches none)', async () => {
    const m = mount();
    await m.until('worker');
    await m.press('/zzz\r', 'filter "zzz"');
    m.app.stdin.write('l');
    m.app.stdin.write('\r');
    // a key after them is handled on the main view: / opens the filter prompt there
    await m.press('/', 'Enter: keep');
    expect(m.frame()).toContain('no process matches "zzz"');
    expect(m.frame()).not.toContain('Esc/q back');
  });

  it('moves the selection among the matches with the arrows while the filter is typed', async () => {
    const m = mount([
      proc({ id: 0, name: 'api' }),
      proc({ id: 1, name: 'worker-a' }),
      proc({ id: 2, name: 'web' }),
      proc({ id: 3, name: 'worker-b' }),
    ]);
    await m.until('worker-b');
    await m.press('/work', '/work█');
    await m.press('\u001b[B', '── logs worker-b#0 (id 3)');
    await m.press('\u001b[A', '── logs worker-a#0 (id 1)');
    expect(m.frame()).toContain('/work█');
  });

  it('filters with / and clears the filter with Esc', async () => {
    const m = mount();
    await m.until('worker');
    m.app.stdin.write('/');
    await m.until('Enter: keep');
    for (const ch of 'work') m.app.stdin.write(ch);
    await m.until('/work█');
    await vi.waitFor(() => expect(m.frame()).not.toMatch(/\d api\s/), { timeout: 3000 });
    await m.press('\r', 'filter "work"');
    await m.press('\u001b', 'api');
  });

  it('keeps a long CJK filter within the screen, in its prompt and in the footer once kept', async () => {
    for (const lead of ['', 'a']) {
      const m = mount();
      await m.until('worker');
      m.app.stdin.write('/');
      await m.until('Enter: keep');
      m.app.stdin.write(`${lead}${'日本語'.repeat(20)}`);
      await m.until('語█');
      const prompt = m.frame().split('\n').at(-1) ?? '';
      expect(prompt).toMatch(/^….*語█$/);
      expect(displayWidth(prompt)).toBeLessThanOrEqual(80);
      await m.press('\r', 'filter "');
      const footer = m.frame().split('\n').at(-1) ?? '';
      expect(footer).toMatch(/^filter ".*…" · \? help · q quit$/);
      expect(displayWidth(footer)).toBeLessThanOrEqual(80);
    }
  });

  it('shows every help line whole at 80 columns', async () => {
    const m = mount();
    await m.until('worker');
    await m.press('?', 'velos monit: keys');
    const lines = m.frame().split('\n');
    expect(lines.filter((line) => line.trimEnd().endsWith('…'))).toEqual([]);
    expect(m.frame()).toContain('Home End, g G');
  });

  it('shows help on ?, full-screen logs on Enter, the log summary on a', async () => {
    const m = mount();
    await m.until('worker');
    await m.press('?', 'velos monit: keys');
    await m.press('x', 'worker');
    m.logSubs[0]?.sub.push([logLine(0, 'a full screen line')]);
    await m.until('a full screen line');
    m.app.stdin.write('\r');
    await vi.waitFor(() => expect(m.frame()).not.toContain('worker'), { timeout: 3000 });
    await m.press('\u001b', 'worker');
    await m.press('a', 'summary of api: 12 lines, health 97');
  });

  it('draws sparklines when the history answers', async () => {
    const m = mount();
    m.state.history = { cpu: [0, 10, 50, 100], memory: [1, 2, 3, 4] };
    await m.until('▁▂▅█');
    expect(m.frame()).toMatch(/mem\s+▃▅▆█/);
  });

  it('draws the CPU of an idle process low, not at full blocks (its scale goes up to a tenth of a core at least)', async () => {
    const m = mount();
    m.state.history = { cpu: [0, 0.1, 0, 0.1], memory: [1, 2, 3, 4] };
    await m.until('▃▅▆█');
    expect(m.frame()).toMatch(/cpu ▁▁▁▁\s/);
  });

  it('shows - for the CPU and memory of a selected process that is not running, as the table does', async () => {
    const m = mount([proc({ id: 0, name: 'worker', status: 'stopped', pid: null, cpu: 0, memory: 0 })]);
    m.state.history = { cpu: [0, 10, 50, 100], memory: [1, 2, 3, 4] };
    await m.until('▁▂▅█');
    const panel = m
      .frame()
      .split('\n')
      .find((line) => line.includes('▁▂▅█'));
    expect(panel).toMatch(/▁▂▅█\s+- mem\s+▃▅▆█\s+-$/);
  });

  it('shows a job between runs with its runs and the time of its next run, not empty sparklines', async () => {
    const nextRunAt = new Date(2030, 0, 2, 3, 0, 0).getTime();
    const job = { runs: 3, skipped: 0, nextRunAt, lastRun: { outcome: 'ok' } as never };
    const m = mount([proc({ id: 0, name: 'backup', status: 'scheduled', pid: null, type: 'job', job })]);
    m.state.history = { cpu: [0, 10, 50, 100], memory: [1, 2, 3, 4] };
    await m.until('backup#0');
    const panel = m
      .frame()
      .split('\n')
      .find((line) => line.includes('backup#0'));
    // the date too: the next run is not today
    expect(panel).toMatch(/backup#0\s+3 runs, last ok · next run 2030-01-02 03:00:00$/);
    expect(m.frame()).not.toContain('▁▂▅█');
  });

  it('shows a skip marker of a follow that fell behind as a dim notice, not as a log line', async () => {
    const m = mount();
    await m.until('worker');
    const marker = logLine(0, 'velos: 1234 lines of api skipped: this follow fell behind', {
      skipped: 1234,
      pid: null,
    });
    m.logSubs[0]?.sub.push([logLine(0, 'before the gap'), marker, logLine(0, 'after the gap')]);
    await m.until('after the gap');
    const lines = m.frame().split('\n');
    const notice = lines.findIndex((line) => line.includes('… 1,234 lines skipped'));
    expect(notice).toBeGreaterThan(lines.findIndex((line) => line.includes('before the gap')));
    expect(notice).toBeLessThan(lines.findIndex((line) => line.includes('after the gap')));
    expect(m.frame()).not.toContain('velos: 1234 lines');
  });

  it('leaves out the colour codes of an app’s line (a coloured level reads as the word)', async () => {
    const m = mount();
    await m.until('worker');
    m.logSubs[0]?.sub.push([logLine(0, '\u001b[1m\u001b[31merror\u001b[39m\u001b[22m: db down \u001b[2J')]);
    await m.until('  error: db down \\x1b[2J');
  });

  it('lines up the messages of the events, process.restarting included', async () => {
    const m = mount();
    await m.until('no events yet');
    const event = (seq: number, kind: string) =>
      ({ seq, at: Date.now(), kind, severity: 'info', message: `message ${seq}` }) as const;
    m.eventSubs[0]?.sub.push([event(1, 'process.online'), event(2, 'process.restarting')]);
    await m.until('message 2');
    const lines = m.frame().split('\n');
    const column = (seq: number) => lines.find((line) => line.includes(`message ${seq}`))?.indexOf('message');
    expect(column(1)).toBe(column(2));
  });

  it('escapes control characters an app printed', async () => {
    const m = mount();
    await m.until('worker');
    m.logSubs[0]?.sub.push([logLine(0, 'evil \u001b[2J clear')]);
    await m.until('evil \\x1b[2J clear');
  });
});
