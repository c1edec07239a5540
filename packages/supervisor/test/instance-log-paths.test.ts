import { describe, expect, it } from 'vitest';
import { instanceLogPaths, withIdSuffix } from '../src/instance-log-paths.js';

// Issue #14: PM2's merge_logs: false names each instance's files by its pm_id.
describe('instanceLogPaths', () => {
  it('puts -<id> before the extension, or at the end of a name without one', () => {
    expect(withIdSuffix('/h/logs/api-out.log', 3)).toBe('/h/logs/api-out-3.log');
    expect(withIdSuffix('/var/log/app/out', 0)).toBe('/var/log/app/out-0');
    expect(withIdSuffix('/var/log/my.app/out.txt', 12)).toBe('/var/log/my.app/out-12.txt');
    // out_file: '/dev/null' with merge_logs: false drops every instance's output, as in PM2
    expect(withIdSuffix('/dev/null', 2)).toBe('/dev/null');
  });

  it("keeps the app's files unless log_per_instance, and one merged file stays one per instance", () => {
    const app = { outPath: '/h/logs/a-out.log', errPath: '/h/logs/a-err.log' };
    expect(instanceLogPaths({ ...app, spec: {} }, 4)).toEqual(app);
    expect(instanceLogPaths({ ...app, spec: { logPerInstance: true } }, 4)).toEqual({
      outPath: '/h/logs/a-out-4.log',
      errPath: '/h/logs/a-err-4.log',
    });
    const merged = { outPath: '/h/logs/a.log', errPath: '/h/logs/a.log', spec: { logPerInstance: true } };
    expect(instanceLogPaths(merged, 1)).toEqual({ outPath: '/h/logs/a-1.log', errPath: '/h/logs/a-1.log' });
  });

  it("gives PM2's combined log_file the same -<id> suffix as the stream files", () => {
    const app = { outPath: '/h/logs/a-out.log', errPath: '/h/logs/a-err.log' };
    expect(instanceLogPaths({ ...app, combinedPath: '/srv/all.log', spec: {} }, 2)).toEqual({
      ...app,
      combinedPath: '/srv/all.log',
    });
    expect(instanceLogPaths({ ...app, spec: {} }, 2).combinedPath).toBeUndefined();
    expect(
      instanceLogPaths({ ...app, combinedPath: '/srv/all.log', spec: { logPerInstance: true } }, 2),
    ).toEqual({
      outPath: '/h/logs/a-out-2.log',
      errPath: '/h/logs/a-err-2.log',
      combinedPath: '/srv/all-2.log',
    });
  });
});
