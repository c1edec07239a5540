/**
 * What `promise` rejects with, once `isExpected` accepts it; fails the test when the promise resolves
 * or rejects with anything else. The check is a parameter, so this package needs none of core's types.
 * @example const error = await rejectionOf(client.stop('ghost'), isVelosError);
 */
export async function rejectionOf<T>(
  promise: Promise<unknown>,
  isExpected: (error: unknown) => error is T,
): Promise<T> {
  const outcome = await promise.then(
    (value: unknown) => ({ isRejected: false, value }),
    (error: unknown) => ({ isRejected: true, value: error }),
  );
  if (outcome.isRejected && isExpected(outcome.value)) return outcome.value;
  const what = isExpected.name === '' ? 'an expected error' : `an error that ${isExpected.name} accepts`;
  throw new Error(
    `expected a rejection with ${what}, got ${outcome.isRejected ? String(outcome.value) : `a resolved promise (${String(outcome.value)})`}`,
  );
}
