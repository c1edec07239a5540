import fc from 'fast-check';

/** Cases the whole fuzz project runs by default, shared out between its suites by `runsFor`. */
export const DEFAULT_TOTAL_RUNS = 10_000;

/** The seed of this run: `FUZZ_SEED` when set (to replay a failure), else a fresh one. */
export const FUZZ_SEED: number = readSeed();

/** Total cases over every suite: `FUZZ_RUNS` (e.g. 100000 for a soak run) or `DEFAULT_TOTAL_RUNS`. */
export const FUZZ_TOTAL_RUNS: number = readRuns();

function readSeed(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw !== undefined && raw !== '') {
    const seed = Number(raw);
    if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED=${raw}: expected an integer`);
    return seed;
  }
  return Math.floor(Math.random() * 0x7fffffff);
}

function readRuns(): number {
  const raw = process.env.FUZZ_RUNS;
  if (raw === undefined || raw === '') return DEFAULT_TOTAL_RUNS;
  const runs = Number(raw);
  if (!Number.isSafeInteger(runs) || runs <= 0)
    throw new Error(`FUZZ_RUNS=${raw}: expected a positive integer`);
  return runs;
}

/** The cases of one suite: its `share` (0–1) of `FUZZ_TOTAL_RUNS`, at least 1. */
export function runsFor(share: number): number {
  return Math.max(1, Math.round(FUZZ_TOTAL_RUNS * share));
}

/** Cases drawn per `fc.sample` call: the cases of a suite are made as they are run, not all at once. */
const CHUNK = 100;

/** Yields `count` values of `arbitrary` from the run's seed mixed with `salt` (one stream per suite), and says how to replay them. */
export function* cases<T>(arbitrary: fc.Arbitrary<T>, count: number, salt: number): Generator<T> {
  console.log(`fuzz: ${count} cases (salt ${salt}); replay with FUZZ_SEED=${FUZZ_SEED}`);
  for (let chunk = 0; chunk * CHUNK < count; chunk += 1) {
    const seed = (FUZZ_SEED ^ (salt * 7919 + chunk * 104_729)) | 0;
    yield* fc.sample(arbitrary, { seed, numRuns: Math.min(CHUNK, count - chunk * CHUNK) });
  }
}

/** Runs `task` over `items`, at most `concurrency` at a time; rejects with the first failure, naming its index and value. */
export async function inPool<T>(
  items: Iterable<T>,
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<number> {
  const iterator = items[Symbol.iterator]();
  let index = 0;
  let isDone = false;
  const worker = async () => {
    while (!isDone) {
      const next = iterator.next();
      if (next.done) {
        isDone = true;
        return;
      }
      const current = index++;
      try {
        await task(next.value, current);
      } catch (error) {
        isDone = true;
        throw new Error(
          `fuzz case #${current} failed (FUZZ_SEED=${FUZZ_SEED}): ${(error as Error).message}\ncase: ${show(next.value)}`,
          { cause: error },
        );
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return index;
}

/** A short printable form of a case. */
export function show(value: unknown): string {
  try {
    return (
      JSON.stringify(value, (_key, v) =>
        typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `<${v.length} bytes>` : v,
      ) ?? String(value)
    ).slice(0, 400);
  } catch {
    try {
      return String(value).slice(0, 400);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
}

/** The next `count` items of `items` (fewer when it ends first), one batch of a longer run. */
export function* take<T>(items: Iterator<T>, count: number): Generator<T> {
  for (let i = 0; i < count; i += 1) {
    const next = items.next();
    if (next.done) return;
    yield next.value;
  }
}
