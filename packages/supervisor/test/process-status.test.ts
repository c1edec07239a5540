import { type Dirent, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusEvent } from '../src/process-status.js';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Exits 1 on its first run (leaving a marker beside itself), then runs until stopped. */
const CRASH_ONCE = `const fs = require('node:fs');
const marker = __filename + '.ran';
if (!fs.existsSync(marker)) {
  fs.writeFileSync(marker, '');
  process.exit(1);
}
setInterval(() => undefined, 1000);
`;

describe('process status: one transition function and its events', () => {
  it('emits every transition of a real process: start, crash, restart, stop', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const script = join(home, 'crash-once.cjs');
    writeFileSync(script, CRASH_ONCE);
    const events: StatusEvent[] = [];
    const unsubscribe = supervisor.statusEvents.subscribe((event) => events.push(event));
    const startedAt = Date.now();
    const [info] = await supervisor.start([appSpec(home, { name: 'once', script, restartDelayMs: 100 })]);
    await waitFor(() => events.filter((event) => event.to === 'online').length === 2, {
      what: 'the second online',
    });
    await supervisor.stop('once');
    unsubscribe();
    expect(events.map(({ from, to, reason }) => [from, to, reason])).toEqual([
      ['stopped', 'starting', 'start'],
      ['starting', 'online', null],
      ['online', 'waiting-restart', 'crash'],
      ['waiting-restart', 'starting', null],
      ['starting', 'online', null],
      ['online', 'stopping', 'user'],
      ['stopping', 'stopped', 'user'],
    ]);
    for (const event of events) expect(event).toMatchObject({ kind: 'status', id: info!.id, name: 'once' });
    const times = events.map((event) => event.at);
    expect(times[0]).toBeGreaterThanOrEqual(startedAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect((await supervisor.list())[0]!.status).toBe('stopped');
  });

  it('stops calling a subscriber once it unsubscribed', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const kept: StatusEvent[] = [];
    const dropped: StatusEvent[] = [];
    const keep = (event: StatusEvent): void => {
      kept.push(event);
    };
    const drop = (event: StatusEvent): void => {
      dropped.push(event);
    };
    supervisor.statusEvents.subscribe(keep);
    supervisor.statusEvents.subscribe(drop);
    await supervisor.start([appSpec(home, { name: 'quiet', script: 'silent.js' })]);
    await waitFor(() => kept.some((event) => event.to === 'online'), { what: 'online' });
    supervisor.statusEvents.unsubscribe(drop);
    const seenByDropped = dropped.length;
    await supervisor.stop('quiet');
    expect(seenByDropped).toBe(2);
    expect(dropped).toHaveLength(seenByDropped);
    expect(kept.map((event) => event.to)).toEqual(['starting', 'online', 'stopping', 'stopped']);
  });

  it('is the only place that assigns a status', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles()) {
      if (file.endsWith(join('packages', 'supervisor', 'src', 'process-status.ts'))) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          if (/\.status\s*(?:[-+*/?|&]{0,2})=(?!=)/.test(line)) {
            offenders.push(`${relative(REPO, file)}:${index + 1}: ${line.trim()}`);
          }
        });
    }
    expect(offenders, 'assign a status with setStatus (packages/supervisor/src/process-status.ts)').toEqual(
      [],
    );
  });
});

/** Every TypeScript source file of the packages and apps (not their tests, builds or dependencies). */
function sourceFiles(): string[] {
  const files: string[] = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(REPO, group))) {
      const src = join(REPO, group, name, 'src');
      files.push(...walk(src));
    }
  }
  expect(files.length).toBeGreaterThan(50);
  return files;
}

function walk(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}
