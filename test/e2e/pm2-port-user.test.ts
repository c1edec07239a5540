import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  FIXTURES,
  outLog,
  readLines,
  velos,
  waitFor,
  waitForStatus,
} from './helpers.js';
import { warningsOf } from './pm2-helpers.js';

afterEach(cleanupHomes);

/** Writes `ecosystem.config.js` with these apps (echo-env.js as their script) into the home. */
function ecosystem(home: string, apps: string): string {
  const file = join(home, 'ecosystem.config.js');
  writeFileSync(
    file,
    `const script = ${JSON.stringify(join(FIXTURES, 'echo-env.js'))};\nmodule.exports = { apps: ${apps} };\n`,
  );
  return file;
}

/** The variables echo-env.js printed (those named in its SHOW_ENV). */
function echoed(home: string, name: string): Promise<Record<string, string | null>> {
  return waitFor(
    () => {
      const line = readLines(outLog(home, name)).find((l) => l.startsWith('{'));
      return line ? (JSON.parse(line) as { env: Record<string, string | null> }).env : undefined;
    },
    { message: `${name}'s echoed environment` },
  );
}

// PM2's schema: `port` is "a shortcut to inject a PORT environment variable", `user` an alias of `uid`
describe('port and user in a PM2 process file', () => {
  it('port sets PORT over the env table, and an env_<profile> PORT wins over it, as in PM2', async () => {
    const home = createHome();
    const file = ecosystem(
      home,
      `[
        { name: 'p1', script, port: 4321, env: { PORT: '1111', SHOW_ENV: 'PORT' } },
        { name: 'p2', script, port: 4321, env: { SHOW_ENV: 'PORT' }, env_production: { PORT: '2222' } },
      ]`,
    );
    const result = await velos(['start', file, '--env', 'production'], { home });
    expect(result.code, result.stderr).toBe(0);
    // p1 has no env_production: said of it alone, as PM2 does (its env is used)
    expect(warningsOf(result)).toEqual([
      'ecosystem.config.js: apps[0] (p1): no env_production table (from --env production); its env used',
    ]);
    expect(await echoed(home, 'p1')).toEqual({ PORT: '4321' });
    expect(await echoed(home, 'p2')).toEqual({ PORT: '2222' });
  });

  it('refuses a port that is not a port number, naming the app and the key', async () => {
    const home = createHome();
    const file = ecosystem(home, `[{ name: 'p3', script, port: 'http' }]`);
    const result = await velos(['start', file], { home });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/apps\[0\] \(p3\)\.port: .*"http"/);
  });

  it.skipIf(process.getuid?.() !== 0)('user runs the app as that user, as uid does', async () => {
    const home = createHome();
    const file = ecosystem(
      home,
      `[{ name: 'u1', script, cwd: ${JSON.stringify(FIXTURES)} , user: 'nobody', env: { SHOW_ENV: 'USER' } }]`,
    );
    const result = await velos(['start', file], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(warningsOf(result)).toEqual([]);
    const row = await waitForStatus(home, 'u1', 'online');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${row.pid}/status`, 'utf8'))![1]);
    const nobody = /^nobody:[^:]*:(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))!;
    expect(uid).toBe(Number(nobody[1]));
    expect(await echoed(home, 'u1')).toEqual({ USER: 'nobody' });
  });
});
