import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeExportFiles } from '../src/export/write-out.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-export-out-'));
  dirs.push(dir);
  return dir;
}

const SECRET_FILE = {
  name: 'web.env',
  text: "API_KEY='k1'\n",
  secrets: [{ app: 'web', keys: ['API_KEY'], isMoved: true }],
};

describe('export --out: files planted in a shared directory are never written through', () => {
  it('a readable file planted where a temporary file was expected does not make the secret file readable', () => {
    const out = scratchDir();
    // the name the writer used to pick (its pid): a file another user made there beforehand
    const planted = join(out, `.web.env.${process.pid}.tmp`);
    writeFileSync(planted, '', { mode: 0o666 });
    const [path] = writeExportFiles(out, [SECRET_FILE]);
    expect(path).toBe(join(out, 'web.env'));
    expect(statSync(join(out, 'web.env')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'web.env'), 'utf8')).toBe("API_KEY='k1'\n");
    expect(readFileSync(planted, 'utf8')).toBe('');
  });

  it('a symbolic link planted at that name is not followed', () => {
    const out = scratchDir();
    const victim = join(scratchDir(), 'victim');
    writeFileSync(victim, 'keep me\n');
    symlinkSync(victim, join(out, `.web.env.${process.pid}.tmp`));
    writeExportFiles(out, [SECRET_FILE, { name: 'web.service', text: '[Service]\n' }]);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(lstatSync(join(out, 'web.env')).isFile()).toBe(true);
    expect(readFileSync(join(out, 'web.service'), 'utf8')).toBe('[Service]\n');
    expect(readdirSync(out).sort()).toEqual([`.web.env.${process.pid}.tmp`, 'web.env', 'web.service']);
  });
});
