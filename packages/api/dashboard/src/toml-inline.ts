/**
 * A config value as velos.toml writes it inline: `"2s"`, `3`, `["a", "b"]`, and a table as
 * `{ interval = "2s", http = { url = "http://…" } }` (the config panel showed a probe as JSON:
 * `{"interval":"2s",…}`).
 */
export function inlineToml(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(inlineToml).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const pairs = Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `${/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k)} = ${inlineToml(v)}`);
    return pairs.length ? `{ ${pairs.join(', ')} }` : '{}';
  }
  return String(value);
}
