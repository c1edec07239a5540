import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

// sources of the monorepo's packages the quick bundles read
const coreSource = fileURLToPath(new URL('../../packages/core/src/', import.meta.url));
const cliSource = fileURLToPath(new URL('./src/', import.meta.url));
const plainCodecPath = fileURLToPath(new URL('../../packages/client/src/plain-codec.ts', import.meta.url));

/**
 * How the quick paths' bundles (dist/velos.cjs, dist/velos-start.cjs) see `@velos/core` (issue 17):
 * - `@velos/core/codec` (msgpackr) is the client's small codec (packages/client/src/plain-codec.ts, same
 *   API and errors), so the client's `Connection` runs over it unchanged;
 * - `@velos/core` and its other entries are read from core's sources, each module marked free of side
 *   effects, so that only the modules used are bundled: core's built `index.js` is one module, whose
 *   protocol command table (built at load) would come along with the few helpers these paths use;
 * - the CLI's own modules likewise: context.ts imports the colour library for `createContext`, which
 *   these paths do not use (the text table loads it when it prints).
 */
export const quickCore: EsbuildPlugin = {
  name: 'quick-core',
  setup(build) {
    build.onResolve({ filter: /^@velos\/core(\/[\w-]+)?$/ }, (args) => {
      const entry = args.path.slice('@velos/core'.length + 1) || 'index';
      if (entry === 'codec') return { path: plainCodecPath };
      return { path: `${coreSource}${entry}.ts`, sideEffects: false };
    });
    // core's and the CLI's own relative imports (`./errors.js` is errors.ts), side-effect free likewise
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(coreSource) && !args.importer.startsWith(cliSource)) return undefined;
      const path = `${dirname(args.importer)}${sep}${args.path.replace(/\.js$/, '.ts')}`;
      return { path, sideEffects: false };
    });
  },
};
