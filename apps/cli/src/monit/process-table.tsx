import { Text } from 'ink';
import { memo } from 'react';
import { fit, healthColor, type RowCells, statusColor } from './format.js';

/** Widths of the fixed columns (status: the longest word, `scheduled`); the name takes what is left. */
const WIDTHS = { id: 3, status: 9, pid: 7, cpu: 6, memory: 8, uptime: 7, restarts: 3, health: 9 };
const FIXED_WIDTH = Object.values(WIDTHS).reduce((sum, width) => sum + width + 1, 0) + 2;

/** The width of the name column on a screen `width` wide. */
export function nameWidth(width: number): number {
  return Math.max(8, width - FIXED_WIDTH - 1);
}

/** The header line of the process table. */
export const TableHeader = memo(function TableHeader(props: { width: number }) {
  const cells: RowCells = {
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
  return (
    <Text bold wrap="truncate">
      {`  ${line(cells, nameWidth(props.width))}`}
    </Text>
  );
});

/**
 * One row of the process table; re-rendered only when one of its cells or the selection changes.
 * The plain cells are joined into one string each side of the coloured ones: a row is five text
 * nodes for React and ink instead of twenty-five (fewer nodes to create for the first frame and to
 * compare when a row changes).
 */
export const ProcessRow = memo(
  function ProcessRow(props: { cells: RowCells; isSelected: boolean; width: number }) {
    const { cells, isSelected } = props;
    const w = nameWidth(props.width);
    const head = `${isSelected ? '▸ ' : '  '}${fit(cells.id, WIDTHS.id, 'right')} ${fit(cells.name, w)} `;
    const middle = [
      '',
      fit(cells.pid, WIDTHS.pid, 'right'),
      fit(cells.cpu, WIDTHS.cpu, 'right'),
      fit(cells.memory, WIDTHS.memory, 'right'),
      fit(cells.uptime, WIDTHS.uptime, 'right'),
      fit(cells.restarts, WIDTHS.restarts, 'right'),
      '',
    ].join(' ');
    return (
      <Text wrap="truncate" inverse={isSelected}>
        {head}
        <Text color={statusColor(cells.status)}>{fit(cells.status, WIDTHS.status)}</Text>
        {middle}
        <Text color={healthColor(cells.health)}>{fit(cells.health, WIDTHS.health)}</Text>
      </Text>
    );
  },
  (a, b) =>
    a.isSelected === b.isSelected &&
    a.width === b.width &&
    (Object.keys(a.cells) as (keyof RowCells)[]).every((key) => a.cells[key] === b.cells[key]),
);

function line(c: RowCells, w: number): string {
  return [
    fit(c.id, WIDTHS.id, 'right'),
    fit(c.name, w),
    fit(c.status, WIDTHS.status),
    fit(c.pid, WIDTHS.pid, 'right'),
    fit(c.cpu, WIDTHS.cpu, 'right'),
    fit(c.memory, WIDTHS.memory, 'right'),
    fit(c.uptime, WIDTHS.uptime, 'right'),
    fit(c.restarts, WIDTHS.restarts, 'right'),
    fit(c.health, WIDTHS.health),
  ].join(' ');
}
