import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appSpecSchema } from '../src/protocol-schemas.js';
import { configFolder, messageOf } from './config-test-helpers.js';

const folder = configFolder('velos-core-supervision-');
const { dir } = folder;

let counter = 0;
/** Loads one YAML config document holding `apps`. */
function load(yaml: string) {
  counter += 1;
  return folder.load(`app-${counter}.yaml`, yaml);
}

describe('cluster, reload and watch options', () => {
  it('defaults to fork mode, no watch, services', async () => {
    const [spec] = await load('apps:\n  - script: server.js\n');
    expect(spec).toMatchObject({
      execMode: 'fork',
      waitReady: false,
      listenTimeoutMs: 8000,
      type: 'service',
      dependsOn: [],
      watchDelayMs: 500,
    });
    expect(spec!.watch).toBeUndefined();
    expect(appSpecSchema.safeParse(spec).success).toBe(true);
  });

  it('resolves watch paths against cwd; true watches cwd; watch_paths adds to them', async () => {
    const [spec] = await load(
      'apps:\n  - script: server.js\n    cwd: srv\n    watch: true\n    watch_paths: [lib, /etc/app]\n    ignore_watch: "*.tmp"\n    watch_delay: 1s\n',
    );
    expect(spec!.watch).toEqual([join(dir, 'srv'), join(dir, 'srv', 'lib'), '/etc/app']);
    expect(spec!.ignoreWatch).toEqual(['*.tmp']);
    expect(spec!.watchDelayMs).toBe(1000);
  });

  it('takes cluster options', async () => {
    const [spec] = await load(
      'apps:\n  - script: server.js\n    exec_mode: cluster\n    instances: max\n    increment_var: PORT\n    wait_ready: true\n    listen_timeout: 3s\n',
    );
    expect(spec).toMatchObject({ execMode: 'cluster', instances: 2, incrementVar: 'PORT', waitReady: true });
    expect(spec!.listenTimeoutMs).toBe(3000);
    expect(await messageOf(load('apps:\n  - script: s.js\n    increment_var: "1X"\n'))).toContain(
      'apps[0].increment_var',
    );
  });
});

