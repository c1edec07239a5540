/**
 * Why the daemon's `TZ` names no time zone (a misspelt `Europe/Berln`), or null when it does or is
 * unset. Node then silently keeps UTC: every cron expression (`schedule`, `cron_restart`,
 * `log_rotate_cron`) would fire hours off without a word.
 */
export function timeZoneWarning(tz: string | undefined = process.env.TZ): string | null {
  if (tz === undefined || tz === '') return null;
  // ICU resolves no zone for a name it does not know (undefined, or Etc/Unknown)
  const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone as string | undefined;
  if (zone !== undefined && zone !== 'Etc/Unknown') return null;
  return `TZ=${tz} is not a time zone (misspelt?): the daemon reads cron expressions and shows local times in UTC; velos kill, then start it again with a valid TZ (e.g. Europe/Berlin)`;
}
