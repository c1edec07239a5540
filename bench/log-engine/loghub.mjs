// Loads labelled loghub 2k samples: ../shared/loghub_2k (beside the repo) by default, or the directory given
// with `--data <dir>` (or VELOS_LOGHUB_DIR), e.g. held-out samples kept outside the repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataFlag = process.argv.indexOf('--data');
const dataArg = dataFlag >= 0 ? process.argv[dataFlag + 1] : process.env.VELOS_LOGHUB_DIR;
export const LOGHUB_DIR = dataArg ? resolve(dataArg) : resolve(REPO_ROOT, '../shared/loghub_2k');
/** Every `<Name>/<Name>_2k.log_structured.csv` in the data directory, in name order. */
export const DATASETS = existsSync(LOGHUB_DIR)
  ? readdirSync(LOGHUB_DIR, { withFileTypes: true })
      .filter(
        (d) => d.isDirectory() && existsSync(join(LOGHUB_DIR, d.name, `${d.name}_2k.log_structured.csv`)),
      )
      .map((d) => d.name)
      .sort()
  : [];
export const DIST = join(REPO_ROOT, 'packages/log-engine/dist');

/** Exits with a clear message when the samples or the build are missing. */
export function requireInputs() {
  if (DATASETS.length === 0) {
    console.log(
      `skipped: no <Name>/<Name>_2k.log_structured.csv under ${LOGHUB_DIR} (pass --data <dir>, or keep the samples in ../shared/loghub_2k)`,
    );
    process.exit(0);
  }
  if (!existsSync(join(DIST, 'index.js'))) {
    console.error('packages/log-engine/dist is missing: run `pnpm --filter @velos/log-engine build` first');
    process.exit(1);
  }
}

/** Rows of `<name>_2k.log_structured.csv`: `{ content, eventId, template }`. */
export function loadDataset(name) {
  const rows = parseCsv(readFileSync(join(LOGHUB_DIR, name, `${name}_2k.log_structured.csv`), 'utf8'));
  const header = rows[0];
  const content = header.indexOf('Content');
  const event = header.indexOf('EventId');
  const template = header.indexOf('EventTemplate');
  return rows
    .slice(1)
    .filter((row) => row.length === header.length)
    .map((row) => ({ content: row[content], eventId: row[event], template: row[template] }));
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Grouping accuracy (loghub/logparser): a line counts as right only when its predicted group holds
 * exactly the lines of its true event.
 */
export function groupingAccuracy(predicted, truth) {
  const groups = new Map();
  predicted.forEach((p, i) => {
    const list = groups.get(p);
    if (list) list.push(i);
    else groups.set(p, [i]);
  });
  const eventSizes = new Map();
  for (const t of truth) eventSizes.set(t, (eventSizes.get(t) ?? 0) + 1);
  let correct = 0;
  for (const lines of groups.values()) {
    const event = truth[lines[0]];
    if (lines.every((i) => truth[i] === event) && eventSizes.get(event) === lines.length)
      correct += lines.length;
  }
  return correct / truth.length;
}
