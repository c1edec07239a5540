import type { EventBus } from '../events/event-bus.js';
import type { ProcessRecord } from '../process-record.js';

/** `process.online` events of the selected processes a query reads at most (the newest). */
const MAX_ONLINE_EVENTS = 1000;
/** Bytes of a JSON Lines record searched for its `"pid":` (the daemon writes it after `ts` and `lvl`). */
const PID_SEARCH_BYTES = 256;
const PID_KEY = Buffer.from('"pid":');

/**
 * The pids processes `records` (some of one app's instances, which share JSON Lines log files) ran
 * with: their current ones and those their `process.online` events kept in the event store name. A
 * JSON Lines record holds the pid of the process that wrote it, so their lines can be told apart
 * from the other instances' (a plain file's cannot). Null without an event store.
 */
export async function instancePids(
  bus: Pick<EventBus, 'query'> | undefined,
  records: readonly ProcessRecord[],
): Promise<ReadonlySet<number> | null> {
  if (bus === undefined || records.length === 0) return null;
  const app = records[0]!.app.spec.name;
  const ids = new Set(records.map((record) => record.id));
  const pids = new Set<number>();
  for (const record of records) if (record.pid !== null) pids.add(record.pid);
  const { events } = await bus.query(
    { kinds: ['process.online'], limit: MAX_ONLINE_EVENTS },
    (event) => event.app === app && event.id !== undefined && ids.has(event.id),
  );
  for (const event of events) {
    const pid = event.fields?.pid;
    if (typeof pid === 'number') pids.add(pid);
  }
  return pids;
}

/**
 * Whether the JSON Lines record in `data[start, end)` was written by one of `pids`: its `"pid":` is
 * one of them (a record without a pid, or with `null`, is nobody's).
 */
export function pidLineFilter(
  pids: ReadonlySet<number>,
): (data: Buffer, start: number, end: number) => boolean {
  return (data, start, end) => {
    const at = data.indexOf(PID_KEY, start);
    if (at === -1 || at >= Math.min(end, start + PID_SEARCH_BYTES)) return false;
    let pid = 0;
    let digits = 0;
    for (let i = at + PID_KEY.length; i < end; i += 1) {
      const byte = data[i]!;
      if (byte < 0x30 || byte > 0x39) break;
      pid = pid * 10 + (byte - 0x30);
      digits += 1;
    }
    return digits > 0 && pids.has(pid);
  };
}
