import { StringDecoder } from 'node:string_decoder';

/**
 * The lines of a stream of text or bytes (UTF-8), as `wc -l` and the supervisor count them: split at `\n`
 * only, one `\r` before it taken off (CRLF files). A lone `\r` inside a line (a progress bar redrawn in
 * place, `10%\r20%\r…`) stays in the line: Node's `readline` would end a line there, so a tool that
 * promises one output line per input line printed more. A last line without `\n` is a line too.
 */
export async function* splitLines(
  chunks: AsyncIterable<string | Uint8Array>,
): AsyncGenerator<string, void, undefined> {
  const decoder = new StringDecoder('utf8');
  // the start of a line that has no end yet, in parts (a very long line is not copied once per chunk)
  let parts: string[] = [];
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      let line = text.slice(start, nl);
      if (parts.length > 0) {
        parts.push(line);
        line = parts.join('');
        parts = [];
      }
      yield withoutCr(line);
      start = nl + 1;
    }
    if (start < text.length) parts.push(start === 0 ? text : text.slice(start));
  }
  parts.push(decoder.end());
  const last = parts.join('');
  if (last.length > 0) yield withoutCr(last);
}

function withoutCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}