describe('jobs and watchdog', () => {
  it('takes a job on a schedule or an interval, with a timeout and history', async () => {
    const [cron, every] = await load(
      'apps:\n  - name: nightly\n    script: backup.sh\n    type: job\n    schedule: "0 3 * * *"\n    timeout: 10m\n  - name: poll\n    script: poll.sh\n    type: job\n    interval: 30m\n    history: 5\n',
    );
    expect(cron).toMatchObject({ type: 'job', schedule: '0 3 * * *', jobTimeoutMs: 600_000, jobHistory: 50 });
    expect(every).toMatchObject({ type: 'job', intervalMs: 1_800_000, jobHistory: 5 });
  });

  it('rejects job options on a service, and both a schedule and an interval', async () => {
    expect(await messageOf(load('apps:\n  - name: web\n    script: s.js\n    interval: 5s\n'))).toMatch(
      /^INVALID_CONFIG: app-\d+\.yaml: apps\[0\] \(web\)\.interval: interval is for type: job \(set the app's type to "job"\) \(line 4\)$/,
    );
    expect(
      await messageOf(
        load(
          'apps:\n  - name: j\n    script: s.sh\n    type: job\n    interval: 5s\n    schedule: "* * * * *"\n',
        ),
      ),
    ).toContain('a job takes schedule or interval, not both');
  });

  it('refuses cron_restart on a job, saying what to use instead (issue #19)', async () => {
    for (const trigger of ['interval: 30d', 'schedule: "0 * * * *"', 'timeout: 5m']) {
      expect(
        await messageOf(
          load(
            `apps:\n  - name: j\n    script: s.sh\n    type: job\n    ${trigger}\n    cron_restart: "0 3 * * *"\n`,
          ),
        ),
      ).toMatch(
        /apps\[0\] \(j\)\.cron_restart: cron_restart restarts a running service; .*use schedule instead\) \(line 6\)$/,
      );
    }
  });

  it('refuses a job of several instances, naming the file, the key and the line', async () => {
    for (const [count, got] of [
      ['3', '3'],
      ['max', 'one per CPU ("max" or 0)'],
      ['0', 'one per CPU ("max" or 0)'],
      ['-1', '-1'],
    ]) {
      const message = await messageOf(
        load(`apps:\n  - name: j\n    script: s.sh\n    type: job\n    instances: ${count}\n`),
      );
      expect(message).toMatch(/^INVALID_CONFIG: app-\d+\.yaml: apps\[0\] \(j\)\.instances: /);
      expect(message).toContain(
        `: a job runs one instance, never several at once: expected 1, got ${got} (line 5)`,
      );
    }
    const [one] = await load('apps:\n  - name: j\n    script: s.sh\n    type: job\n    instances: 1\n');
    expect(one).toMatchObject({ type: 'job', instances: 1 });
  });

  it('gives the one-instance reason first for a job with several instances in cluster mode', async () => {
    expect(
      await messageOf(
        load(
          'apps:\n  - name: j\n    script: s.js\n    type: job\n    exec_mode: cluster\n    instances: 2\n',
        ),
      ),
    ).toMatch(
      /apps\[0\] \(j\)\.instances: a job runs one instance, never several at once: expected 1, got 2 \(line 6\)$/,
    );
  });

  it('resolves a job with autorestart false: its exit is recorded, never restarted', async () => {
    const [job, written, service] = await load(
      'apps:\n  - name: j\n    script: s.sh\n    type: job\n  - name: k\n    script: s.sh\n    type: job\n    autorestart: true\n  - name: web\n    script: s.js\n',
    );
    expect([job!.autorestart, written!.autorestart, service!.autorestart]).toEqual([false, false, true]);
  });

  it('fills the watchdog defaults and resolves its log file', async () => {
    const [spec] = await load('apps:\n  - script: s.sh\n    watchdog: { log_file: out/app.log }\n');
    expect(spec!.watchdog).toEqual({
      timeoutMs: 60_000,
      intervalMs: 5000,
      logFile: join(dir, 'out', 'app.log'),
    });
  });
});

