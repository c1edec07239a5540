import { type AppSpec, type EnvOptions, inheritedEnv, inheritedPartOf } from '@velos/core';
import type { AppEntry, ProcessRecord } from './process-record.js';

/** Puts back the environment the apps of `records` had before an `--update-env` (a reload that failed). */
export type EnvUndo = (records: Iterable<ProcessRecord>) => void;

/**
 * `--update-env`: `env` (the caller's environment) replaces what the apps of `targets` inherited, and
 * their own env (`ownEnv` when given: a process file's `env` and profile) is merged over it, as at a
 * first start; from their next run on. `ownEnv` alone keeps what they inherited. Returns how to undo it.
 */
export function updateEnv(targets: ProcessRecord[], options: EnvOptions | undefined): EnvUndo {
  const before = new Map<AppEntry, Pick<AppSpec, 'env' | 'ownEnv'>>();
  if (!options?.env && !options?.ownEnv) return () => undefined;
  for (const entry of new Set(targets.map((record) => record.app))) {
    before.set(entry, { env: entry.spec.env, ownEnv: entry.spec.ownEnv });
    const inherited = options.env
      ? inheritedEnv(options.env, entry.spec.inheritEnv !== false, entry.spec.filterEnv)
      : inheritedPartOf(entry.spec);
    const own = options.ownEnv ?? entry.spec.ownEnv;
    entry.spec = { ...entry.spec, env: { ...inherited, ...own }, ...(own ? { ownEnv: { ...own } } : {}) };
  }
  return (records) => {
    for (const entry of new Set([...records].map((record) => record.app))) {
      const old = before.get(entry);
      if (!old) continue;
      const { ownEnv: _dropped, ...rest } = entry.spec;
      entry.spec = { ...rest, env: old.env, ...(old.ownEnv ? { ownEnv: old.ownEnv } : {}) };
    }
  };
}
