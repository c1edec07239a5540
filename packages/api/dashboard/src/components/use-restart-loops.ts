import { useMemo } from 'preact/hooks';
import { type RestartLoops, restartLoops } from '../status.js';
import { useDash } from '../store.js';
import { useNow } from './use-now.js';

/** The processes in a restart loop now (their own crashes, or their cluster primary's exits), from the events the page holds. */
export function useRestartLoops(): RestartLoops {
  const events = useDash((s) => s.events);
  const now = useNow(10_000);
  return useMemo(() => restartLoops(events, now), [events, now]);
}
