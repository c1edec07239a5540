import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigAlerts } from '../src/config-alerts.js';
import { isVelosError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-core-config-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, text);
  const error = await loadConfigAlerts(file).then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!isVelosError(error)) throw new Error(`expected a VelosError, got ${String(error)}`);
  expect(error.code).toBe('INVALID_CONFIG');
  return error.message;
}

describe('the [[alerts]] of a config file', () => {
  it('names the line of the key a rule gets wrong, as errors of apps do', async () => {
    expect(
      await refusal(
        'a.toml',
        '[[apps]]\nscript = "a.js"\n\n[[alerts]]\nname = "ok"\nwhen = "errored"\n\n[[alerts]]\nname = "x"\nwhen = "sometimes"\n',
      ),
    ).toMatch(/^a\.toml: alerts\[1\]\.when: expected one of .*got "sometimes" \(line 10\)$/);
    expect(
      await refusal(
        'a.yaml',
        'apps:\n  - script: a.js\nalerts:\n  - name: x\n    when: errored\n    severity: loud\n',
      ),
    ).toMatch(/^a\.yaml: alerts\[0\]\.severity: .*got "loud" \(line 6\)$/);
    expect(
      await refusal(
        'a.json',
        '{"apps": [{"script": "a.js"}],\n "alerts": [\n  {"name": "x",\n   "when": "errored", "severity": "loud"}]}\n',
      ),
    ).toMatch(/^a\.json: alerts\[0\]\.severity: .* \(line 4\)$/);
  });

  it("loads an event rule on an app's own event named in a category's plural, as before", async () => {
    const file = join(dir, 'plural.toml');
    writeFileSync(
      file,
      '[[apps]]\nscript = "a.js"\n\n[[alerts]]\nname = "sent"\nwhen = "event alerts.sent"\n',
    );
    const rules = await loadConfigAlerts(file);
    expect(rules?.map((rule) => rule.when)).toEqual([{ kind: 'event', kinds: ['alerts.sent'] }]);
    expect(
      await refusal(
        'typo.toml',
        '[[apps]]\nscript = "a.js"\n\n[[alerts]]\nname = "x"\nwhen = "event proces.crashed"\n',
      ),
    ).toMatch(
      /^typo\.toml: alerts\[0\]\.when: unknown event kind "proces\.crashed": .*\(did you mean "process"\? /,
    );
  });
});
