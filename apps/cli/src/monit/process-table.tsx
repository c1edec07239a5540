import { Text } from 'ink';
import { memo } from 'react';
import { displayWidth } from '../output/display-width.js';
import { fit, healthColor, type RowCells, statusColor } from './format.js';

/** The table's columns after the id and the name, left to right. */
type FixedColumn = 'status' | 'pid' | 'cpu' | 'memory' | 'uptime' | 'restarts' | 'health';

/** Widths of the fixed columns (status: the longest word, `scheduled`). */
const WIDTHS: Record<FixedColumn | 'id', number> = {
  id: 3,
  status: 9,
  pid: 7,
  cpu: 6,
  memory: 8,
  uptime: 7,
  restarts: 3,
  health: 9,
};
const ORDER: readonly FixedColumn[] = ['status', 'pid', 'cpu', 'memory', 'uptime', 'restarts', 'health'];
/** What a narrow screen leaves out first: the probe's health, then uptime, pid and CPU (status, memory, restarts stay). */
const DROP_ORDER: readonly FixedColumn[] = ['health', 'uptime', 'pid', 'cpu'];
const RIGHT_ALIGNED = new Set<FixedColumn>(['pid', 'cpu', 'memory', 'uptime', 'restarts']);
/** The selection marker and the space after the id (the id's own width aside). */
const MARKER_WIDTH = 2 + 1;
/** A name column never narrower than this (longer names are cut with an ellipsis). */
const MIN_NAME_WIDTH = 8;
/** Columns are dropped to give the name at least this much (or its longest name, when shorter). */
const WANTED_NAME_WIDTH = 14;

/** Which columns the table shows and how wide they are. */
export interface TableColumns {
  /** The fixed columns shown, left to right. */
  columns: readonly FixedColumn[];
  nameWidth: number;
  /** Widths of the id and the fixed columns (id and restarts grow with their longest number). */
  widths: Readonly<Record<FixedColumn | 'id', number>>;
}

/**
 * The columns of a table `width` columns wide whose longest name is `longestName` columns (and
 * longest id and restart count `longestId`, `longestRestarts` digits): the name column is as wide as
 * that name (not wider: the numbers stay next to the names on a wide screen), and a narrow screen
 * leaves out health, uptime, pid then CPU rather than cut the row's end.
 */
export function tableColumns(
  width: number,
  longestName: number,
  longestId = 0,
  longestRestarts = 0,
): TableColumns {
  const widths = {
    ...WIDTHS,
    id: Math.max(WIDTHS.id, longestId),
    restarts: Math.max(WIDTHS.restarts, longestRestarts),
  };
  const wanted = Math.max(MIN_NAME_WIDTH, Math.min(longestName, WANTED_NAME_WIDTH));
  let columns = ORDER;
  for (const dropped of DROP_ORDER) {
    if (spaceForName(width, columns, widths) >= wanted) break;
    columns = columns.filter((column) => column !== dropped);
  }
  const nameWidth = Math.max(
    MIN_NAME_WIDTH,
    Math.min(spaceForName(width, columns, widths), Math.max(longestName, 4)),
  );
  return { columns, nameWidth, widths };
}

/** The widths the name gets on a `width` screen with these columns (each column has a space before it). */
function spaceForName(
  width: number,
  columns: readonly FixedColumn[],
  widths: TableColumns['widths'],
): number {
  const fixed = columns.reduce((sum, column) => sum + widths[column] + 1, 0);
  return width - MARKER_WIDTH - widths.id - fixed - 1;
}

const HEADER_CELLS: RowCells = {
  id: 'id',
  name: 'name',
  status: 'status',
  pid: 'pid',
  cpu: 'cpu',
  memory: 'mem',
  uptime: 'uptime',
  restarts: '↺',
  health: 'health',
};

/** The rows a scrolled table shows: `first` and `last` counted from 1, of `total`. */
export interface TableWindow {
  first: number;
  last: number;
  total: number;
}

/**
 * The header line of the process table; `window`, when the table scrolls, says which rows it shows at
 * the line's end (`7–12 of 60`, or `7–12/60` where that does not fit: the labels are cut for it), at the right.
 */
export const TableHeader = memo(function TableHeader(props: {
  layout: TableColumns;
  width: number;
  window: TableWindow | null;
}) {
  const { layout, width, window } = props;
  const { columns, nameWidth, widths } = layout;
  const labels = `  ${fit(HEADER_CELLS.id, widths.id, 'right')} ${fit(HEADER_CELLS.name, nameWidth)}${cellsText(HEADER_CELLS, columns, widths)}`;
  if (!window) {
    return (
      <Text bold wrap="truncate">
        {labels}
      </Text>
    );
  }
  const where = windowText(window, labels, width);
  return (
    <Text wrap="truncate">
      <Text bold>{fit(labels, width - displayWidth(where) - 1)}</Text>
      <Text dimColor>{` ${where}`}</Text>
    </Text>
  );
});

/** Where a scrolled table is, in full when it fits beside the labels, else in short. */
function windowText(window: TableWindow, labels: string, width: number): string {
  const full = `${window.first}–${window.last} of ${window.total}`;
  return displayWidth(labels) + 1 + full.length <= width
    ? full
    : `${window.first}–${window.last}/${window.total}`;
}

/**
 * One row of the process table; re-rendered only when one of its cells, the selection or the columns
 * change. The plain cells are joined into one string each side of the coloured ones: a row is a few
 * text nodes for React and ink instead of twenty-five (fewer nodes to create for the first frame and
 * to compare when a row changes).
 */
export const ProcessRow = memo(
  function ProcessRow(props: { cells: RowCells; isSelected: boolean; layout: TableColumns }) {
    const { cells, isSelected } = props;
    const { columns, nameWidth, widths } = props.layout;
    const head = `${isSelected ? '▸ ' : '  '}${fit(cells.id, widths.id, 'right')} ${fit(cells.name, nameWidth)}`;
    const healthAt = columns.indexOf('health');
    const middle = cellsText(cells, healthAt < 0 ? columns.slice(1) : columns.slice(1, healthAt), widths);
    return (
      <Text wrap="truncate" inverse={isSelected}>
        {head} <Text color={statusColor(cells.status)}>{fit(cells.status, widths.status)}</Text>
        {middle}
        {healthAt < 0 ? null : (
          <>
            {' '}
            <Text color={healthColor(cells.health)}>{fit(cells.health, widths.health)}</Text>
          </>
        )}
      </Text>
    );
  },
  (a, b) =>
    a.isSelected === b.isSelected &&
    a.layout === b.layout &&
    (Object.keys(a.cells) as (keyof RowCells)[]).every((key) => a.cells[key] === b.cells[key]),
);

/** The cells of these columns, each with a space before it. */
function cellsText(cells: RowCells, columns: readonly FixedColumn[], widths: TableColumns['widths']): string {
  let text = '';
  for (const column of columns) {
    text += ` ${fit(cells[column], widths[column], RIGHT_ALIGNED.has(column) ? 'right' : 'left')}`;
  }
  return text;
}