describe('probes', () => {
  it('parses http, tcp and exec checks with their defaults', async () => {
    const [spec] = await load(
      [
        'apps:',
        '  - script: s.js',
        '    liveness_probe: { http: { url: "http://127.0.0.1:3000/health", status: "2xx", headers: { x-check: "1" } }, interval: 5s, failure_threshold: 2 }',
        '    readiness_probe: { tcp: "localhost:3000" }',
        '  - name: other',
        '    script: s.js',
        '    liveness_probe: { exec: "test -f /tmp/ok", initial_delay: 1s }',
        '    readiness_probe: { tcp: 8080 }',
      ].join('\n'),
    );
    expect(spec!.livenessProbe).toEqual({
      kind: 'http',
      url: 'http://127.0.0.1:3000/health',
      statusMin: 200,
      statusMax: 299,
      headers: { 'x-check': '1' },
      intervalMs: 5000,
      timeoutMs: 2000,
      failureThreshold: 2,
      successThreshold: 1,
      initialDelayMs: 0,
    });
    expect(spec!.readinessProbe).toMatchObject({ kind: 'tcp', host: 'localhost', port: 3000 });
    expect(appSpecSchema.safeParse(spec).success).toBe(true);
  });

  it('parses exec checks and bare ports', async () => {
    const [, other] = await load(
      'apps:\n  - script: s.js\n  - name: other\n    script: s.js\n    liveness_probe: { exec: "test -f /tmp/ok", initial_delay: 1s }\n    readiness_probe: { tcp: 8080 }\n',
    );
    expect(other!.livenessProbe).toMatchObject({
      kind: 'exec',
      command: 'test -f /tmp/ok',
      initialDelayMs: 1000,
    });
    expect(other!.readinessProbe).toMatchObject({ kind: 'tcp', host: '127.0.0.1', port: 8080 });
  });

  it('needs exactly one check and a valid status range', async () => {
    expect(
      await messageOf(load('apps:\n  - script: s.js\n    liveness_probe: { interval: 5s }\n')),
    ).toContain('expected exactly one of http, tcp or exec');
    expect(
      await messageOf(
        load(
          'apps:\n  - script: s.js\n    liveness_probe: { http: { url: "http://x/", status: "300-200" } }\n',
        ),
      ),
    ).toContain('expected a range from low to high ("200-300"), got "300-200"');
    const status = (value: string) =>
      `apps:\n  - script: s.js\n    liveness_probe: { http: { url: "http://x/", status: ${value} } }\n`;
    expect(await messageOf(load(status('600')))).toContain('expected statuses from 100 to 599, got 600');
    expect(await messageOf(load(status('"200-999"')))).toContain(
      'expected statuses from 100 to 599, got "200-999"',
    );
    expect(await messageOf(load(status('"ok"')))).toContain('expected a status like 200, "200-399" or "2xx"');
  });

  it('refuses an http check no request can be made of: the probe would fail (and restart the app) forever', async () => {
    const probe = (http: string) => `apps:\n  - script: s.js\n    liveness_probe: { http: ${http} }\n`;
    expect(await messageOf(load(probe('"http://"')))).toMatch(
      /liveness_probe\.http: expected a valid http:\/\/ or https:\/\/ URL \(a host, a port 1-65535\), got "http:\/\/"/,
    );
    expect(await messageOf(load(probe('"http://my host/health"')))).toContain('expected a valid http://');
    expect(await messageOf(load(probe('"http://127.0.0.1:99999/"')))).toContain('a port 1-65535');
    expect(await messageOf(load(probe('"localhost:3000/health"')))).toContain(
      'expected an http:// or https:// URL, got "localhost:3000/health"',
    );
    expect(
      await messageOf(load(probe('{ url: "http://x/", headers: { "x check": "1", accept: "*/*" } }'))),
    ).toMatch(
      /http\.headers: expected header names of letters, digits and - \(no spaces or ":"\), got "x check"/,
    );
    expect(await messageOf(load(probe('{ url: "http://x/", headers: { x-check: "a\\nb" } }')))).toMatch(
      /http\.headers\.x-check: expected a header value without control characters \(newlines\)/,
    );
    const [spec] = await load(probe('{ url: "HTTP://[::1]:3000/h?q=1", headers: { X-Check: "a\\tb" } }'));
    expect(spec!.livenessProbe).toMatchObject({
      url: 'HTTP://[::1]:3000/h?q=1',
      headers: { 'X-Check': 'a\tb' },
    });
  });

  it('refuses an interval or timeout under 100 ms: a number of seconds without its unit (2 is 2 ms)', async () => {
    const probe = (timing: string) => `apps:\n  - script: s.js\n    liveness_probe: { tcp: 80, ${timing} }\n`;
    expect(await messageOf(load(probe('timeout: 2')))).toContain(
      'liveness_probe.timeout: expected at least 100 ms, got 2 (a bare number is milliseconds: write "2s" for 2 seconds)',
    );
    expect(await messageOf(load(probe('interval: "50ms"')))).toMatch(
      /liveness_probe\.interval: expected at least 100 ms, got "50ms" \(line 3\)$/,
    );
    const [spec] = await load(probe('interval: 100, timeout: 1500'));
    expect(spec!.livenessProbe).toMatchObject({ intervalMs: 100, timeoutMs: 1500 });
  });

  it('suggests the Velos names of process-compose and Kubernetes probe options', async () => {
    const message = await messageOf(
      load(
        'apps:\n  - script: s.js\n    readiness_probe:\n      http_get: { port: 80 }\n      period_seconds: 5\n      timeoutSeconds: 1\n      initial_delay_seconds: 2\n',
      ),
    );
    expect(message).toContain(
      'unknown options "http_get" (did you mean "http"?), "period_seconds" (did you mean "interval"?), "timeoutSeconds" (did you mean "timeout"?), "initial_delay_seconds" (did you mean "initial_delay"?)',
    );
  });

  it('tells a tcp check without a port once, and one with a port out of range', async () => {
    const noPort = await messageOf(
      load('apps:\n  - script: s.js\n    readiness_probe: { tcp: localhost }\n'),
    );
    expect(noPort).toContain('expected "host:port" or a port');
    expect(noPort).not.toContain('1-65535');
    expect(
      await messageOf(load('apps:\n  - script: s.js\n    readiness_probe: { tcp: "localhost:70000" }\n')),
    ).toContain('expected a port, 1-65535');
  });
});

