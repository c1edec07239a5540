/**
 * One of Node's own bindings (`process.binding(name)`: `pipe_wrap`, `stream_wrap`, `tty_wrap`), or null
 * when this Node does not give it out: `process.binding` gone or refused (the permission model), or a
 * deprecation warning it would print (`--pending-deprecation`), which would change what a command prints.
 * For the CLI's quick paths only (issue 17), each of which falls back to the public module when null.
 */
export function nodeBinding(name: string): Record<string, unknown> | null {
  if (isPendingDeprecation()) return null;
  const binding = (process as { binding?: (name: string) => unknown }).binding;
  if (typeof binding !== 'function') return null;
  try {
    const value = binding.call(process, name);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// DEP0111 (documentation-only) prints a warning for process.binding() with --pending-deprecation.
function isPendingDeprecation(): boolean {
  return (
    process.env.NODE_PENDING_DEPRECATION === '1' ||
    process.execArgv.includes('--pending-deprecation') ||
    (process.env.NODE_OPTIONS ?? '').includes('--pending-deprecation')
  );
}
