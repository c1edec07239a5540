import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { type AppSpec, watchGlobBase } from '@velos/core';

/**
 * One warning per watched path of `specs` that does not exist (SUP-7): a mistyped `--watch=srcc`
 * used to start the app saying `watch on` and never restart it. A path whose directory exists is
 * watched for (its appearance is a change); one whose directory is missing too is not watched at all.
 * A glob is watched in its base directory (`src` of `src/**\/*.js`): it is that directory that must exist.
 */
export function watchPathWarnings(specs: readonly AppSpec[]): string[] {
  const warnings: string[] = [];
  for (const spec of specs) {
    for (const path of spec.watch ?? []) {
      if (existsSync(path)) continue;
      // a glob (src/**/*.js) is watched in its base directory: only a missing base is worth a word
      const base = watchGlobBase(path);
      if (base !== null) {
        if (existsSync(base)) continue;
        warnings.push(
          existsSync(dirname(base))
            ? `${spec.name}: watch path ${path}: ${base} does not exist: the app restarts when it appears`
            : `${spec.name}: watch path ${path}: ${base} does not exist, nor does ${dirname(base)}: it is not watched`,
        );
        continue;
      }
      const parent = dirname(path);
      warnings.push(
        existsSync(parent)
          ? `${spec.name}: watch path ${path} does not exist: the app restarts when it appears`
          : `${spec.name}: watch path ${path} does not exist, nor does ${parent}: it is not watched`,
      );
    }
  }
  return warnings;
}
