import { ErrorCodes, type ProcessInfo, type VelosControl, VelosError } from '@velos/core';

/** The prefix of the line the daemon writes into an app's err log when it cannot spawn it. */
const NOTE_PREFIX = 'velos: ';

/** The start of the note the daemon writes into the err log of an app whose dependency failed. */
const NOT_STARTED_PREFIX = `${NOTE_PREFIX}not started: `;

/**
 * The error of a `start` that left some of its apps unspawnable (`errored`, reason `spawn-error`: a
 * script or program that is not there or not executable, a working directory that does not exist), or,
 * with `since` (when the start began, epoch ms), errored since then because a dependency failed
 * (`velos: not started: dependency 'db' is stopped` in its err log): one line naming each with the
 * daemon's reason (the note in its err log), SPAWN_FAILED; null when none. With `isAnyErrored`
 * (`velos start --wait`), an app errored for another reason (it crashed until its restarts ran out) is
 * named too. The apps stay listed, errored, as the table printed before shows; the others of the same
 * start run.
 */
export async function spawnFailure(
  client: Pick<VelosControl, 'logs'>,
  listed: ProcessInfo[],
  names: ReadonlySet<string>,
  since = Number.POSITIVE_INFINITY,
  isAnyErrored = false,
): Promise<VelosError | null> {
  const errored = listed.filter((p) => names.has(p.name) && p.status === 'errored');
  const reasons = await Promise.all(
    errored.map(async (p) => {
      const [note] = await client.logs({ target: String(p.id), lines: 1, stream: 'err' }).catch(() => []);
      if (p.lastExitReason === 'spawn-error') {
        const text = note?.line.startsWith(NOTE_PREFIX)
          ? note.line.slice(NOTE_PREFIX.length)
          : 'could not start';
        return `${p.name}: ${text}`;
      }
      // held for its depends_on, it was not started: its dependency failed before the start answered
      if (note !== undefined && note.ts >= since && note.line.startsWith(NOT_STARTED_PREFIX))
        return `${p.name}: ${note.line.slice(NOTE_PREFIX.length)}`;
      if (!isAnyErrored) return null;
      const exit =
        p.signal !== null ? `, ${p.signal}` : p.exitCode !== null ? `, exit code ${p.exitCode}` : '';
      return `${p.name}: errored (${p.lastExitReason ?? 'not started'}${exit}; see velos logs ${p.name} --err)`;
    }),
  );
  const failed = reasons.filter((reason) => reason !== null);
  if (failed.length === 0) return null;
  return new VelosError(ErrorCodes.SPAWN_FAILED, failed.join('; '));
}

/**
 * `spawnFailure` of the processes a restart or reload acted on, by id: an instance it left alone
 * (`velos restart 0` of an app of two) is not its failure.
 */
export function spawnFailureOf(
  client: Pick<VelosControl, 'logs'>,
  listed: ProcessInfo[],
  acted: readonly ProcessInfo[],
): Promise<VelosError | null> {
  const ids = new Set(acted.map((p) => p.id));
  return spawnFailure(
    client,
    listed.filter((p) => ids.has(p.id)),
    new Set(acted.map((p) => p.name)),
  );
}
