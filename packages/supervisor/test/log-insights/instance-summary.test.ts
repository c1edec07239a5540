import { afterEach, describe, expect, it } from 'vitest';
import { pidLineFilter } from '../../src/log-insights/instance-pids.js';
import { createSupervisor } from '../../src/supervisor.js';
import { appSpec, Harness, waitFor } from '../helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('a summary of one instance of an app whose instances share their log files', () => {
  it('reads only its lines when the files are JSON Lines (each record holds its pid), all of them when plain', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const instances = (name: string, logFormat: 'json' | 'plain', count: string) =>
      appSpec(home, { name, script: 'instance-lines.js', instances: 2, logFormat, env: { COUNT: count } });
    await supervisor.start([instances('jl', 'json', '7'), instances('pl', 'plain', '7')]);
    const rows = await supervisor.list();
    const second = (name: string) =>
      rows.filter((row) => row.name === name).sort((a, b) => a.id - b.id)[1]!.id;
    const summaryOf = (target: string) =>
      supervisor.analyzeLogs({ target, view: 'summary', periodMs: 3_600_000 });
    await waitFor(
      async () =>
        (await summaryOf('jl')).summary?.lines === 14 && (await summaryOf('pl')).summary?.lines === 14,
      {
        what: 'both apps summarised whole',
      },
    );
    const json = await summaryOf(String(second('jl')));
    expect(json.summary?.lines).toBe(7);
    expect(json.sharedBy).toBeUndefined();
    const plain = await summaryOf(String(second('pl')));
    expect(plain.summary?.lines).toBe(14);
    expect(plain.sharedBy).toHaveLength(2);
  });
});

describe('pidLineFilter', () => {
  it("keeps a JSON Lines record of one of the pids, plain or structured, and not another's nor one without a pid", () => {
    const keep = pidLineFilter(new Set([42, 1234]));
    const kept = (text: string) => keep(Buffer.from(`x${text}\n`), 1, text.length + 1);
    expect(kept('{"ts":"2026-12-07T09:00:00.000Z","lvl":"info","pid":42,"msg":"a","src":"out"}')).toBe(true);
    expect(
      kept('{"ts":"2026-12-07T09:00:00.000Z","lvl":"warn","pid":1234,"msg":"b","src":"err","fields":{}}'),
    ).toBe(true);
    expect(kept('{"ts":"2026-12-07T09:00:00.000Z","lvl":"info","pid":421,"msg":"c","src":"out"}')).toBe(
      false,
    );
    expect(kept('{"ts":"2026-12-07T09:00:00.000Z","lvl":"info","pid":null,"msg":"d","src":"out"}')).toBe(
      false,
    );
    expect(kept('a plain line')).toBe(false);
  });
});
