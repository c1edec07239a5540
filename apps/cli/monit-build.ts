import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/** Edits the monit bundle makes in one file of a dependency: each `from` must be found, or the build fails. */
interface SourceEdit {
  file: RegExp;
  edits: [from: string, to: string][];
}

const NARROW_WIDTH = fileURLToPath(new URL('./src/monit/narrow-width.ts', import.meta.url));

const SOURCE_EDITS: SourceEdit[] = [
  // ink imports its devtools and reads its package.json with top-level awaits when DEV=true: React
  // DevTools is not bundled, and without the awaits monit is a plain script V8 can cache (code-cache.ts)
  {
    file: /\/ink\/build\/reconciler\.js$/,
    edits: [
      ["await import('./devtools.js');", 'void 0;'],
      ['? await loadPackageJson()', '? { name: undefined, version: undefined }'],
    ],
  },
  // yoga (ink's layout engine) compiles its WebAssembly asynchronously and exports it through a top-level
  // await; compiled synchronously from the same inlined bytes, the bundle needs no top-level await (nor
  // `fetch(data:…)`, which loads Node's whole fetch stack first: ~40 ms)
  {
    file: /\/yoga-layout\/dist\/binaries\/yoga-wasm-base64-esm\.js$/,
    edits: [
      ['var loadYoga = (() => {', 'var yogaWasmUri;\nvar loadYoga = (() => {'],
      [
        'var H;H="data:application/octet-stream;base64,',
        'var H;H=yogaWasmUri="data:application/octet-stream;base64,',
      ],
      [
        'export default loadYoga;',
        'export default loadYoga;\nexport const yogaWasmBytes = () => Buffer.from(yogaWasmUri.slice(yogaWasmUri.indexOf(",") + 1), "base64");',
      ],
    ],
  },
  {
    file: /\/yoga-layout\/dist\/src\/index\.js$/,
    edits: [
      [
        "import loadYoga from '../binaries/yoga-wasm-base64-esm.js';",
        "import loadYoga, { yogaWasmBytes } from '../binaries/yoga-wasm-base64-esm.js';",
      ],
      [
        'const Yoga = wrapAssembly(await loadYoga());',
        [
          'const yogaModule = {',
          '  instantiateWasm(imports, receive) {',
          '    const instance = new WebAssembly.Instance(new WebAssembly.Module(yogaWasmBytes()), imports);',
          '    receive(instance);',
          '    return instance.exports;',
          '  },',
          '};',
          // with the instance given synchronously, emscripten sets the module up before it returns
          'loadYoga(yogaModule);',
          'const Yoga = wrapAssembly(yogaModule);',
        ].join('\n'),
      ],
    ],
  },
  // ink keeps the size and the wrapped form of every text it ever measured, which a dashboard showing
  // logs for hours makes a leak: here each cache starts over past 4096 texts
  {
    file: /\/ink\/build\/measure-text\.js$/,
    edits: [
      [
        '    cache.set(text, dimensions);',
        '    if (cache.size >= 4096) cache.clear();\n    cache.set(text, dimensions);',
      ],
    ],
  },
  {
    file: /\/ink\/build\/wrap-text\.js$/,
    edits: [
      ['const cache = {};', 'let cache = {};\nlet cacheSize = 0;'],
      [
        '    cache[cacheKey] = wrappedText;',
        '    if (++cacheSize > 4096) {\n        cache = {};\n        cacheSize = 1;\n    }\n    cache[cacheKey] = wrappedText;',
      ],
    ],
  },
  // terminal-size runs `stty`/`tput` only when the terminal gives no size (never for monit, which has a
  // TTY): loading node:child_process (and dgram, which it loads) for it costs ~3 ms on Node 24
  {
    file: /\/terminal-size\/index\.js$/,
    edits: [
      [
        "import {execFileSync} from 'node:child_process';",
        "const execFileSync = (...args) => require('node:child_process').execFileSync(...args);",
      ],
    ],
  },
  // `performance` is a lazy global that loads Node's perf_hooks on first use (~1.5 ms on Node 24): React's
  // scheduler and ink's render timing (which monit does not read) use the clock of Date instead
  {
    file: /\/scheduler\/cjs\/scheduler\.production\.js$/,
    edits: [
      ['if ("object" === typeof performance && "function" === typeof performance.now) {', 'if (false) {'],
    ],
  },
  {
    file: /\/ink\/build\/ink\.js$/,
    edits: [
      ['const startTime = performance.now();', 'const startTime = Date.now();'],
      ['renderTime: performance.now() - startTime', 'renderTime: Date.now() - startTime'],
    ],
  },
  // Grapheme segmenters cost 7–17 ms to set up: ink's ANSI tokenizers (every line of a frame, and
  // truncated text) split text of narrow characters themselves (narrow-width.ts)
  {
    file: /\/@alcalzone\/ansi-tokenize\/build\/tokenize\.js$/,
    edits: [
      [
        'const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });',
        `import { createNarrowSegmenter } from ${JSON.stringify(NARROW_WIDTH)};\nconst segmenter = createNarrowSegmenter(() => new Intl.Segmenter(undefined, { granularity: "grapheme" }));`,
      ],
    ],
  },
  {
    file: /\/slice-ansi\/tokenize-ansi\.js$/,
    edits: [
      [
        "const GRAPHEME_SEGMENTER = new Intl.Segmenter(undefined, {granularity: 'grapheme'});",
        `import { createNarrowSegmenter } from ${JSON.stringify(NARROW_WIDTH)};\nconst GRAPHEME_SEGMENTER = createNarrowSegmenter(() => new Intl.Segmenter(undefined, {granularity: 'grapheme'}));`,
      ],
    ],
  },
];

