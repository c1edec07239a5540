/** A short reason for a failed network check: Node's own message (`connect ECONNREFUSED 127.0.0.1:3000`). */
export function describeNetError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // a host name with several addresses (localhost: ::1 and 127.0.0.1) fails with one error per address
    return [...new Set(error.errors.map(describeNetError))].join(', ');
  }
  if (error instanceof Error) {
    if (error.message) return error.message;
    const code = (error as NodeJS.ErrnoException).code;
    if (code) return code;
  }
  return String(error);
}
