/** Below this many columns for the descriptions, each goes under its name instead of beside it. */
const MIN_DESCRIPTION_COLUMNS = 32;
/** The indent of a description that goes under its name. */
const STACKED_INDENT = 6;

/**
 * Two columns of help (`  <name>  <description>`), the names padded to the widest. With `width` (the
 * terminal's columns) a row too long for it has its description wrapped at word boundaries under its
 * first line, or, when too little room is left beside the names, put under the name; without `width`
 * (a pipe) every row stays on its line. A description's own line breaks are kept.
 */
export function alignRows(rows: [string, string][], width?: number): string[] {
  const nameWidth = Math.max(...rows.map(([name]) => name.length));
  const besideColumn = nameWidth + 4;
  const isStacked = width !== undefined && width - besideColumn < MIN_DESCRIPTION_COLUMNS;
  return rows.map(([name, description]) => {
    const lines = description.split('\n');
    if (width === undefined) return joinLines(`  ${name.padEnd(nameWidth)}  `, lines, besideColumn);
    if (!isStacked) {
      return joinLines(`  ${name.padEnd(nameWidth)}  `, wrapAll(lines, width - besideColumn), besideColumn);
    }
    const under = wrapAll(lines, width - STACKED_INDENT).map(
      (line) => `${' '.repeat(STACKED_INDENT)}${line}`,
    );
    return [`  ${name}`, ...under].join('\n');
  });
}

/** Prose lines fitted to `width` columns at word boundaries (as they are without `width`). */
export function fitLines(lines: string[], width?: number): string[] {
  return width === undefined ? lines : wrapAll(lines, width);
}

/** `first` then `lines`, each after the first indented to `column`. */
function joinLines(first: string, lines: string[], column: number): string {
  return first + lines.join(`\n${' '.repeat(column)}`);
}

function wrapAll(lines: string[], columns: number): string[] {
  return lines.flatMap((line) => wrapWords(line, columns));
}

/** `text` cut at spaces into lines of at most `columns` characters (a longer word gets a line of its own). */
function wrapWords(text: string, columns: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > columns) {
      out.push(current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  out.push(current);
  return out;
}
