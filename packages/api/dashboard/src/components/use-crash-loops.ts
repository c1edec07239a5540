import { useMemo } from 'preact/hooks';
import { crashLooping } from '../status.js';
import { useDash } from '../store.js';
import { useNow } from './use-now.js';

/** The ids of the processes in a crash loop now, from the events the page holds. */
export function useCrashLoops(): Set<number> {
  const events = useDash((s) => s.events);
  const now = useNow(10_000);
  return useMemo(() => crashLooping(events, now), [events, now]);
}
