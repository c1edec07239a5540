// Lines like users' logs for the classifier and record-parser benches: every kind of the corpus, mixed, a share
// behind an ISO time (as `--time` writes it) or a syslog date, some with colour codes, some as JSON or logfmt
// lines, a fifth on stderr. Seeded: the same seed gives the same lines.
import { generateKind, KIND_NAMES } from './generate.mjs';
import { createRandom } from './values.mjs';

/** Lines like users' logs, `{line, stream}`: the corpus's kinds mixed, decorated as loggers and Velos write them. */
export function usersMix(count, seed = 1) {
  const perKind = Math.ceil(count / KIND_NAMES.length);
  const kinds = KIND_NAMES.map((kind) => generateKind(kind, perKind, seed).map((row) => row.content));
  const r = createRandom(seed);
  let ts = Date.parse('2026-12-04T10:00:00.000Z');
  const out = [];
  for (let i = 0; i < count; i++) {
    const text = kinds[i % kinds.length][Math.floor(i / kinds.length)];
    ts += r.int(0, 40);
    const iso = new Date(ts).toISOString();
    const stream = r.next() < 0.2 ? 'err' : 'out';
    const x = r.next();
    let line;
    if (x < 0.3) line = `${iso} ${text}`;
    else if (x < 0.4) line = `Dec  4 10:00:${String(i % 60).padStart(2, '0')} host ${text}`;
    else if (x < 0.47) {
      const space = text.indexOf(' ');
      line =
        space === -1
          ? `\x1b[32m${text}\x1b[39m`
          : `\x1b[36m${text.slice(0, space)}\x1b[39m${text.slice(space)}`;
    } else if (x < 0.52) line = JSON.stringify({ level: r.pick([30, 30, 40, 50]), time: ts, msg: text });
    else if (x < 0.57)
      line = `time=${iso} level=${r.pick(['info', 'info', 'warn', 'error'])} msg=${JSON.stringify(text)}`;
    else line = text;
    out.push({ line, stream });
  }
  return out;
}
