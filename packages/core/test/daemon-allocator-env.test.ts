import { describe, expect, it } from 'vitest';
import {
  ALLOCATOR_TUNED_MARK,
  forgetDaemonAllocatorEnv,
  withDaemonAllocatorEnv,
} from '../src/daemon-allocator-env.js';

describe('the daemon allocator environment', () => {
  it('adds the mmap threshold and the mark to a copy of the environment', () => {
    const env = { PATH: '/bin' };
    expect(withDaemonAllocatorEnv(env)).toEqual({
      PATH: '/bin',
      MALLOC_MMAP_THRESHOLD_: '16384',
      [ALLOCATOR_TUNED_MARK]: '1',
    });
    expect(env).toEqual({ PATH: '/bin' });
  });

  it("leaves a user's own malloc tuning alone", () => {
    expect(withDaemonAllocatorEnv({ MALLOC_MMAP_THRESHOLD_: '65536' })).toEqual({
      MALLOC_MMAP_THRESHOLD_: '65536',
    });
    expect(withDaemonAllocatorEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toEqual({
      GLIBC_TUNABLES: 'glibc.malloc.arena_max=2',
    });
  });

  it('forgets only what the launcher added', () => {
    const tuned = withDaemonAllocatorEnv({ PATH: '/bin' });
    forgetDaemonAllocatorEnv(tuned);
    expect(tuned).toEqual({ PATH: '/bin' });
    const own = { MALLOC_MMAP_THRESHOLD_: '65536' };
    forgetDaemonAllocatorEnv(own);
    expect(own).toEqual({ MALLOC_MMAP_THRESHOLD_: '65536' });
  });
});
