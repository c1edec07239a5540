import { roundCpu } from '@velos/core/ai';

// CLI-3: the --ai words live in core (ai-output.ts), shared with the MCP tools.
export { roundCpu, shortStatus } from '@velos/core/ai';

/** CPU percent for a table: `2.1%`; from 1000 % (many threads busy) no decimal, `1234%`, so it fits monit's column. */
export function formatCpu(cpu: number): string {
  const rounded = roundCpu(cpu);
  return rounded >= 1000 ? `${Math.round(rounded)}%` : `${rounded.toFixed(1)}%`;
}

/** A configured duration the exact way: `0ms`, `250ms`, `5s`, `1.5s`, `2m`, `3h`, `30d`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${(ms / 1000).toFixed(1)}s`;
}
