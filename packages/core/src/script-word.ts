/** Extensions of the scripts Velos runs with an interpreter it knows, and of common script files. */
const SCRIPT_EXTENSION = /\.(c|m)?(js|ts)$|\.(py|sh|bash|rb|pl|php)$/;

/**
 * True when a `script` word names a file rather than a program on PATH or a command line: it holds a
 * `/` or ends in a script extension (`app.js`, `./run`, `job.py`), with no space in it. Such a word
 * that is not a file is a mistake to refuse at once (`script not found`), not a spawn to fail later.
 * @example namesScriptFile('app.js') // true; namesScriptFile('redis-server') // false
 */
export function namesScriptFile(script: string): boolean {
  const word = script.trim();
  return !/\s/.test(word) && (word.includes('/') || SCRIPT_EXTENSION.test(word));
}
