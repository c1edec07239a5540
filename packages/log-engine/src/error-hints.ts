/** Words the default rules (labels, content rules) need to make a line an error or fatal, case-insensitive. */
const WORDS =
  'e(?:rr|merg|conn|addrinuse|timedout|acces|perm|noent|pipe|xception)|f(?:atal|ail)|panic|c(?:rit|ore dumped|rash)|alert|s(?:evere|egmentation fault)|out of memory|un(?:caught|handled)|traceback';
/** The words only the stderr rules need (`DEFAULT_LEVEL_RULES`, `stream: 'err'`). */
const ERR_WORDS = "unable to|cannot|can't|could not|refused|denied";
const ANY_STREAM = new RegExp(WORDS, 'gi');
const ERR_STREAM = new RegExp(`${WORDS}|${ERR_WORDS}`, 'gi');
/** A level field naming error or fatal by one letter (`level=e`) or by a number ≥ 50 (`"level":50`). */
const LEVEL_FIELD =
  /"(?:level|lvl|severity|loglevel|levelname|log\.level|status)"\s*:\s*(?:"[ef]"|[5-9]\d|[1-9]\d\d|\d+(?:\.\d+)?e)|(?:level|lvl|severity)[=:] ?"?[ef](?![a-z])/gi;
const FIELD_KEYS = ['level', 'lvl', 'severity', 'status'];
/** Line starts of a glog `E1122 …`/`F1122 …` line. */
const GLOG_STARTS = [Buffer.from('\nE'), Buffer.from('\nF')];
/** Line starts of an indented line (a stack frame on stderr), ASCII or Unicode white space. */
const INDENT_STARTS = [
  '\n ',
  '\n\t',
  '\n\v',
  '\n\f',
  '\n\r',
  '\n\xc2\xa0',
  '\n\xe1',
  '\n\xe2',
  '\n\xe3',
  '\n\xef',
].map((s) => Buffer.from(s, 'latin1'));

/**
 * Byte offsets in `data` (lines separated by `\n`) of every place where a line that the default level
 * rules classify as `error` or `fatal` may be, ascending: a line holding no offset is not an error, so a
 * sampler can pass over it unread and still count the errors exactly (classify the lines holding an
 * offset with `createClassifier()` to know). One regex pass over the bytes and a few native searches,
 * no line decoded. It covers the labels, the JSON level fields and the content rules of
 * `DEFAULT_LEVEL_RULES` (with `stream: 'err'` the stderr-only ones too), except a stack frame or a
 * glog prefix at the start of a JSON line's message.
 */
export function findErrorHints(data: Buffer, stream?: 'out' | 'err'): number[] {
  const text = data.toString('latin1');
  const hits: number[] = [];
  const words = stream === 'err' ? ERR_STREAM : ANY_STREAM;
  words.lastIndex = 0;
  for (let m = words.exec(text); m !== null; m = words.exec(text)) hits.push(m.index);
  if (FIELD_KEYS.some((key) => data.includes(key))) {
    LEVEL_FIELD.lastIndex = 0;
    for (let m = LEVEL_FIELD.exec(text); m !== null; m = LEVEL_FIELD.exec(text)) hits.push(m.index);
  }
  const first = data[0];
  if (first === 69 || first === 70) hits.push(0);
  for (const needle of GLOG_STARTS) {
    for (let i = data.indexOf(needle); i !== -1; i = data.indexOf(needle, i + 1)) {
      const digit = data[i + 2];
      if (digit !== undefined && digit >= 48 && digit <= 57) hits.push(i + 1);
    }
  }
  if (stream === 'err') {
    if (first !== undefined && (first <= 32 || first >= 0x80)) hits.push(0);
    for (const needle of INDENT_STARTS) {
      for (let i = data.indexOf(needle); i !== -1; i = data.indexOf(needle, i + 1)) hits.push(i + 1);
    }
  }
  return hits.sort((a, b) => a - b);
}
