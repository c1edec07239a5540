import { APP_DEFAULTS, type AppSpec } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { updateEnv } from '../src/env-update.js';
import type { AppEntry, ProcessRecord } from '../src/process-record.js';

/** Records of one app: only `app` is read. */
function recordsOf(name: string, env: Record<string, string>, ownEnv: Record<string, string>, count = 2) {
  const spec = { ...APP_DEFAULTS, name, script: 'server.js', cwd: '/srv', env, ownEnv } as AppSpec;
  const app = { spec, ids: [], outPath: '', errPath: '' } as unknown as AppEntry;
  return Array.from({ length: count }, () => ({ app }) as ProcessRecord);
}

describe('updateEnv (--update-env)', () => {
  it("replaces the inherited part under the app's own env, and undoes it for the apps a failed reload names", () => {
    const api = recordsOf('api', { SHELL_VAR: 'old', PORT: '3000' }, { PORT: '3000' });
    const web = recordsOf('web', { SHELL_VAR: 'old' }, {});
    const undo = updateEnv([...api, ...web], { env: { SHELL_VAR: 'new', BAD: '1' } });
    expect(api[0]!.app.spec.env).toEqual({ SHELL_VAR: 'new', BAD: '1', PORT: '3000' });
    undo([api[1]!]);
    expect(api[0]!.app.spec.env).toEqual({ SHELL_VAR: 'old', PORT: '3000' });
    expect(api[0]!.app.spec.ownEnv).toEqual({ PORT: '3000' });
    // an app the reload finished keeps its new env
    expect(web[0]!.app.spec.env).toEqual({ SHELL_VAR: 'new', BAD: '1' });
  });

  it("drops an inherited variable the caller's environment lacks (PM2 merges; docs/migrating-from-pm2.md), keeping the app's own", () => {
    const [record] = recordsOf('api', { DB_URL: 'db', PORT: '3000', SHELL_VAR: 'old' }, { PORT: '3000' }, 1);
    updateEnv([record!], { env: { SHELL_VAR: 'new' } });
    expect(record!.app.spec.env).toEqual({ SHELL_VAR: 'new', PORT: '3000' });
  });

  it('changes nothing, and has nothing to undo, without env options', () => {
    const [record] = recordsOf('api', { A: '1' }, {}, 1);
    const before = record!.app.spec;
    updateEnv([record!], undefined)([record!]);
    expect(record!.app.spec).toBe(before);
  });
});
