import { describe, expect, it } from 'vitest';
import { createColors, isColorWanted } from '../src/output/colors.js';
import { displayWidth } from '../src/output/display-width.js';
import { escapeControlChars, formatLogLine, formatLogsCut } from '../src/output/log-line.js';
import { renderProcessDetails, toAiDetail } from '../src/output/process-detail.js';
import { renderProcessTable, toAiProcess, toAiProcessList } from '../src/output/process-list.js';
import { renderTable } from '../src/output/table.js';
import { formatCpu, formatMs, shortStatus } from '../src/output/units.js';
import { logLine, processDetail, processInfo } from './sample-processes.js';

const plain = createColors(false);
const colored = createColors(true);
const ANSI = /\x1b\[\d+m/;

describe('units', () => {
  it('formats cpu with one decimal and durations exactly', () => {
    expect(formatCpu(2.14)).toBe('2.1%');
    expect(formatCpu(0)).toBe('0.0%');
    expect(formatCpu(199.96)).toBe('200.0%');
    // many threads busy: no decimal from 1000 % on, so monit's 6-column cell holds it
    expect([999.94, 999.96, 1234.5, 12_345].map(formatCpu)).toEqual(['999.9%', '1000%', '1235%', '12345%']);
    expect([0, 250, 1000, 1500, 5000, 120_000, 90_000].map(formatMs)).toEqual([
      '0ms',
      '250ms',
      '1s',
      '1.5s',
      '5s',
      '2m',
      '90s',
    ]);
  });

  it('maps every status to its --ai word', () => {
    const statuses = [
      'online',
      'stopped',
      'errored',
      'starting',
      'stopping',
      'waiting-restart',
      'scheduled',
    ] as const;
    expect(statuses.map(shortStatus)).toEqual(['on', 'stopped', 'err', 'start', 'stopping', 'wait', 'sched']);
  });
});

describe('colour', () => {
  it('paints only on a terminal, never with NO_COLOR, always with FORCE_COLOR', () => {
    expect(isColorWanted({ isTTY: true }, {})).toBe(true);
    expect(isColorWanted({ isTTY: false }, {})).toBe(false);
    expect(isColorWanted({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(isColorWanted({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(isColorWanted({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });
});

describe('table', () => {
  it('fits a width by its steps in order: cuts only as much as needed, then drops', () => {
    const columns = [{ header: 'name' }, { header: 'note' }, { header: 'n', align: 'right' as const }];
    const rows = [[{ text: 'abcdefghij' }, { text: 'a long note' }, { text: '10' }]];
    const steps = [{ cut: 'name', width: 6 }, { drop: 'note' }, { cut: 'name', width: 3 }];
    const render = (width: number) => renderTable(columns, rows, plain.dim, { width, steps }).split('\n');
    expect(render(27)).toEqual(['name        note          n', 'abcdefghij  a long note  10']);
    expect(render(25)).toEqual(['name      note          n', 'abcdefg…  a long note  10']);
    // the drop leaves room: the cut column gets it back
    expect(render(20)).toEqual(['name         n', 'abcdefghij  10']);
    expect(render(12)).toEqual(['name       n', 'abcdefg…  10']);
    expect(render(5)).toEqual(['name   n', 'abc…  10']);
  });

  it('aligns columns by their plain width and right-aligns numbers', () => {
    const out = renderTable(
      [{ header: 'name' }, { header: 'n', align: 'right' }],
      [
        [{ text: 'a', paint: colored.red }, { text: '10' }],
        [{ text: 'long-name' }, { text: '7' }],
      ],
      plain.dim,
    );
    const lines = out.split('\n').map((l) => l.replace(/\x1b\[\d+m/g, ''));
    expect(lines).toEqual(['name        n', 'a          10', 'long-name   7']);
  });

  it('pads by terminal columns: a CJK character takes two, a combining mark none', () => {
    const out = renderTable(
      [{ header: 'name' }, { header: 'n', align: 'right' }],
      [
        [{ text: '注文' }, { text: '1' }],
        [{ text: 'заказы-api' }, { text: '22' }],
        [{ text: 'cafe\u0301' }, { text: '3' }],
      ],
      plain.dim,
    );
    expect(out.split('\n')).toEqual([
      'name         n',
      '注文         1',
      'заказы-api  22',
      'cafe\u0301         3',
    ]);
  });
});

describe('process list', () => {
  it('renders a table with one row per process and dashes for what a stopped one lacks', () => {
    const table = renderProcessTable(
      [processInfo(), processInfo({ id: 1, name: 'worker', pid: null, status: 'stopped', restarts: 3 })],
      plain,
    );
    const [header, api, worker] = table.split('\n');
    expect(header!.split(/\s+/)).toEqual([
      'id',
      'name',
      'pid',
      'status',
      'cpu',
      'memory',
      'uptime',
      'restarts',
    ]);
    expect(api!.split(/\s+/).filter(Boolean)).toEqual([
      '0',
      'api',
      '1234',
      'online',
      '2.1%',
      '45M',
      '2d',
      '0',
    ]);
    expect(worker!.split(/\s+/).filter(Boolean)).toEqual(['1', 'worker', '-', 'stopped', '-', '-', '-', '3']);
    expect(table).not.toMatch(ANSI);
  });

  it('shows the namespace column only when a process is outside "default", and colours on request', () => {
    const table = renderProcessTable([processInfo({ namespace: 'web' })], colored);
    expect(table).toMatch(ANSI);
    expect(table.replace(/\x1b\[\d+m/g, '').split('\n')[0]).toContain('namespace');
  });

  it('shows - for the CPU and memory of a run the monitor has not sampled yet, and in describe no peak', () => {
    const fresh = processInfo({ cpu: 0, memory: 0, uptime: 300 });
    const row = renderProcessTable([fresh], plain).split('\n')[1]!;
    expect(row.split(/\s+/).filter(Boolean)).toEqual(['0', 'api', '1234', 'online', '-', '-', '0s', '0']);
    const detail = renderProcessDetails(
      [{ ...processDetail({ cpu: 0, memory: 0 }), cpuPeak: 0, memoryPeak: 0 }],
      plain,
    );
    expect(detail).toMatch(/^ {2}cpu +- \(peak -\)$/m);
    expect(detail).toMatch(/^ {2}memory +- \(peak -\)$/m);
    // a later run not sampled yet: the peaks of the earlier ones stay
    const later = renderProcessDetails([processDetail({ cpu: 0, memory: 0 })], plain);
    expect(later).toMatch(/^ {2}memory +- \(peak 60M\)$/m);
  });

  it('says how to start something when the list is empty', () => {
    expect(renderProcessTable([], plain)).toBe('no processes; start one with: velos start <script>');
  });

  it('--ai: short keys in a fixed order, nothing empty', () => {
    expect(JSON.stringify(toAiProcessList([processInfo()]))).toBe(
      '[{"i":0,"n":"api","s":"on","p":1234,"c":2.1,"m":"45M","u":"2d","r":0}]',
    );
    const stopped = toAiProcess(
      processInfo({ pid: null, status: 'errored', uptime: 0, namespace: 'jobs', memory: 0 }),
    );
    // no cpu or memory for a process that does not run (not 0 as if measured)
    expect(JSON.stringify(stopped)).toBe('{"i":0,"n":"api","ns":"jobs","s":"err","r":0}');
  });

  it('says what a process held by its depends_on waits for: `waiting`, a note under the table, --ai wait', () => {
    const db = processInfo({ id: 0, name: 'db' });
    const waiting = (id: number, name: string) =>
      processInfo({
        id,
        name,
        pid: null,
        status: 'starting',
        uptime: 0,
        cpu: 0,
        memory: 0,
        waitingFor: [
          { name: 'db', condition: 'healthy', state: 'online, not ready (readiness: HTTP 503)' },
          { name: 'cache', condition: 'started', state: 'stopped' },
        ],
      });
    const lines = renderProcessTable([db, waiting(1, 'web')], plain).split('\n');
    expect(lines[2]!.split(/\s+/).filter(Boolean)).toEqual(['1', 'web', '-', 'waiting', '-', '-', '-', '0']);
    expect(lines.slice(3)).toEqual([
      'web waits for db (healthy): online, not ready (readiness: HTTP 503); cache (started): stopped',
    ]);
    // the note is cut to a terminal's width, not wrapped; the table is no wider than without it
    const narrow = renderProcessTable([db, waiting(1, 'web')], plain, Date.now(), 40).split('\n');
    expect(narrow.at(-1)).toBe('web waits for db (healthy): online, not…');
    expect(Math.max(...narrow.map(displayWidth))).toBeLessThanOrEqual(40);
    // many waiting: a few notes, then how many more
    const many = Array.from({ length: 7 }, (_, i) => waiting(i + 1, `w${i + 1}`));
    const notes = renderProcessTable([db, ...many], plain)
      .split('\n')
      .slice(9);
    expect(notes).toHaveLength(5);
    expect(notes[4]).toBe('and 3 more waiting for their depends_on (velos describe <name> says for what)');
    // two instances of one app held for the same: one note saying so
    const scaled = renderProcessTable([db, waiting(1, 'web'), waiting(2, 'web')], plain).split('\n');
    expect(scaled.slice(4)).toEqual([
      'web (2 instances) waits for db (healthy): online, not ready (readiness: HTTP 503); cache (started): stopped',
    ]);
    expect(JSON.stringify(toAiProcess(waiting(1, 'web')))).toBe(
      '{"i":1,"n":"web","s":"start","r":0,"wait":{"db":"online, not ready (readiness: HTTP 503)","cache":"stopped"}}',
    );
  });
});

describe('process list on a narrow terminal', () => {
  const processes = [
    processInfo(),
    processInfo({
      id: 1,
      name: 'payments-reconciliation-worker-eu-west',
      namespace: 'billing',
      hasWatch: true,
    }),
    processInfo({ id: 2, name: 'worker', pid: null, status: 'stopped', restarts: 3 }),
  ];
  const widest = (table: string) => Math.max(...table.split('\n').map((line) => line.length));
  const headers = (table: string) => table.split('\n')[0]!.split(/\s+/);

  it('is unchanged without a width, or with one it fits in', () => {
    const table = renderProcessTable(processes, plain);
    expect(widest(table)).toBeGreaterThan(80);
    expect(renderProcessTable(processes, plain, Date.now(), widest(table))).toBe(table);
    expect(renderProcessTable(processes, plain, Date.now(), 500)).toBe(table);
  });

  it('cuts long names with an ellipsis and drops the least important columns first', () => {
    for (const width of [100, 80, 60, 40]) {
      const table = renderProcessTable(processes, plain, Date.now(), width);
      expect(widest(table), `${width}:\n${table}`).toBeLessThanOrEqual(width);
      expect(headers(table).slice(0, 2), `${width}`).toEqual(['id', 'name']);
      expect(headers(table), `${width}`).toContain('status');
      expect(table).toMatch(/^ 1 +payments-\S*… /m);
      expect(table).toMatch(/^ 2 +worker .*stopped/m);
    }
    expect(headers(renderProcessTable(processes, plain, Date.now(), 80))).toEqual([
      'id',
      'name',
      'pid',
      'status',
      'cpu',
      'memory',
      'uptime',
      'restarts',
    ]);
    expect(headers(renderProcessTable(processes, plain, Date.now(), 60))).toEqual([
      'id',
      'name',
      'status',
      'cpu',
      'memory',
      'restarts',
    ]);
    expect(renderProcessTable(processes, plain, Date.now(), 80)).toMatch(
      /^ 1 +payments-reconciliation-work… +1234 +online +2\.1% +45M +2d +0$/m,
    );
  });

  it('measures and cuts names of any script by terminal columns', () => {
    const wide = [
      processInfo({ name: '注文処理ワーカー東京リージョン' }),
      processInfo({ id: 1, name: 'café-api' }),
    ];
    const table = renderProcessTable(wide, plain, Date.now(), 40);
    const lines = table.split('\n');
    for (const line of lines) expect(displayWidth(line), table).toBeLessThanOrEqual(40);
    expect(lines[1]).toMatch(/^ 0 {2}注文処理\S*… /);
    expect(lines[2]).toMatch(/^ 1 {2}café-api /);
  });

  it('keeps colours on what it cuts', () => {
    const table = renderProcessTable(processes, colored, Date.now(), 60);
    expect(table).toMatch(ANSI);
    expect(widest(table.replace(/\x1b\[\d+m/g, ''))).toBeLessThanOrEqual(60);
  });
});

describe('process detail', () => {
  it('shows spec, command, log paths with counters, peaks, restarts and the last exit', () => {
    const text = renderProcessDetails(
      [processDetail({ restarts: 2, unstableRestarts: 1, exitCode: 1, lastExitReason: 'crash' })],
      plain,
    );
    expect(text.split('\n')[0]).toBe('api  online  id 0 · namespace default');
    for (const expected of [
      /^ {2}command +\/usr\/bin\/node \/srv\/api\/server\.js --port 3000$/m,
      /^ {2}out log +\/home\/me\/\.velos\/logs\/api-out\.log \(120 lines captured since start\)$/m,
      /^ {2}err log +\/home\/me\/\.velos\/logs\/api-err\.log \(3 lines captured since start\)$/m,
      /^ {2}cpu +2\.1% \(peak 12\.5%\)$/m,
      /^ {2}memory +45M \(peak 60M\)$/m,
      /^ {2}restarts +2 \(unstable in a row: 1 of 16\)$/m,
      /^ {2}last exit +code 1, reason crash$/m,
      /^ {2}stop +SIGTERM, then SIGKILL after 5s$/m,
    ]) {
      expect(text).toMatch(expected);
    }
  });

  it('shows the memory limit (max_memory_restart) and what a watched app ignores', () => {
    const detail = processDetail();
    detail.spec = {
      ...detail.spec,
      maxMemoryBytes: 200 * 1024 * 1024,
      watch: ['/srv/api/src'],
      ignoreWatch: ['node_modules', '*.tmp'],
    };
    const text = renderProcessDetails([detail], plain);
    expect(text).toMatch(/^ {2}memory +45M \(peak 60M, restart above 200M\)$/m);
    expect(text).toMatch(/^ {2}watch ignores +node_modules, \*\.tmp$/m);
    expect(text).not.toMatch(/watch failed/);
  });

  it('shows a watched path that could not be watched (ENOSPC) in describe, list and --ai', () => {
    const watchError = 'not watched: /srv/api/src: ENOSPC: System limit for number of file watchers reached';
    const detail = { ...processDetail({ hasWatch: true, watching: true }), watchError };
    detail.spec = { ...detail.spec, watch: ['/srv/api/src'] };
    expect(renderProcessDetails([detail], plain)).toMatch(
      /^ {2}watch failed +not watched: \/srv\/api\/src: ENOSPC: /m,
    );
    const row = processInfo({ hasWatch: true, watching: true, watchError });
    expect(renderProcessTable([row], plain).split('\n')[1]).toMatch(/ failed$/);
    expect(renderProcessTable([{ ...row, watchError: undefined }], plain).split('\n')[1]).toMatch(/ on$/);
    expect(toAiProcess(row)).toMatchObject({ w: 1, wf: watchError });
  });

  it('shows how the app is really stopped and restarted: the shutdown message, the backoff in place of restart_delay', () => {
    const detail = processDetail();
    const plainText = renderProcessDetails([detail], plain);
    expect(plainText).toMatch(/^ {2}autorestart +on \(delay 0ms, no backoff, min uptime 1s\)$/m);
    detail.spec = {
      ...detail.spec,
      shutdownWithMessage: true,
      killTimeoutMs: 3000,
      restartDelayMs: 2000,
      expBackoffRestartDelayMs: 100,
    };
    const text = renderProcessDetails([detail], plain);
    expect(text).toMatch(
      /^ {2}stop +message 'shutdown' \(SIGTERM without an IPC channel\), then SIGKILL after 3s$/m,
    );
    expect(text).toMatch(/^ {2}autorestart +on \(backoff 100ms up to 15s, min uptime 1s\)$/m);
  });

  it('shows no current cpu or memory for a stopped process, only the peaks of its earlier runs', () => {
    const text = renderProcessDetails([processDetail({ status: 'stopped', pid: null })], plain);
    expect(text).toMatch(/^ {2}cpu +- \(peak 12\.5%\)$/m);
    expect(text).toMatch(/^ {2}memory +- \(peak 60M\)$/m);
  });

  it('shows the end of a re-adopted run as an exit of unknown code, not a crash (SUP-13)', () => {
    const text = renderProcessDetails(
      [processDetail({ status: 'stopped', pid: null, exitCode: null, lastExitReason: 'unknown' })],
      plain,
    );
    expect(text).toMatch(/^ {2}last exit +exited, code unknown \(re-adopted: not this daemon's child\)$/m);
    expect(text).not.toMatch(/crash/);
  });

  it('shows the end of a cluster worker whose primary exited as such, not a crash (SUP-5)', () => {
    const text = renderProcessDetails(
      [processDetail({ exitCode: null, lastExitReason: 'primary-exit', restarts: 1 })],
      plain,
    );
    expect(text).toMatch(/^ {2}last exit +ended with its cluster primary \(reason primary-exit\)$/m);
    expect(text).not.toMatch(/crash/);
  });

  it('shows when a waiting process restarts, and --ai keeps the facts compact', () => {
    const waiting = processDetail({ status: 'waiting-restart', pid: null, restartAt: 10_000 });
    expect(renderProcessDetails([waiting], plain, 7500)).toMatch(/^ {2}next restart +in 2\.5s$/m);
    expect(toAiDetail(processDetail({ exitCode: 1, lastExitReason: 'crash' }))).toEqual({
      i: 0,
      n: 'api',
      s: 'on',
      p: 1234,
      c: 2.1,
      cpk: 12.5,
      m: '45M',
      mpk: '60M',
      u: '2d',
      r: 0,
      cmd: '/usr/bin/node /srv/api/server.js --port 3000',
      cwd: '/srv/api',
      exit: { code: 1, why: 'crash' },
      out: '/home/me/.velos/logs/api-out.log',
      err: '/home/me/.velos/logs/api-err.log',
      lines: { out: 120, err: 3 },
    });
  });
});

describe('log lines', () => {
  it('prints "<name> | line", the bare line, or one JSON object', () => {
    expect(formatLogLine(logLine('hello'), 'prefixed', plain)).toBe('api | hello');
    expect(formatLogLine(logLine('hello'), 'raw', plain)).toBe('hello');
    expect(JSON.parse(formatLogLine(logLine('oops', 'err'), 'json', plain))).toEqual(logLine('oops', 'err'));
  });

  it('names the process of a cluster instance\'s line when the daemon knows it ("<name>:<id> |")', () => {
    const line = { ...logLine('hello'), id: 3 };
    expect(formatLogLine({ ...line, isIdKnown: true }, 'prefixed', plain)).toBe('api:3 | hello');
    expect(formatLogLine(line, 'prefixed', plain)).toBe('api | hello');
  });

  it('marks stderr lines with a red prefix on a colour terminal', () => {
    expect(formatLogLine(logLine('oops', 'err'), 'prefixed', colored)).toBe(`${colored.red('api |')} oops`);
    expect(formatLogLine(logLine('fine'), 'prefixed', colored)).toBe(`${colored.dim('api |')} fine`);
  });

  it('escapes C0 and C1 control characters but tab when asked, in the text and the fields', () => {
    const hostile = { ...logLine('a\u001b[2Jb\u0007c\u009bd\te\r'), fields: { k: 'v\u001b]0;x' } };
    expect(formatLogLine(hostile, 'prefixed', plain, true)).toBe(
      'api | a\\x1b[2Jb\\x07c\\x9bd\te\\x0d k=v\\x1b]0;x',
    );
    expect(formatLogLine(hostile, 'raw', plain)).toBe('a\u001b[2Jb\u0007c\u009bd\te\r k=v\u001b]0;x');
    expect(escapeControlChars('plain ünïcode\ttab')).toBe('plain ünïcode\ttab');
  });

  it("shows an app's colours on a colour terminal, reset at the line's end, and drops them without colour", () => {
    const line = logLine(
      'plain \u001b[31mred\u001b[0m \u001b[1;4mbold\u0007 \u001b[2J\u001b]0;title\u0007 end',
    );
    expect(formatLogLine(line, 'raw', colored, true)).toBe(
      'plain \u001b[31mred\u001b[0m \u001b[1;4mbold\\x07 \\x1b[2J\\x1b]0;title\\x07 end\u001b[0m',
    );
    // NO_COLOR: the text as it reads, the other control characters still escaped
    expect(formatLogLine(line, 'prefixed', plain, true)).toBe(
      'api | plain red bold\\x07 \\x1b[2J\\x1b]0;title\\x07 end',
    );
    // no colour sequence: nothing added
    expect(formatLogLine(logLine('a\u0007b'), 'raw', colored, true)).toBe('a\\x07b');
  });

  it('treats colours begun by CSI (U+009B) as those begun by ESC [, and escapes its other sequences', () => {
    const line = logLine('\u009b31mred\u009b0m \u009b2J\u0085end');
    // in the 7-bit form every terminal reads
    expect(formatLogLine(line, 'raw', colored, true)).toBe('\u001b[31mred\u001b[0m \\x9b2J\\x85end\u001b[0m');
    expect(formatLogLine(line, 'raw', plain, true)).toBe('red \\x9b2J\\x85end');
  });

  it('tells what a cut answer left out and where the full log is', () => {
    const notice = formatLogsCut({
      maxBytes: 4 * 1024 * 1024,
      omittedLines: 23,
      files: ['/h/logs/big-out.log'],
    });
    expect(notice).toBe(
      'velos logs: an answer holds at most 4M of lines: up to 23 older lines left out.\n' +
        'The full log is in /h/logs/big-out.log (e.g. tail -n 23 /h/logs/big-out.log).\n',
    );
  });

  it('points its command at the lines left out, through zcat for a gzipped rotated file', () => {
    const cut = { maxBytes: 4 * 1024 * 1024, omittedLines: 23 };
    const gz = '/h/logs/big-out.2026-12-01T10-00-00.000Z.log.gz';
    expect(formatLogsCut({ ...cut, files: [gz, '/h/logs/big-err.log'], endOffsets: [5000, 10] })).toBe(
      'velos logs: an answer holds at most 4M of lines: up to 23 older lines left out.\n' +
        `The full log is in ${gz} and /h/logs/big-err.log (e.g. zcat ${gz} | head -c 5000 | tail -n 23).\n`,
    );
    expect(formatLogsCut({ ...cut, files: [gz] })).toContain(`(e.g. zcat ${gz} | tail -n 23)`);
    expect(formatLogsCut({ ...cut, files: ['/h/logs/big-out.log'], endOffsets: [4096] })).toContain(
      '(e.g. head -c 4096 /h/logs/big-out.log | tail -n 23)',
    );
    expect(formatLogsCut({ ...cut, files: ["/h/my app's-out.log"], endOffsets: [-1] })).toContain(
      "(e.g. tail -n 23 '/h/my app'\\''s-out.log')",
    );
  });
});
