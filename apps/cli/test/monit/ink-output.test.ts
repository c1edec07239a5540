import { describe, expect, it } from 'vitest';
import {
  createOutputClass,
  type InkOutput,
  type OutputDependencies,
  type OutputTransformer,
} from '../../src/monit/ink-output.js';
import { importFromInk, importInkFile } from './ink-modules.js';

type OutputClass = new (options: { width: number; height: number }) => InkOutput;

/** ink's own Output and the one monit's bundle uses, over the same libraries. */
async function outputs(): Promise<{ ink: OutputClass; monit: OutputClass }> {
  const tokenizer = await importFromInk<OutputDependencies>('@alcalzone/ansi-tokenize');
  const deps: OutputDependencies = {
    sliceAnsi: (await importFromInk<{ default: OutputDependencies['sliceAnsi'] }>('slice-ansi')).default,
    stringWidth: (await importFromInk<{ default: OutputDependencies['stringWidth'] }>('string-width'))
      .default,
    tokenize: tokenizer.tokenize,
    styledCharsFromTokens: tokenizer.styledCharsFromTokens,
    diffAnsiCodes: tokenizer.diffAnsiCodes,
    ansiCodesToString: tokenizer.ansiCodesToString,
    reduceAnsiCodesIncremental: tokenizer.reduceAnsiCodesIncremental,
  };
  return {
    ink: (await importInkFile<{ default: OutputClass }>('output.js')).default,
    monit: createOutputClass(deps),
  };
}

