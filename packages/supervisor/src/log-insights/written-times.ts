import { recordTime } from '@velos/log-engine';

/**
 * Gives the lines of a file read forward, one after the other, the time written in them (`recordTime`:
 * a JSON field, a leading timestamp, …), and a line without one the time of the line before it (a
 * stack frame, a continued message), as the log engine times them; undefined before the first line
 * that states a time.
 */
export function createWrittenTimes(): (line: string) => number | undefined {
  let last: number | undefined;
  return (line) => {
    last = recordTime({ line }) ?? last;
    return last;
  };
}
