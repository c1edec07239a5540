// Generates the labelled corpus: for each kind in kinds.mjs, `lines` lines drawn from its weighted templates
// with seeded values, each labelled with its template (known by construction).
// CLI: node bench/log-engine/corpus/generate.mjs [outDir] [--lines N] [--seed S] writes <kind>.log and
// <kind>.labels.tsv (event id and template per line) for inspection; the bench imports `generateKind`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KINDS } from './kinds.mjs';
import { createRandom, SLOTS } from './values.mjs';

const SLOT = /\{(\w+)\}/g;

/** Lines of one kind: `{content, eventId, template}`; the same seed gives the same lines. */
export function generateKind(kind, lines, seed) {
  const templates = KINDS[kind];
  if (templates === undefined) throw new Error(`unknown kind ${kind}`);
  let hash = seed;
  for (const ch of kind) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) | 0;
  const r = createRandom(hash);
  const total = templates.reduce((sum, [weight]) => sum + weight, 0);
  const rows = [];
  for (let i = 0; i < lines; i++) {
    let x = r.next() * total;
    let t = 0;
    while (x >= templates[t][0]) x -= templates[t++][0];
    const text = templates[t][1];
    const content = text.replace(SLOT, (_, slot) => {
      const gen = SLOTS[slot];
      if (gen === undefined) throw new Error(`unknown slot {${slot}} in ${kind}`);
      return gen(r);
    });
    rows.push({ content, eventId: `${kind}:E${t + 1}`, template: text.replace(SLOT, '<*>') });
  }
  return rows;
}

/** Every kind of the corpus. */
export const KIND_NAMES = Object.keys(KINDS);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args.splice(at, 2)[1]) : fallback;
  };
  const lines = opt('--lines', 6000);
  const seed = opt('--seed', 1);
  const out = args[0] ?? 'log-corpus';
  mkdirSync(out, { recursive: true });
  for (const kind of KIND_NAMES) {
    const rows = generateKind(kind, lines, seed);
    writeFileSync(join(out, `${kind}.log`), `${rows.map((r) => r.content).join('\n')}\n`);
    writeFileSync(
      join(out, `${kind}.labels.tsv`),
      `${rows.map((r) => `${r.eventId}\t${r.template}`).join('\n')}\n`,
    );
  }
  console.log(`wrote ${KIND_NAMES.length} kinds × ${lines} lines (seed ${seed}) to ${out}`);
}
