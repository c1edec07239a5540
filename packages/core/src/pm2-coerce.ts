/** A value of a PM2 file that PM2 reads as another, and what Velos then says of it. */
export interface Pm2Coercion {
  value: unknown;
  /** The warning's end: `"0" read as 0, as PM2 turns a numeric text into the number`. */
  note: string;
}

/**
 * A PM2 file's value that PM2 reads other than as written, read as PM2 reads it: `stop_exit_codes:
 * "0"` (PM2's schema parses a numeric text of a number-typed key) is 0, and `instances: "MAX"` (PM2
 * parses any text but "max" as a number, and NaN as 0: one per CPU) is "max"; `null` for any other.
 * Values PM2 refuses (`autorestart: "false"`, `exec_mode: "Cluster"`) are left for the schema to refuse.
 */
export function pm2Coercion(key: string, value: unknown): Pm2Coercion | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (key === 'stop_exit_codes' && /^\d+$/.test(text)) {
    return {
      value: Number(text),
      note: `${JSON.stringify(value)} read as ${Number(text)}, as PM2 reads a number written as text`,
    };
  }
  if (key === 'instances' && value !== 'max' && text.toLowerCase() === 'max') {
    return { value: 'max', note: `${JSON.stringify(value)} read as "max" (one per CPU), as PM2 runs it` };
  }
  return null;
}
