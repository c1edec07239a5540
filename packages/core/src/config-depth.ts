/**
 * The deepest nesting a config file may have before it is parsed. The parsers recurse per level:
 * thousands of `[` make yaml overflow the stack (slowly, and at the edge V8 may abort the process
 * while compiling a RegExp), so a deeper file is refused up front. The daemon takes 16 levels.
 */
export const MAX_CONFIG_DEPTH = 64;

/**
 * The 1-based line where `text` first nests deeper than `MAX_CONFIG_DEPTH`, or null: brackets and
 * braces outside quotes and comments (every format), and YAML's indentation levels.
 */
export function tooDeepLine(text: string, isYaml: boolean): number | null {
  let depth = 0;
  let line = 1;
  let quote = '';
  let isComment = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === '\n') {
      line += 1;
      isComment = false;
      if (quote === "'") quote = '';
      continue;
    }
    if (isComment) continue;
    if (quote !== '') {
      if (char === '\\' && quote === '"') i += 1;
      else if (char === quote) quote = '';
      continue;
    }
    if (char === '"' || (char === "'" && isQuoteStart(text, i))) quote = char;
    else if (char === '#') isComment = true;
    else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > MAX_CONFIG_DEPTH) return line;
    } else if ((char === ']' || char === '}') && depth > 0) depth -= 1;
  }
  return isYaml ? tooDeepIndentLine(text) : null;
}

// a ' inside a word (don't, l'app) is an apostrophe in YAML plain text, not a quote
function isQuoteStart(text: string, i: number): boolean {
  return i === 0 || !/[A-Za-z0-9]/.test(text[i - 1]!);
}

function tooDeepIndentLine(text: string): number | null {
  const indents: number[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n += 1) {
    const body = lines[n]!;
    const trimmed = body.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    // `- - - a` nests a level per dash on one line
    const dashes = /^(-\s+)*/.exec(trimmed)![0].replace(/\s/g, '').length;
    const indent = body.length - trimmed.length;
    while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
    indents.push(indent);
    if (indents.length + dashes > MAX_CONFIG_DEPTH) return n + 1;
  }
  return null;
}
