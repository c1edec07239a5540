import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { HOME_LAYOUT } from '@velos/core';
import { isPidAlive } from '../proc-scan.js';

/**
 * The pid of the daemon that `velos update` replaced on purpose (it wrote `run/handover.json` before
 * ending it), or null: no file, an unreadable one, or a pid still alive (the update did not end it).
 * The file is removed: it tells one daemon start only.
 */
export function takeHandover(home: string): number | null {
  const path = join(home, HOME_LAYOUT.handover);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    unlinkSync(path);
  } catch {
    // removed meanwhile
  }
  let pid: unknown;
  try {
    pid = (JSON.parse(text) as { pid?: unknown }).pid;
  } catch {
    return null;
  }
  return Number.isSafeInteger(pid) && (pid as number) > 0 && !isPidAlive(pid as number)
    ? (pid as number)
    : null;
}
