import type { LogQueryTarget } from '../../src/log-insights/log-target.js';

/** A query target over plain log files a test wrote (`dateFormat`: the time prefix its lines carry). */
export function plainTarget(
  name: string,
  outPath: string,
  errPath: string,
  dateFormat?: string,
): LogQueryTarget {
  return {
    name,
    id: 0,
    outPath,
    errPath,
    format: 'plain',
    ...(dateFormat === undefined ? {} : { dateFormat }),
    hasLiveEngine: true,
    flushTimeIndex: () => {},
  };
}
