import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  damage,
  document,
  FORMATS,
  type Format,
  fieldValue,
  HUGE,
  rawText,
  serialise,
} from './config-arbitraries.js';
import { daemonConfigOutcome, loadOutcome, type Outcome } from './config-outcome.js';

// FUZZ_RUNS cases per format and kind (default 250: ~3k configs in all, the CPU CI spends on it halved;
// FUZZ_RUNS=500 is the long form, ~6k configs; FUZZ_RUNS=5000 is 10k per format); FUZZ_SEED replays a run.
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
console.log(`fuzz-config: seed ${SEED} (FUZZ_SEED=${SEED} replays it), ${RUNS} runs per format and kind`);

const dir = mkdtempSync(join(tmpdir(), 'velos-fuzz-config-'));
const tally = new Map<string, { accepted: number; refused: number }>();

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const [name, count] of tally)
    console.log(`fuzz-config ${name}: ${count.accepted} accepted, ${count.refused} refused`);
});

function count(name: string, outcome: Outcome): void {
  const entry = tally.get(name) ?? { accepted: 0, refused: 0 };
  entry[outcome.kind] += 1;
  tally.set(name, entry);
}

describe('config fuzzing: accepted, or one line naming the file, the line and the key', () => {
  it.each(FORMATS)(
    '%s: documents with wrong types, huge values, unknown keys, damaged text',
    async (format: Format) => {
      const file = join(dir, format);
      await fc.assert(
        fc.asyncProperty(document, damage, async (doc, hurt) => {
          const text = hurt(serialise(doc, format));
          // a damaged JavaScript file fails at its import in the CLI; in process only the intact ones are validated
          const isIntactScript = format.endsWith('.js') && text === serialise(doc, format);
          if (format.endsWith('.js') && !isIntactScript) return;
          count(format, await loadOutcome(file, text, doc));
        }),
        { numRuns: RUNS, seed: SEED },
      );
      expect(tally.get(format)?.refused).toBeGreaterThan(0);
    },
  );

  it.each(FORMATS.filter((format) => !format.endsWith('.js')))(
    '%s: random bytes, random text and deep nesting',
    async (format: Format) => {
      const file = join(dir, `raw-${format}`);
      await fc.assert(
        fc.asyncProperty(rawText, async (text) => {
          count(`raw ${format}`, await loadOutcome(file, text));
        }),
        { numRuns: RUNS, seed: SEED },
      );
      expect(tally.get(`raw ${format}`)?.refused).toBeGreaterThan(0);
    },
  );

  it.each(['velos.yaml', 'velos.json'])(
    "%s: past the daemon's limits (200 KB strings, 4100 env keys, 1001 apps)",
    async (format) => {
      for (const [i, text] of HUGE.entries()) {
        const outcome = await loadOutcome(join(dir, `huge-${i}-${format}`), text);
        expect(outcome.kind).toBe('refused');
      }
    },
  );

  it('$VELOS_HOME/config.toml: [defaults] with wrong values, unknown sections, damaged text', async () => {
    const file = join(dir, 'config.toml');
    const daemonDoc = fc.record(
      {
        defaults: fc.dictionary(
          fc.constantFrom('instances', 'max_memory', 'kill_timeout', 'cron_restart', 'bogus'),
          fieldValue,
          {
            maxKeys: 3,
          },
        ),
        reload: fc.record({ grace: fieldValue }),
        metrics: fc.record({ port: fieldValue, host: fieldValue }, { requiredKeys: [] }),
        api: fc.record({ port: fieldValue, auth: fieldValue }, { requiredKeys: [] }),
        extra: fc.dictionary(fc.string({ maxLength: 5 }), fieldValue, { maxKeys: 2 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          daemonDoc.map((doc) => serialise(doc, 'velos.toml')),
          rawText,
        ),
        damage,
        async (text, hurt) => {
          count('config.toml', await daemonConfigOutcome(file, hurt(text)));
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
    expect(tally.get('config.toml')?.refused).toBeGreaterThan(0);
  });
});