/** A small deterministic random generator (mulberry32), so a failure can be replayed. */
function randomOf(seed: number): (n: number) => number {
  let a = seed;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const PIECES = [
  'api',
  'online',
  ' ',
  '42.0%',
  '▸',
  '█░░',
  '─── logs',
  '漢字',
  '🙂',
  'e\u0301',
  '↺ 3',
  '·',
  '…',
];
const STYLES = [
  ['', ''],
  ['\u001b[31m', '\u001b[39m'],
  ['\u001b[1m', '\u001b[22m'],
  ['\u001b[7m', '\u001b[27m'],
];
const TRANSFORMS: OutputTransformer[] = [(line) => line.toUpperCase(), (line, index) => `${index}>${line}`];

type Step =
  | { kind: 'write'; x: number; y: number; text: string; transformers: OutputTransformer[] }
  | { kind: 'clip'; x1?: number; x2?: number; y1?: number; y2?: number }
  | { kind: 'unclip' };

/** Narrow text only (narrow-row.ts builds these rows) with codes of every kind ink's tokenizer reads. */
const NARROW_PIECES = [
  'api',
  'online',
  ' ',
  '42.0%',
  '▸',
  '█░░',
  '─── logs',
  '↺ 3',
  '·',
  '…',
  'é',
  '\u001b',
  '\u001b[',
  '\u001b[31',
];
const NARROW_STYLES = [
  ...STYLES,
  ['\u001b[1;31m', '\u001b[0m'],
  ['\u001b[2m', '\u001b[22m'],
  ['\u001b[1m\u001b[2m', '\u001b[22m'],
  ['\u001b[38;5;208m', '\u001b[39m'],
  ['\u001b[48;2;1;2;3m', '\u001b[49m'],
  ['\u001b[m', ''],
  ['\u001b[4;7m', '\u001b[24;27m'],
  ['\u001b[90m', '\u001b[39m\u001b[0m'],
  ['\u001b]8;;https://x.test\u0007', '\u001b]8;;\u0007'],
  ['\u001b[2J', ''],
  ['\u001b[31;m', ''],
];

/** One frame's operations, some of them shared with the frame before (`previous`). */
function frameOf(
  random: (n: number) => number,
  width: number,
  height: number,
  previous: Step[],
  pieces = PIECES,
  styles = STYLES,
): Step[] {
  const steps: Step[] = [];
  let clips = 0;
  for (let i = 0; i < 12 + random(12); i += 1) {
    const old = previous[i];
    if (old && random(3) > 0) {
      if (old.kind === 'clip') clips += 1;
      if (old.kind === 'unclip' && clips === 0) continue;
      if (old.kind === 'unclip') clips -= 1;
      steps.push(old);
      continue;
    }
    const choice = random(10);
    if (choice === 0) {
      clips += 1;
      const at = () => (random(4) === 0 ? undefined : random(width + 4) - 2);
      steps.push({ kind: 'clip', x1: at(), x2: at(), y1: random(height), y2: random(height + 2) });
    } else if (choice === 1 && clips > 0) {
      clips -= 1;
      steps.push({ kind: 'unclip' });
    } else {
      const lines = Array.from({ length: 1 + random(3) }, () => {
        let line = '';
        for (let j = 0; j < 1 + random(5); j += 1) {
          const [open, close] = styles[random(styles.length)] as [string, string];
          line += open + pieces[random(pieces.length)] + close;
        }
        return line;
      });
      const transformers =
        random(4) === 0 ? [TRANSFORMS[random(TRANSFORMS.length)] as OutputTransformer] : [];
      steps.push({
        kind: 'write',
        x: random(width + 6) - 3,
        y: random(height + 4) - 2,
        text: lines.join('\n'),
        transformers,
      });
    }
  }
  return steps;
}

function draw(
  Output: OutputClass,
  width: number,
  height: number,
  steps: Step[],
): { output: string; height: number } {
  const output = new Output({ width, height });
  for (const step of steps) {
    if (step.kind === 'write') output.write(step.x, step.y, step.text, { transformers: step.transformers });
    else if (step.kind === 'clip') output.clip({ x1: step.x1, x2: step.x2, y1: step.y1, y2: step.y2 });
    else output.unclip();
  }
  return output.get();
}

describe("monit's ink Output (src/monit/ink-output.ts)", () => {
  it('draws the same text as ink 6.8 frame after frame: styles, wide characters, clips, transformers, writes off the grid', async () => {
    const { ink, monit } = await outputs();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const random = randomOf(seed);
      const width = 8 + random(40);
      const height = 3 + random(12);
      let steps: Step[] = [];
      for (let frame = 0; frame < 25; frame += 1) {
        steps = frameOf(random, width, height, steps);
        expect(draw(monit, width, height, steps), `seed ${seed}, frame ${frame}`).toEqual(
          draw(ink, width, height, steps),
        );
      }
    }
  });

  it('draws rows of narrow text as ink does, whatever codes they hold: compound, 256 and true colours, resets, links, broken escapes', async () => {
    const { ink, monit } = await outputs();
    for (const seed of [11, 12, 13, 14, 15, 16, 17, 18]) {
      const random = randomOf(seed);
      const width = 8 + random(60);
      const height = 3 + random(12);
      let steps: Step[] = [];
      for (let frame = 0; frame < 25; frame += 1) {
        steps = frameOf(random, width, height, steps, NARROW_PIECES, NARROW_STYLES);
        expect(draw(monit, width, height, steps), `seed ${seed}, frame ${frame}`).toEqual(
          draw(ink, width, height, steps),
        );
      }
    }
  });

  it('builds again only the rows whose writes changed, wide or narrow', async () => {
    const { monit } = await outputs();
    const tokenizer = await importFromInk<OutputDependencies>('@alcalzone/ansi-tokenize');
    // a row's text starts with the codes of its first cell: one ansiCodesToString per unstyled row built
    let rowsBuilt = 0;
    const tokenized: string[] = [];
    const counting = createOutputClass({
      sliceAnsi: (text) => text,
      stringWidth: (text) => text.length,
      tokenize: (text) => {
        tokenized.push(text);
        return tokenizer.tokenize(text);
      },
      styledCharsFromTokens: tokenizer.styledCharsFromTokens,
      diffAnsiCodes: tokenizer.diffAnsiCodes,
      ansiCodesToString: (codes) => {
        rowsBuilt += 1;
        return tokenizer.ansiCodesToString(codes);
      },
      reduceAnsiCodesIncremental: tokenizer.reduceAnsiCodesIncremental,
    });
    // narrow text (runs, narrow-row.ts) and wide text (a styled character per cell, as in ink)
    for (const app of ['api', '漢字']) {
      const steps = (uptime: string): Step[] => [
        { kind: 'write', x: 0, y: 0, text: 'header', transformers: [] },
        { kind: 'write', x: 0, y: 1, text: `${app} ${uptime}`, transformers: [] },
        { kind: 'write', x: 0, y: 2, text: 'footer', transformers: [] },
      ];
      expect(draw(counting, 20, 3, steps('3s')).output).toBe(draw(monit, 20, 3, steps('3s')).output);
      rowsBuilt = 0;
      tokenized.length = 0;
      expect(draw(counting, 20, 3, steps('5s')).output).toBe(`header\n${app} 5s\nfooter`);
      expect(rowsBuilt).toBe(1);
      expect(tokenized).toEqual(app === 'api' ? [] : [`${app} 5s`]);
    }
  });
});