/**
 * A default or namespace import of a Node builtin in an ES module is, in a CommonJS bundle, esbuild's
 * `__toESM(require(…))`: a copy of every property of the builtin as a getter, made as the bundle loads.
 * For node:process (a dozen imports in ink and its dependencies), fs, os and tty that was ~6 ms of CPU on
 * Node 24; the `require` alone gives the same object.
 */
const BUILTIN_OBJECT_IMPORT = /^import (?:\* as )?(\w+) from ['"](?:node:)?(process|fs|os|tty)['"];?$/gm;

/** Applies SOURCE_EDITS to the files they name, and BUILTIN_OBJECT_IMPORT to every dependency. */
const dependencyEdits: EsbuildPlugin = {
  name: 'monit-dependency-edits',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.m?js$/ }, async (args) => {
      const original = await readFile(args.path, 'utf8');
      let contents = original;
      for (const { file, edits } of SOURCE_EDITS) {
        if (!file.test(args.path)) continue;
        for (const [from, to] of edits) {
          if (!contents.includes(from)) throw new Error(`monit-build: "${from}" not found in ${args.path}`);
          contents = contents.replace(from, to);
        }
      }
      contents = contents.replace(
        BUILTIN_OBJECT_IMPORT,
        (_, name, id) => `const ${name} = require('node:${id}');`,
      );
      return contents === original ? undefined : { contents, loader: 'js' };
    });
  },
};

/**
 * Every `string-width` (ink has two versions) answers from src/monit/narrow-width.ts when it can, and
 * loads the real module (its segmenter and emoji regular expressions) only for the text it cannot.
 */
const narrowStringWidth: EsbuildPlugin = {
  name: 'monit-narrow-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const real = await build.resolve('string-width', {
        importer: args.importer,
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: 'real',
      });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'narrow-string-width' };
    });
    build.onLoad({ filter: /.*/, namespace: 'narrow-string-width' }, (args) => ({
      resolveDir: dirname(args.path),
      loader: 'js',
      contents: [
        "import stripAnsi from 'strip-ansi';",
        `import { narrowWidth } from ${JSON.stringify(NARROW_WIDTH)};`,
        'let real;',
        'export default function stringWidth(text, options) {',
        "  if (options === undefined && typeof text === 'string') {",
        "    const width = narrowWidth(text.includes('\\u001B') || text.includes('\\u009B') ? stripAnsi(text) : text);",
        '    if (width >= 0) return width;',
        '  }',
        // a require() of a bundled ES module: esbuild runs that module's top level on the first call only
        `  real ??= require(${JSON.stringify(args.path)}).default;`,
        '  return real(text, options);',
        '}',
      ].join('\n'),
    }));
  },
};

const INK_OUTPUT = fileURLToPath(new URL('./src/monit/ink-output.ts', import.meta.url));

/**
 * ink's Output (the grid of a frame) from src/monit/ink-output.ts: the same text, but a row that did not
 * change since the last frame is not built again. Made for ink 6.8's output.js: the build fails when
 * that file is not the one it was made for.
 */
const inkOutput: EsbuildPlugin = {
  name: 'monit-ink-output',
  setup(build) {
    build.onLoad({ filter: /\/ink\/build\/output\.js$/ }, async (args) => {
      const original = await readFile(args.path, 'utf8');
      const marks = [
        'class OutputCaches',
        'styledCharsToString(lineWithoutEmptyItems).trimEnd()',
        'if (!currentLine) {',
      ];
      for (const mark of marks) {
        if (!original.includes(mark))
          throw new Error(`monit-build: ${args.path} is not the output.js of ink 6.8`);
      }
      return {
        resolveDir: dirname(args.path),
        loader: 'js',
        contents: [
          "import sliceAnsi from 'slice-ansi';",
          "import stringWidth from 'string-width';",
          "import { ansiCodesToString, diffAnsiCodes, reduceAnsiCodesIncremental, styledCharsFromTokens, tokenize } from '@alcalzone/ansi-tokenize';",
          `import { createOutputClass } from ${JSON.stringify(INK_OUTPUT)};`,
          'export default createOutputClass({ sliceAnsi, stringWidth, tokenize, styledCharsFromTokens, diffAnsiCodes, ansiCodesToString, reduceAnsiCodesIncremental });',
        ].join('\n'),
      };
    });
  },
};

