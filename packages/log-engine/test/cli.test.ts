import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// inside the package's node_modules: the bin finds its dependencies (smol-toml for --rules) as installed
const dir = mkdtempSync(join(packageDir, 'node_modules', '.velos-log-cli-'));
const cli = join(dir, 'cli.js');
const log = join(dir, 'app.log');

/** Runs the built `velos-log` bin; every run is a real child process that has exited when this returns. */
function velosLog(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  // Build the bin from the sources under test, so the test never runs a stale dist/.
  const tsup = join(
    dirname(createRequire(import.meta.url).resolve('tsup/package.json')),
    'dist/cli-default.js',
  );
  const build = spawnSync(
    process.execPath,
    [
      tsup,
      'src/cli.ts',
      '--no-config',
      '--format',
      'esm',
      '--target',
      'node20',
      '--out-dir',
      dir,
      '--silent',
    ],
    { cwd: packageDir, encoding: 'utf8', timeout: 60_000 },
  );
  expect(build.status, build.stderr).toBe(0);
  writeFileSync(
    log,
    [
      '2026-11-22T10:05:00Z INFO GET /api/items/1 200 3ms',
      '2026-11-22T10:06:00Z INFO GET /api/items/2 200 5ms',
      '2026-11-22T10:06:30Z ERROR db timeout after 30s',
      '2026-11-22T10:47:00Z INFO GET /api/items/3 200 4ms',
    ].join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('velos-log', () => {
  it('templates: one line per input line, in order, with final ids (tsv and json)', () => {
    const users = ['ann', 'ben', 'cid', 'dan'].map((u) => `Invalid user ${u} from 10.0.0.1`);
    const tsv = velosLog(['templates'], `${users.join('\n')}\nConnection closed by 10.0.0.2 [preauth]\n`);
    expect(tsv.code).toBe(0);
    expect(tsv.stdout).toBe(
      `${'1\tInvalid user <*> from <ip>\n'.repeat(4)}4\tConnection closed by <ip> [preauth]\n`,
    );
    const json = velosLog(['templates', '-', '--format', 'json'], 'a 1\na 2\n');
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { id: 1, template: 'a <num>' },
      { id: 1, template: 'a <num>' },
    ]);
  });

  it('templates: a .NET console header gets the template of the message under it, in batch and --stream', () => {
    const fixture = readFileSync(join(packageDir, 'test', 'fixtures', 'dotnet-console.txt'), 'utf8');
    const input = `${fixture}info: Shop.Worker[1]\n`;
    const lines = input.trimEnd().split('\n');
    for (const args of [['templates'], ['templates', '--stream']]) {
      const run = velosLog(args, input);
      expect(run.code, run.stderr).toBe(0);
      const out = run.stdout.trimEnd().split('\n');
      expect(out).toHaveLength(lines.length);
      expect(out.slice(0, 2)).toEqual(['1\tNow listening on: <url>', '1\tNow listening on: <url>']);
      // the header of a failure, its message, then the exception and frames (their own lines)
      const fail = lines.indexOf('fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]');
      expect(out[fail]).toBe(out[fail + 1]);
      expect(out[fail]).toMatch(/\tAn unhandled exception has occurred while executing the request\.$/);
      // a last header without a message: its own template
      expect(out.at(-1)).toMatch(/\tinfo: Shop\.Worker\[<num>\]$/);
    }
  });

  it('templates --stream gives a header its own template when its message does not come within a second', async () => {
    const child = spawn(process.execPath, [cli, 'templates', '--stream'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    try {
      child.stdin.write('warn: Shop.Worker[2]\n');
      // printed on its own once the wait is over, before any other line comes
      const [first] = (await once(child.stdout, 'data')) as [Buffer];
      expect(first.toString()).toBe('1\twarn: Shop.Worker[<num>]\n');
      const rest: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => rest.push(chunk));
      child.stdin.end('      Queue 7 is slow\n');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(Buffer.concat(rest).toString()).toBe('2\tQueue <num> is slow\n');
    } finally {
      if (child.exitCode === null) child.kill();
    }
  }, 10_000);

  it('templates --stream prints the id each line had when it was read, lent by a young template', () => {
    const users = ['ann', 'ben', 'cid', 'dan'].map((u) => `Invalid user ${u} from 10.0.0.1`);
    const ids = (args: string[]) =>
      velosLog(args, users.join('\n'))
        .stdout.split('\n')
        .slice(0, 4)
        .map((l) => l.split('\t')[0]);
    // The second user's line answers with the id its family keeps when the third user merges it.
    expect(ids(['templates', '--stream'])).toEqual(['1', '1', '1', '1']);
    expect(ids(['templates'])).toEqual(['1', '1', '1', '1']);
  });

  it('classify: <level>\\t<line>', () => {
    const out = velosLog(['classify'], 'ERROR boom\nall fine\n{"level":"warn","msg":"hm"}\n');
    expect(out.stdout).toBe('error\tERROR boom\ninfo\tall fine\nwarn\t{"level":"warn","msg":"hm"}\n');
  });

  it('summarize: text and compact JSON, from a file', () => {
    const text = velosLog(['summarize', log, '--utc']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe(
      '2026-11-22 10:05–10:47 UTC (42m) · 4 lines · 2 templates · health 60/100',
    );
    const json = JSON.parse(velosLog(['summarize', log, '--json']).stdout);
    // summary, the word of velos logs --summary, is the same command
    expect(velosLog(['summary', log, '--utc']).stdout).toBe(text.stdout);
    expect(json).toMatchObject({ lines: 4, levels: { error: 1, info: 3 }, lastError: { level: 'error' } });
  });

  it('search: by level, text and time, as text or JSON', () => {
    expect(velosLog(['search', log, '--level', 'error']).stdout).toBe(
      '2026-11-22T10:06:30Z ERROR db timeout after 30s\n',
    );
    expect(
      velosLog(['search', log, '--text', 'items', '--limit', '2']).stdout.trim().split('\n'),
    ).toHaveLength(2);
    const json = velosLog(['search', log, '--since', '2026-11-22T10:40:00Z', '--format', 'json']).stdout;
    expect(JSON.parse(json)).toEqual({
      line: 4,
      at: '2026-11-22T10:47:00.000Z',
      level: 'info',
      text: '2026-11-22T10:47:00Z INFO GET /api/items/3 200 4ms',
    });
  });

  it('an access log (Common Log Format): the time in brackets gives the period, rates and --since', () => {
    const access = join(dir, 'access.log');
    writeFileSync(
      access,
      [
        '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326',
        '127.0.0.1 - - [10/Oct/2000:13:56:01 -0700] "GET /b.gif HTTP/1.0" 200 2326',
        '10.0.0.2 - - [10/Oct/2000:13:57:12 -0700] "POST /login HTTP/1.1" 500 12',
      ].join('\n'),
    );
    // the POST answered 500 is an error (1 line in 3): the status decides, not the words
    expect(velosLog(['summarize', access, '--utc']).stdout.split('\n')[0]).toBe(
      '2000-10-10 20:55–20:57 UTC (1m) · 3 lines · 3 templates · health 60/100',
    );
    const since = velosLog(['search', access, '--since', '2000-10-10T20:56:00Z']).stdout;
    expect(since.trim().split('\n')).toHaveLength(2);
  });

  it('dedupe: template (xN, first, last)', () => {
    expect(velosLog(['dedupe', log, '--utc']).stdout).toBe(
      'INFO GET <path> <num> <dur> (x3, first 10:05, last 10:47)\n2026-11-22T10:06:30Z ERROR db timeout after 30s\n',
    );
  });

  it('--rules: a JSON or TOML file of rules tried before the built-in ones, for every command', () => {
    const json = join(dir, 'rules.json');
    writeFileSync(
      json,
      JSON.stringify([
        { match: '^legacy call:', level: 'warn' },
        { match: '(?i)db timeout', level: 'info' },
      ]),
    );
    const toml = join(dir, 'rules.toml');
    writeFileSync(toml, '[[rules]]\nmatch = "^legacy call:"\nlevel = "warn"\n');
    const input = 'legacy call: x() is going away\nall fine\n';
    expect(velosLog(['classify'], input).stdout).toBe(`info\t${input.split('\n')[0]}\ninfo\tall fine\n`);
    for (const file of [json, toml]) {
      expect(velosLog(['classify', '--rules', file], input).stdout).toBe(
        `warn\t${input.split('\n')[0]}\ninfo\tall fine\n`,
      );
    }
    // a user rule wins over the ERROR label: the noisy line is info now
    expect(velosLog(['search', log, '--level', 'error', '--rules', json]).stdout).toBe('');
    const summary = JSON.parse(velosLog(['summarize', log, '--json', '--rules', json]).stdout);
    expect(summary.levels).toEqual({ info: 4 });
  });

  it('--rules: a bad rule is one line naming the file and the rule', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        rules: [
          { match: 'ok', level: 'warn' },
          { match: '(', level: 'warn' },
        ],
      }),
    );
    const out = velosLog(['classify', '--rules', bad], 'x\n');
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(
      /^velos-log: .*bad\.json: rules\[1\]\.match: expected a valid regular expression: .*\n$/,
    );
    writeFileSync(bad, JSON.stringify([{ match: '(a+)+$', level: 'warn' }]));
    expect(velosLog(['classify', '--rules', bad], 'x\n').stderr).toContain(
      'rules[0].match: a quantified group',
    );
    expect(velosLog(['classify', '--rules', join(dir, 'none.json')], 'x\n').stderr).toMatch(
      /none\.json: ENOENT/,
    );
  });

  it('says in one line on stderr that an input looks binary, and reads it all the same', () => {
    const binary = join(dir, 'app.log.gz');
    writeFileSync(binary, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x0a, 0x41, 0x42, 0x0a]));
    const file = velosLog(['templates', binary]);
    expect(file.code).toBe(0);
    expect(file.stderr).toBe(
      `velos-log: ${binary} looks binary (NUL or control bytes at its start), not a text log: read as text anyway, its lines and templates are likely noise\n`,
    );
    expect(file.stdout.split('\n')).toHaveLength(3);
    expect(velosLog(['classify', '-'], 'ok\u0000\n').stderr).toMatch(
      /^velos-log: the input looks binary .*\n$/,
    );
    expect(velosLog(['summarize', log]).stderr).toBe('');
  });

  it('fails with one clear line and a non-zero code', () => {
    const unknown = velosLog(['explode']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'velos-log: unknown command "explode": expected summarize, templates, classify, search or dedupe\nTry velos-log --help.\n',
    );
    const missing = velosLog(['summarize', join(dir, 'nope.log')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^velos-log: .*nope\.log: cannot read: ENOENT/);
    expect(velosLog(['search', log, '--level', 'loud']).code).toBe(2);
    expect(velosLog(['summarize', '--bogus']).code).toBe(2);
    // a negative number is the option's value, checked as such; Node's own messages are cut to one line
    const negative = velosLog(['summarize', log, '--top', '-1']);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toBe(
      'velos-log: --top: expected a positive integer, got "-1"\nTry velos-log --help.\n',
    );
    const ambiguous = velosLog(['search', log, '--text', '-x']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(
      /^velos-log: Option '--text' argument is ambiguous\.[^\n]*\nTry velos-log --help\.\n$/,
    );
    expect(velosLog(['--help']).stdout).toContain('Usage: velos-log <command> [file|-] [options]');
  });
});
