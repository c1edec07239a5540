import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config-loader.js';
import type { VelosError } from '../src/errors.js';
import { LOG_RULE_LIMITS } from '../src/log-rule.js';
import { appSpecSchema } from '../src/protocol-schemas.js';
import { specToConfig } from '../src/spec-to-config.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-log-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx = { baseEnv: { PATH: '/usr/bin' }, cpuCount: 2 };

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

async function refusal(name: string, text: string): Promise<VelosError> {
  return loadConfigFile(write(name, text), ctx).then(
    () => {
      throw new Error(`${name} was accepted`);
    },
    (error: VelosError) => error,
  );
}

const TOML = `[[apps]]
name = "web"
script = "web.js"
log_rules = [
  { match = "^legacy call:", level = "warn" },
  { match = "(?i)cache miss", level = "info", stream = "err" },
]
`;

describe('log_rules (ENG-1)', () => {
  it('reads the rules in TOML, YAML and JSON into the spec, in order', async () => {
    const rules = [
      { match: '^legacy call:', level: 'warn' },
      { match: '(?i)cache miss', level: 'info', stream: 'err' },
    ];
    const yaml =
      'apps:\n  - script: web.js\n    log_rules:\n      - match: "^legacy call:"\n        level: warn\n      - { match: "(?i)cache miss", level: info, stream: err }\n';
    const json = JSON.stringify({ apps: [{ script: 'web.js', log_rules: rules }] });
    for (const [name, text] of [
      ['rules.toml', TOML],
      ['rules.yaml', yaml],
      ['rules.json', json],
    ] as const) {
      const [spec] = await loadConfigFile(write(name, text), ctx);
      expect(spec!.logRules).toEqual(rules);
      // the spec crosses the wire and comes back as config as it was written
      expect(appSpecSchema.parse(spec).logRules).toEqual(rules);
      expect(specToConfig(spec!).log_rules).toEqual(rules);
    }
  });

  it('takes the rules from [defaults] (a file or config.toml); an app own list wins', async () => {
    const text =
      '[[apps]]\nname = "a"\nscript = "a.js"\n\n[[apps]]\nname = "b"\nscript = "b.js"\nlog_rules = []\n';
    const defaults = { log_rules: [{ match: 'DEPRECATED', level: 'warn' }] };
    const [a, b] = await loadConfigFile(write('defaults.toml', text), { ...ctx, defaults });
    expect(a!.logRules).toEqual([{ match: 'DEPRECATED', level: 'warn' }]);
    expect(b!.logRules).toBeUndefined();
  });

  it('refuses a bad rule naming the file, the key path and the line', async () => {
    const bad = TOML.replace('"(?i)cache miss"', '"cache (miss"');
    const error = await refusal('bad.toml', bad);
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toMatch(
      /^bad\.toml: apps\[0\]\.log_rules\[1\]\.match: expected a valid regular expression: .* \(line 6\)$/,
    );
    expect(error.message.split('\n')).toHaveLength(1);
    const level = await refusal('level.toml', TOML.replace('level = "warn"', 'level = "loud"'));
    expect(level.message).toMatch(
      /apps\[0\]\.log_rules\[0\]\.level: expected one of fatal, error, warn, info, debug/,
    );
    const slow = await refusal('slow.toml', TOML.replace('"^legacy call:"', '"(a+)+$"'));
    expect(slow.message).toMatch(/log_rules\[0\]\.match: a quantified group holding a quantifier/);
    const key = await refusal('key.toml', TOML.replace('level = "warn"', 'level = "warn", regex = "x"'));
    expect(key.message).toMatch(/log_rules\[0\]/);
  });

  it('bounds the count and the length of the rules', async () => {
    const many = Array.from({ length: LOG_RULE_LIMITS.maxRules + 1 }, () => ({ match: 'x', level: 'warn' }));
    const count = await refusal('many.json', JSON.stringify({ apps: [{ script: 'x', log_rules: many }] }));
    expect(count.message).toMatch(/apps\[0\]\.log_rules: expected at most 64 rules/);
    const long = [{ match: 'x'.repeat(LOG_RULE_LIMITS.maxPatternChars + 1), level: 'warn' }];
    const length = await refusal('long.json', JSON.stringify({ apps: [{ script: 'x', log_rules: long }] }));
    expect(length.message).toMatch(
      /log_rules\[0\]\.match: expected a regular expression of at most 512 characters, got 513/,
    );
  });
});