/**
 * signal-exit (ink's exit hook) loads `node:assert` for one check of its argument: ~15 ms on Node 24
 * (assert loads Node's error formatting and colours); this stand-in makes the same check.
 */
const assertForSignalExit: EsbuildPlugin = {
  name: 'monit-assert-for-signal-exit',
  setup(build) {
    build.onResolve({ filter: /^assert$/ }, (args) =>
      /[\\/]signal-exit[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'monit-assert' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'monit-assert' }, () => ({
      loader: 'js',
      contents:
        'module.exports = { equal(actual, expected, message) { if (actual != expected) throw new Error(message); } };',
    }));
  },
};

/** CommonJS packages imported by many of monit's ES modules (ink, react-reconciler's users, monit's JSX). */
const SHARED_COMMONJS = /^react(\/jsx-runtime)?$/;

/**
 * An ES module's import of a CommonJS package is, in the bundle, esbuild's `__toESM(require_x())`: a
 * copy of every export as a getter, made once per importing module (react: 35 imports, ~45 exports).
 * Here those imports go through one ES module per package that copies them once (~2 ms on Node 24).
 */
const sharedCommonJs: EsbuildPlugin = {
  name: 'monit-shared-commonjs',
  setup(build) {
    build.onResolve({ filter: SHARED_COMMONJS }, async (args) => {
      if (args.kind !== 'import-statement' || args.pluginData === 'real') return undefined;
      const real = await build.resolve(args.path, {
        importer: args.importer,
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: 'real',
      });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'monit-shared-commonjs' };
    });
    build.onLoad({ filter: /.*/, namespace: 'monit-shared-commonjs' }, (args) => {
      // the names of the development build, a superset of the production one's
      const names = Object.keys(createRequire(import.meta.url)(args.path) as object).filter((name) =>
        /^[A-Za-z_$][\w$]*$/.test(name),
      );
      return {
        resolveDir: dirname(args.path),
        loader: 'js',
        contents: [
          `import * as commonJs from ${JSON.stringify(args.path)};`,
          'const exports = commonJs.default;',
          'export default exports;',
          `export const { ${names.join(', ')} } = exports;`,
        ].join('\n'),
      };
    });
  },
};

/** Node builtins that dist/monit-entry.js loads. */
const ENTRY_BUILTINS = /^(node:)?(fs|os|net|path|url|vm|timers\/promises)$/;

/**
 * dist/monit-entry.js (an ES module) gets its Node builtins with `require` instead of `import`: Node
 * makes an ES module of a builtin by reading every export, and node:fs's `promises` and stream getters
 * then load fs/promises, readline and the file streams, ~5 ms of CPU on Node 24 that nothing used.
 * Each builtin becomes a CommonJS module that requires it: esbuild reads its exports lazily (getters),
 * so none is read that the code does not use (Node 24 warns when fs.F_OK and the like are read).
 */
export const entryBuiltinsByRequire: EsbuildPlugin = {
  name: 'monit-entry-builtins-by-require',
  setup(build) {
    build.onResolve({ filter: ENTRY_BUILTINS }, (args) =>
      args.kind === 'import-statement'
        ? { path: args.path.replace(/^node:/, ''), namespace: 'monit-entry-builtin' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'monit-entry-builtin' }, (args) => ({
      loader: 'js',
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
    }));
  },
};

/** The stamp src/cache-key-stamp.ts defines (kept in step with CACHE_KEY_STAMP there, checked by the code-cache test). */
const CACHE_KEY_STAMP = '/*velos-cache-key:';

/** Puts the sha-256 of the bundle `file` on its first line, where code-cache.ts reads its cache key. */
export async function stampCacheKey(file: string): Promise<void> {
  const source = await readFile(file, 'utf8');
  const body = source.startsWith(CACHE_KEY_STAMP) ? source.slice(source.indexOf('*/\n') + 3) : source;
  const hash = createHash('sha256').update(body).digest('hex');
  await writeFile(file, `${CACHE_KEY_STAMP}${hash}*/\n${body}`);
}

/** The esbuild plugins of monit's bundle (dist/monit.cjs), besides the ones every bundle has. */
export const monitBundlePlugins: EsbuildPlugin[] = [
  // before dependencyEdits, which would otherwise load ink's output.js first
  inkOutput,
  dependencyEdits,
  narrowStringWidth,
  assertForSignalExit,
  sharedCommonJs,
];
