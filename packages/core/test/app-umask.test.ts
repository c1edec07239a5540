import { describe, expect, it } from 'vitest';
import { appSpecSchema } from '../src/protocol-schemas.js';
import { specToConfig } from '../src/spec-to-config.js';
import { formatUmask, parseUmask } from '../src/umask.js';
import { configFolder, messageOf } from './config-test-helpers.js';

const { load } = configFolder('velos-core-umask-');

describe('umask', () => {
  it('reads an octal string or a number up to 0o777, and writes four octal digits', () => {
    expect(['022', '0022', '0o27', '077', '0', '0777'].map(parseUmask)).toEqual([
      0o22, 0o22, 0o27, 0o77, 0, 0o777,
    ]);
    expect([18, 0, 511].map(parseUmask)).toEqual([0o22, 0, 0o777]);
    expect(['', '8', '0800', '1777', '22a', '-1', 'u=rwx'].map(parseUmask)).toEqual(Array(7).fill(null));
    expect([512, -1, 1.5].map(parseUmask)).toEqual([null, null, null]);
    expect(formatUmask(0o22)).toBe('0022');
    expect(formatUmask(0o777)).toBe('0777');
  });

  it("is absent unless set (the daemon's is inherited); set in TOML, YAML and an ecosystem file", async () => {
    const [plain] = await load('plain.toml', '[[apps]]\nscript = "server.js"\n');
    expect(plain!.umask).toBeUndefined();
    const [toml] = await load('velos.toml', '[[apps]]\nscript = "server.js"\numask = "027"\n');
    expect(toml!.umask).toBe(0o27);
    expect(appSpecSchema.safeParse(toml).data).toMatchObject({ umask: 0o27 });
    expect(specToConfig(toml!)).toMatchObject({ umask: '0027' });
    const [octal] = await load('octal.toml', '[[apps]]\nscript = "server.js"\numask = 0o077\n');
    expect(octal!.umask).toBe(0o77);
    const [yaml] = await load('velos.yaml', 'apps:\n  - script: server.js\n    umask: "0002"\n');
    expect(yaml!.umask).toBe(0o2);
    const [pm2] = await load(
      'ecosystem.config.json',
      JSON.stringify({ apps: [{ script: 'server.js', umask: '022' }] }),
    );
    expect(pm2!.umask).toBe(0o22);
  });

  it('refuses a value that is no umask in one line naming the key, and umask in cluster mode', async () => {
    expect(await messageOf(load('bad.toml', '[[apps]]\nscript = "server.js"\numask = "0800"\n'))).toMatch(
      /^INVALID_CONFIG: .*bad\.toml: apps\[0\]\.umask: expected a umask: an octal string like "022" or "0027", or a number 0 to 511 \(0o777\), got "0800" \(line 3\)$/,
    );
    expect(await messageOf(load('big.yaml', 'apps:\n  - script: server.js\n    umask: 1000\n'))).toMatch(
      /apps\[0\]\.umask: expected a umask: .*, got 1000/,
    );
    expect(await messageOf(load('bool.yaml', 'apps:\n  - script: server.js\n    umask: true\n'))).toMatch(
      /apps\[0\]\.umask: expected a umask/,
    );
    expect(
      await messageOf(
        load('cluster.yaml', 'apps:\n  - script: server.js\n    umask: "022"\n    exec_mode: cluster\n'),
      ),
    ).toMatch(/umask is for fork mode/);
    expect(
      appSpecSchema.safeParse({ ...(await load('ok.toml', '[[apps]]\nscript = "s.js"\n'))[0], umask: 512 })
        .success,
    ).toBe(false);
  });
});
