/**
 * True when the run of letters and digits `s[i, j)` reads as a generated id rather than a name: at least 8
 * characters, with digits and letters, that change between upper case, lower case and digit at half of
 * their places or more — a request id or a token (`Xy7Kp2QwErTz`, nanoid's `V1StGXR8`, base64's
 * `dGhpcyBpcyBh…`). A name changes rarely (`HarddiskVolumeShadowCopy9`, `Utf8Decoder`, `SHA256withRSA`,
 * `IPv4Address`) and keeps its words. Such ids are values: left as words, each would be a new word
 * with a capital letter, and the miner merges those only after ten of them (a closed vocabulary).
 * The caller has checked that the run holds a digit and a letter and is no hex number.
 */
export function isRandomId(s: string, i: number, j: number): boolean {
  const length = j - i;
  if (length < 8) return false;
  let changes = 0;
  let last = classOf(s.charCodeAt(i));
  for (let k = i + 1; k < j; k++) {
    const c = classOf(s.charCodeAt(k));
    if (c !== last) changes++;
    last = c;
  }
  return changes * 2 >= length;
}

/** 0 a digit, 1 an upper-case letter, 2 a lower-case one. */
function classOf(c: number): number {
  if (c <= 57) return 0;
  return c <= 90 ? 1 : 2;
}
