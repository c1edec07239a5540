import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerToken, createAuthenticator } from '../src/auth/authenticate.js';
import { API_TOKENS_FILE, loadOrCreateTokens, readTokenFile } from '../src/auth/token-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-api-tokens-'));
  dirs.push(dir);
  return dir;
}

describe('loadOrCreateTokens', () => {
  it('creates the token file once (0600, an admin and a read token) and reads it after', () => {
    const home = tempDir();
    const first = loadOrCreateTokens(home);
    expect(first.isCreated).toBe(true);
    expect(first.path).toBe(join(home, API_TOKENS_FILE));
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(first.admin).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.read).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.read).not.toBe(first.admin);
    expect(readFileSync(first.path, 'utf8')).toContain(`admin ${first.admin}\nread ${first.read}\n`);
    const again = loadOrCreateTokens(home);
    expect(again).toMatchObject({ isCreated: false, admin: first.admin, read: first.read });
  });

  it('refuses a token file others can read', () => {
    const home = tempDir();
    const { path } = loadOrCreateTokens(home);
    chmodSync(path, 0o644);
    expect(() => loadOrCreateTokens(home)).toThrow(/readable by others.*chmod 600/);
  });
});

describe('readTokenFile', () => {
  it('reads scoped lines, a bare token as admin, and skips comments and blank lines', () => {
    const dir = tempDir();
    const path = join(dir, 'tokens');
    writeFileSync(path, `# mine\n\nread ${'r'.repeat(20)}\n${'a'.repeat(20)}\n`, { mode: 0o600 });
    expect(readTokenFile(path)).toEqual({ admin: 'a'.repeat(20), read: 'r'.repeat(20) });
  });

  it.each([
    ['root sixteen-characters-long', /line 1: expected "admin <token>"/],
    ['admin short', /line 1: expected a token of 16 or more/],
    [`read ${'r'.repeat(20)}`, /expected an admin token/],
    [`admin ${'a'.repeat(20)}\nadmin ${'b'.repeat(20)}`, /line 2: a second admin token/],
    [`admin ${'a'.repeat(20)}\nread ${'a'.repeat(20)}`, /read token must differ/],
  ])('refuses %j', (text, error) => {
    const path = join(tempDir(), 'tokens');
    writeFileSync(path, text, { mode: 0o600 });
    expect(() => readTokenFile(path)).toThrow(error);
  });

  it('refuses a token file others can read or write, as for the home one', () => {
    for (const mode of [0o644, 0o640, 0o602]) {
      const path = join(tempDir(), 'tokens');
      writeFileSync(path, `admin ${'a'.repeat(20)}\n`, { mode: 0o600 });
      chmodSync(path, mode);
      expect(() => readTokenFile(path)).toThrow(
        `${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 ${path}`,
      );
    }
  });

  it('names a file it cannot read, with the reason and the fix, in one line', () => {
    const missing = '/nonexistent/velos-tokens';
    expect(() => readTokenFile(missing)).toThrow(
      `cannot read the token file ${missing}: it does not exist (ENOENT); create it with an admin token of 16 or more printable characters: (umask 077; echo "admin $(openssl rand -base64 32)" > ${missing}), or name no token file to use $VELOS_HOME/api-tokens, made at the first start`,
    );
    const dir = tempDir();
    expect(() => readTokenFile(dir)).toThrow(
      `cannot read the token file ${dir}: it is a directory (EISDIR); name the file that holds the tokens`,
    );
  });
});

describe('createAuthenticator', () => {
  it('tells the scope of each token and null for anything else', () => {
    const authenticate = createAuthenticator({ tokens: { admin: 'a'.repeat(43), read: 'r'.repeat(43) } });
    expect(authenticate('a'.repeat(43))).toBe('admin');
    expect(authenticate('r'.repeat(43))).toBe('read');
    expect(authenticate('a'.repeat(42))).toBeNull();
    expect(authenticate('')).toBeNull();
    expect(createAuthenticator({ tokens: { admin: 'a'.repeat(43) } })('r'.repeat(43))).toBeNull();
    expect(createAuthenticator({ disabled: true })('')).toBe('admin');
  });

  it('reads the token of a Bearer header only', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
