import { displayWidth, fitToWidth } from './display-width.js';

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
 * One way a table gives way to a narrow terminal, named by column header: cut the column's texts to
 * `width` terminal columns (an ellipsis ends a cut text), or drop the column. Steps naming a column the
 * table does not have are skipped.
 */
export type FitStep = { cut: string; width: number } | { drop: string };

/** A terminal's width and the steps that make a table fit it, tried in order until it does. */
export interface Fit {
  width: number;
  steps: readonly FitStep[];
}

const GAP = '  ';

/**
 * Renders aligned columns separated by two spaces, a header line first; widths are terminal columns
 * (`displayWidth`: a CJK character takes two, a combining mark none) and ignore colour codes. With
 * `fit`, a table wider than `fit.width` takes its steps until it fits (or none is left); a table that
 * fits, or one rendered without `fit`, is unchanged.
 */
export function renderTable(
  columns: Column[],
  rows: Cell[][],
  paintHeader: (text: string) => string,
  fit?: Fit,
): string {
  const widths = columns.map((column, i) =>
    Math.max(displayWidth(column.header), ...rows.map((row) => displayWidth(row[i]?.text ?? ''))),
  );
  const shown = fit ? fitWidths(columns, widths, fit) : widths;
  const line = (cells: Cell[]) =>
    cells
      .flatMap((cell, i) => {
        const width = shown[i];
        if (width === undefined) return [];
        // padded to the width, or cut to it with an ellipsis where `fit` narrowed the column
        const padded = fitToWidth(cell.text, width, columns[i]?.align === 'right' ? 'right' : 'left');
        return [cell.paint ? cell.paint(padded) : padded];
      })
      .join(GAP)
      .trimEnd();
  const header = line(columns.map((column) => ({ text: column.header, paint: paintHeader })));
  return [header, ...rows.map(line)].join('\n');
}

/** The width of each column once `fit` applied, `undefined` for a dropped one. */
function fitWidths(columns: Column[], widths: number[], fit: Fit): (number | undefined)[] {
  const shown: (number | undefined)[] = [...widths];
  const total = () => {
    const kept = shown.filter((width) => width !== undefined);
    return kept.reduce((sum, width) => sum + width, 0) + GAP.length * Math.max(0, kept.length - 1);
  };
  const cut: number[] = [];
  for (const step of fit.steps) {
    const excess = total() - fit.width;
    if (excess <= 0) break;
    const header = 'cut' in step ? step.cut : step.drop;
    const i = columns.findIndex((column) => column.header === header);
    const width = shown[i];
    if (width === undefined) continue;
    if ('drop' in step) {
      shown[i] = undefined;
      continue;
    }
    // only as much as needed, never below the step's width nor its header
    shown[i] = Math.min(width, Math.max(step.width, displayWidth(header), width - excess));
    cut.push(i);
  }
  // a drop after a cut may leave room: the columns cut last get it back first
  for (const i of cut.reverse()) {
    const room = fit.width - total();
    const width = shown[i];
    if (room <= 0) break;
    if (width !== undefined) shown[i] = Math.min(widths[i]!, width + room);
  }
  return shown;
}
