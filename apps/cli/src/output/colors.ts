import pc from 'picocolors';

/** The colour functions output code paints with; identity functions when colour is off. */
export type Colors = ReturnType<typeof pc.createColors>;

/** Colour only on a terminal, never with `NO_COLOR` set (https://no-color.org), always with `FORCE_COLOR`. */
export function isColorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Colour functions that paint when `enabled`, and return their input unchanged otherwise. */
export function createColors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
