import { displayWidth, padEndToWidth, padStartToWidth } from './display-width.js';

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

/**
 * Renders aligned columns separated by two spaces, a header line first; widths are terminal columns
 * (`displayWidth`: a CJK character takes two, a combining mark none) and ignore colour codes.
 */
export function renderTable(
  columns: Column[],
  rows: Cell[][],
  paintHeader: (text: string) => string,
): string {
  const widths = columns.map((column, i) =>
    Math.max(displayWidth(column.header), ...rows.map((row) => displayWidth(row[i]?.text ?? ''))),
  );
  const line = (cells: Cell[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        const padded =
          columns[i]?.align === 'right' ? padStartToWidth(cell.text, width) : padEndToWidth(cell.text, width);
        return cell.paint ? cell.paint(padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const header = line(columns.map((column) => ({ text: column.header, paint: paintHeader })));
  return [header, ...rows.map(line)].join('\n');
}
