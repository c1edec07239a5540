/**
 * glibc's malloc moves its mmap threshold up to the size of the largest block it has freed, so after a
 * burst of large socket reads (a client that sends 16 MiB frames, a flood of big answers) every
 * read buffer and its trimmed copy lands in the main heap, where freed blocks between live ones are
 * never returned: the daemon measured +26–30 MB of RSS for good after such a burst. A fixed threshold
 * sends every block of 16 KiB or more to its own mapping, returned on free; the daemon's idle RSS and
 * its CPU per captured log line are unchanged within the noise (docs/benchmarks.md, session 8).
 * Other C libraries ignore the variable.
 */
export const DAEMON_ALLOCATOR_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '16384' };

/** Set by the launcher beside the tuning, so that the daemon knows the variables are its own. */
export const ALLOCATOR_TUNED_MARK = 'VELOS_ALLOCATOR_TUNED';

/**
 * The environment a daemon is started with: `env` plus the allocator tuning, unless the user tunes
 * glibc's malloc there already (`MALLOC_MMAP_THRESHOLD_` or `GLIBC_TUNABLES`).
 */
export function withDaemonAllocatorEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.MALLOC_MMAP_THRESHOLD_ !== undefined || env.GLIBC_TUNABLES !== undefined) return env;
  return { ...env, ...DAEMON_ALLOCATOR_ENV, [ALLOCATOR_TUNED_MARK]: '1' };
}

/**
 * Removes the launcher's tuning from the daemon's own environment once it runs (glibc read it at
 * start-up), so that the programs the daemon runs with its environment (alert commands) do not inherit it.
 */
export function forgetDaemonAllocatorEnv(env: NodeJS.ProcessEnv): void {
  if (env[ALLOCATOR_TUNED_MARK] !== '1') return;
  for (const name of [...Object.keys(DAEMON_ALLOCATOR_ENV), ALLOCATOR_TUNED_MARK]) delete env[name];
}
