/** The largest umask: every permission bit masked (0o777). */
export const MAX_UMASK = 0o777;

/** What a config file or `--umask` takes, for the error of a value it does not. */
export const UMASK_EXPECTED =
  'expected a umask: an octal string like "022" or "0027", or a number 0 to 511 (0o777)';

/**
 * The umask a config value means: an octal string (`"022"`, `"0027"`, `"0o22"`, systemd's and
 * supervisord's form) or a number taken as it is (TOML's `0o022`, JSON's 18); null when it is neither
 * or past 0o777.
 * @example parseUmask('022') // 18
 */
export function parseUmask(value: unknown): number | null {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 0 && value <= MAX_UMASK ? value : null;
  if (typeof value !== 'string') return null;
  const digits = /^\s*(?:0o)?([0-7]{1,4})\s*$/i.exec(value)?.[1];
  if (digits === undefined) return null;
  const mask = Number.parseInt(digits, 8);
  return mask <= MAX_UMASK ? mask : null;
}

/**
 * A umask as `umask` prints it and systemd's `UMask=` takes it: four octal digits.
 * @example formatUmask(0o22) // '0022'
 */
export function formatUmask(mask: number): string {
  return mask.toString(8).padStart(4, '0');
}
