import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/index.js';

describe('waitFor', () => {
  it('returns the first truthy value and treats a throw as "not yet"', async () => {
    let calls = 0;
    const value = await waitFor(() => {
      calls += 1;
      if (calls < 3) throw new Error('not ready');
      return calls === 3 ? { calls } : null;
    }, 'the third call');
    expect(value).toEqual({ calls: 3 });
  });

  it('names what it waited for, the time and the last error when the deadline passes', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('socket missing');
        },
        { what: 'the daemon to answer ping', timeoutMs: 50, intervalMs: 5 },
      ),
    ).rejects.toThrow('timed out after 50 ms waiting for the daemon to answer ping; last: socket missing');
  });

  it('accepts the older call shapes: (check, what, timeoutMs) and { message } read lazily', async () => {
    await expect(waitFor(() => 0, 'zero to turn truthy', 30)).rejects.toThrow(
      'timed out after 30 ms waiting for zero to turn truthy; last: 0',
    );
    let stderr = '';
    const failing = waitFor(() => false, { timeoutMs: 30, message: () => `a line; stderr: ${stderr}` });
    stderr = 'boom';
    await expect(failing).rejects.toThrow('waiting for a line; stderr: boom; last: false');
  });
});
