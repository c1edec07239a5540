import { formatBytes, type ProcessInfo } from '@velos/core';
import { isSampled } from '@velos/core/ai';
import { Text } from 'ink';
import { memo } from 'react';
import { displayWidth } from '../output/display-width.js';
import { eventTime } from '../output/events.js';
import { jobSummary } from '../output/process-list.js';
import { formatCpu } from '../output/units.js';
import { cpuSparkline, fit, fitLine, SPARKLINE_WIDTHS, screenSafe, sparkline } from './format.js';
import type { MonitData } from './monit-store.js';

/** The line under the table: the selected process's CPU and memory sparklines from its history. */
export const SelectedPanel = memo(function SelectedPanel(props: {
  process: ProcessInfo | null;
  history: MonitData['history'];
  width: number;
}) {
  const { process: p, history, width } = props;
  if (!p) return <Text dimColor>no process selected</Text>;
  const label = fit(screenSafe(`${p.name}#${p.instance}`), 14);
  // a job between runs: its runs and when the next one starts (a time, not a countdown: the row may not change for a while)
  if (p.job && p.pid === null) return <JobLine label={label} job={p.job} />;
  const sparkWidth = Math.max(
    SPARKLINE_WIDTHS.min,
    Math.min(SPARKLINE_WIDTHS.max, Math.floor((width - 44) / 2)),
  );
  if (!history || history.target !== String(p.id)) {
    return (
      <Text wrap="truncate">
        <Text bold>{label}</Text>
        <Text dimColor> history loading…</Text>
      </Text>
    );
  }
  if (history.error !== null && history.cpu.length === 0) {
    return (
      <Text wrap="truncate">
        <Text bold>{label}</Text>
        <Text dimColor>
          {fitLine(` history unavailable (${screenSafe(history.error)})`, width - displayWidth(label))}
        </Text>
      </Text>
    );
  }
  // a process not running, or not measured yet in this run (a crash loop's runs may never be), has no
  // figures now (its last ones are in the sparklines): `-` as in the table, not 0.0% and 0B
  const isRunning = isSampled(p);
  return (
    <Text wrap="truncate">
      <Text bold>{label}</Text>
      <Text dimColor> cpu </Text>
      <Text color="green">{fit(cpuSparkline(history.cpu, sparkWidth), sparkWidth)}</Text>
      <Text> {fit(isRunning ? formatCpu(p.cpu) : '-', 6, 'right')}</Text>
      <Text dimColor> mem </Text>
      <Text color="blue">{fit(sparkline(history.memory, sparkWidth), sparkWidth)}</Text>
      <Text> {fit(isRunning ? formatBytes(p.memory) : '-', 8, 'right')}</Text>
    </Text>
  );
});

/** A job between its runs: `3 runs, last ok · next run 03:00:00` (the date too when not today; none when stopped). */
function JobLine(props: { label: string; job: NonNullable<ProcessInfo['job']> }) {
  const { label, job } = props;
  return (
    <Text wrap="truncate">
      <Text bold>{label}</Text>
      <Text> {jobSummary({ ...job, nextRunAt: null }, Date.now())}</Text>
      {job.nextRunAt === null ? null : (
        <>
          <Text dimColor> · </Text>
          <Text>next run {eventTime(job.nextRunAt)}</Text>
        </>
      )}
    </Text>
  );
}
