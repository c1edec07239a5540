import type { Cluster } from './template-cluster.js';
import { TOKEN_LITERAL, TOKEN_VARIABLE } from './token-buffer.js';

/** Templates of one leaf that are equal but at `positions`: once there are enough of them they merge into one. */
export interface Family {
  positions: number[];
  members: Cluster[];
}

// A literal position becomes a placeholder once this many different values were seen there. Where every
// value starts with a capital (Started/Paused/Resumed, GET/POST, LOOKING/LEADING, "Scheduled"), the position
// names events of a small closed vocabulary rather than a value: it needs many more.
const MIN_VARIANTS = 3;
const MIN_CLOSED_VARIANTS = 10;
// Online ids: a template seen at most YOUNG times whose new variant differs at most at PROVISIONAL_POSITIONS
// open positions lends its id to that variant until the family merges.
const YOUNG = 2;
const PROVISIONAL_POSITIONS = 3;

/** The key of the family of `near` and the templates that differ from it only at `positions` (ascending). */
export function familyKey(near: Cluster, positions: number[]): string {
  let key = near.leafKey;
  for (let i = 0, j = 0; i < near.norm.length; i++) {
    if (positions[j] === i) {
      key += '\u0000';
      j++;
    } else {
      key += `\u0001${near.norm[i]}`;
    }
  }
  return key;
}

/**
 * Variants a family needs before it merges: two when the differing words are known values (seen at a
 * variable position of another template, `valueWords`), many more when a differing position holds only
 * words that start with a capital (a closed vocabulary of event words, not values), three otherwise.
 */
export function requiredVariants(family: Family, valueWords: ReadonlySet<string>): number {
  let known = true;
  for (const i of family.positions) {
    if (!family.members.some((m) => m.kind[i] === TOKEN_LITERAL && valueWords.has(m.norm[i]!))) {
      known = false;
      break;
    }
  }
  if (known) return 2;
  let keyed = true;
  const first = family.members[0]!;
  for (const i of family.positions) {
    if (family.members.every((m) => m.kind[i] === TOKEN_VARIABLE || hasCapital(m.norm[i]!)))
      return MIN_CLOSED_VARIANTS;
    // The value of a `key=value` pair.
    if (!(i > 1 && first.norm[i - 1] === '=' && first.spaced[i] === 0 && first.kind[i - 2] === TOKEN_LITERAL))
      keyed = false;
  }
  return keyed ? 2 : MIN_VARIANTS;
}

/**
 * Whether the first line of a new variant of the young template `near`, differing at an open `positions`,
 * answers with `near`'s id: the id the merge will keep, so ids printed online do not change when the family
 * merges on its next variant.
 */
export function lendsItsId(near: Cluster, positions: number[], family: Family, required: number): boolean {
  return (
    required === MIN_VARIANTS &&
    positions.length <= PROVISIONAL_POSITIONS &&
    family.members.length === 2 &&
    near.count <= YOUNG
  );
}

/** True when a token holds a capital letter: `Started`, `GET`, `SCREEN_ON`, `stepSum` name things, not values. */
function hasCapital(norm: string): boolean {
  for (let i = 0; i < norm.length; i++) {
    const c = norm.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}
