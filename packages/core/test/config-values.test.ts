import { describe, expect, it } from 'vitest';
import { parseConfigValue } from '../src/config-values.js';

describe('parseConfigValue (velos config set)', () => {
  it('reads TOML values, anything else as a string', async () => {
    expect(await parseConfigValue('3')).toBe(3);
    expect(await parseConfigValue('true')).toBe(true);
    expect(await parseConfigValue('[0, 3]')).toEqual([0, 3]);
    expect(await parseConfigValue('"a b"')).toBe('a b');
    expect(await parseConfigValue('5s')).toBe('5s');
  });

  // env.VERSION=1.10 reached the app as "1.1", and env.DEBUG=0x1 as "1"
  it('keeps an env value written as a number or boolean as written', async () => {
    expect(await parseConfigValue('1.10', 'env.VERSION')).toBe('1.10');
    expect(await parseConfigValue('0x1', 'env_production.DEBUG')).toBe('0x1');
    expect(await parseConfigValue('3000', 'env.PORT')).toBe('3000');
    expect(await parseConfigValue('"quoted"', 'env.NAME')).toBe('quoted');
    expect(await parseConfigValue('1.10', 'max_restarts')).toBe(1.1);
  });
});