describe('depends_on', () => {
  it('takes a name, a list or a table of conditions', async () => {
    const specs = await load(
      [
        'apps:',
        '  - { name: a, script: a.js, depends_on: db }',
        '  - { name: b, script: b.js, depends_on: [db, { name: migrate, condition: completed_successfully }] }',
        '  - { name: c, script: c.js, depends_on: { db: healthy } }',
      ].join('\n'),
    );
    expect(specs.map((spec) => spec.dependsOn)).toEqual([
      [{ name: 'db', condition: 'started' }],
      [
        { name: 'db', condition: 'started' },
        { name: 'migrate', condition: 'completed_successfully' },
      ],
      [{ name: 'db', condition: 'healthy' }],
    ]);
  });

  it('rejects an app depending on itself and unknown conditions', async () => {
    expect(await messageOf(load('apps:\n  - { name: a, script: a.js, depends_on: a }\n'))).toContain(
      'depends_on names the app itself',
    );
    expect(
      await messageOf(load('apps:\n  - { name: a, script: a.js, depends_on: { db: ready } }\n')),
    ).toContain('apps[0].depends_on');
  });

  it("takes process-compose's form: {db: {condition: process_healthy}}, and its condition names", async () => {
    const specs = await load(
      [
        'apps:',
        '  - name: api',
        '    script: a.js',
        '    depends_on:',
        '      db: { condition: process_healthy }',
        '      migrate: { condition: process_completed_successfully }',
        '      cache: process_started',
        '  - { name: b, script: b.js, depends_on: [{ name: db, condition: process_healthy }] }',
      ].join('\n'),
    );
    expect(specs.map((spec) => spec.dependsOn)).toEqual([
      [
        { name: 'db', condition: 'healthy' },
        { name: 'migrate', condition: 'completed_successfully' },
        { name: 'cache', condition: 'started' },
      ],
      [{ name: 'db', condition: 'healthy' }],
    ]);
    expect(
      await messageOf(
        load(
          'apps:\n  - name: a\n    script: a.js\n    depends_on:\n      db: { condition: process_ready }\n',
        ),
      ),
    ).toMatch(
      /apps\[0\]\.depends_on\.db\.condition: expected one of "started", "healthy", "completed_successfully", got "process_ready" \(line 5\)/,
    );
  });
});

describe('uid and gid', () => {
  it('keeps a user and a group as written, by name or number, and in a PM2 file too', async () => {
    const [spec] = await load('apps:\n  - script: server.js\n    uid: www-data\n    gid: 33\n');
    expect(spec).toMatchObject({ uid: 'www-data', gid: 33 });
    expect(appSpecSchema.safeParse(spec).data).toMatchObject({ uid: 'www-data', gid: 33 });
    const [pm2] = await folder.load(
      'ecosystem.config.json',
      JSON.stringify({ apps: [{ script: 'server.js', uid: 'nobody', gid: 'nogroup' }] }),
    );
    expect(pm2).toMatchObject({ uid: 'nobody', gid: 'nogroup' });
  });

  it('refuses a value that names no account, and uid in cluster mode', async () => {
    expect(await messageOf(load('apps:\n  - script: server.js\n    uid: -1\n'))).toMatch(
      /apps\[0\]\.uid: expected a user name or a numeric uid \(0 or more\), got -1/,
    );
    expect(await messageOf(load('apps:\n  - script: server.js\n    gid: "a:b"\n'))).toMatch(
      /apps\[0\]\.gid: expected a group name or a numeric gid \(0 or more\), got "a:b"/,
    );
    expect(
      await messageOf(load('apps:\n  - script: server.js\n    uid: nobody\n    exec_mode: cluster\n')),
    ).toMatch(/uid and gid are for fork mode/);
  });
});
