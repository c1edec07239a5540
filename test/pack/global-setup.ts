// One pack and one install of each tree for both files of the project: vitest awaits a globalSetup before
// it starts any test file, so the work starts here in the background (the other projects' files run
// meanwhile) and each file waits for its tree in its beforeAll (`installedTree`, tree.ts).
//   all/    every publishable tarball (install.test.ts)
//   alone/  velos and only the workspace packages its `dependencies` name (velos-alone.test.ts)
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { installTarballs, packAll, runtimeClosure } from '../../scripts/lib/pack-install.mjs';
import type { TreeName } from './tree.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The directory of the tarballs (tgz/) and of the installed trees, with their `<tree>.ready` markers. */
    packWork: string;
  }
}

export default function setup(project: TestProject): () => Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'velos-pack-'));
  project.provide('packWork', work);
  const prepared = prepare(work);
  return async () => {
    await prepared;
    // each file removes its own tree in its afterAll; not rmSync here: a tree no file removed holds ~20k
    // files, and vitest's main thread, blocked for seconds, gives up on a worker's exit
    await rm(work, { recursive: true, force: true });
  };
}

/** Packs, then installs both trees at once; writes `<tree>.ready`, or `<tree>.failed` with the error. Never rejects. */
async function prepare(work: string): Promise<void> {
  const trees: TreeName[] = ['all', 'alone'];
  let tarballs: Map<string, string>;
  try {
    tarballs = await packAll(join(work, 'tgz'));
  } catch (error) {
    for (const tree of trees) markFailed(work, tree, error);
    return;
  }
  const closure = runtimeClosure('velos').map((name) => tarballs.get(name)!);
  await Promise.all(
    trees.map(async (tree) => {
      try {
        const dir = join(work, tree);
        mkdirSync(dir);
        await installTarballs(tree === 'all' ? [...tarballs.values()] : closure, dir);
        writeFileSync(join(work, `${tree}.ready`), '');
      } catch (error) {
        markFailed(work, tree, error);
      }
    }),
  );
}

function markFailed(work: string, tree: TreeName, error: unknown): void {
  writeFileSync(
    join(work, `${tree}.failed`),
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
}
