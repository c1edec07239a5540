/** One column of a text table. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** One cell: the plain text (which sets the width) and how to paint it. */
export interface Cell {
  text: string;
  paint?: (text: string) => string;
}

/** Renders aligned columns separated by two spaces, a header line first; widths ignore colour codes. */
export function renderTable(
  columns: Column[],
  rows: Cell[][],
  paintHeader: (text: string) => string,
): string {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => row[i]?.text.length ?? 0)),
  );
  const line = (cells: Cell[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        const padded = columns[i]?.align === 'right' ? cell.text.padStart(width) : cell.text.padEnd(width);
        return cell.paint ? cell.paint(padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const header = line(columns.map((column) => ({ text: column.header, paint: paintHeader })));
  return [header, ...rows.map(line)].join('\n');
}
