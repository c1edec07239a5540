import type { DeleteResult, VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { callTool } from './call-tool.js';
import { fakeProcess } from './fake-process.js';

/** A control whose delete answers `result`. */
function deleting(result: DeleteResult): VelosControl {
  return {
    deleteResult: async () => result,
    delete: async () => result.processes,
  } as unknown as VelosControl;
}

describe('process_delete', () => {
  it('answers a saved app that was never restored, which it dropped from the saved state, one row per id', async () => {
    const control = deleting({
      processes: [fakeProcess({ id: 0, name: 'a', status: 'stopped', pid: null })],
      forgotten: [{ name: 'b', ids: [1, 2] }],
    });
    const result = await callTool(control, 'process_delete', { target: 'all' });
    expect(result.isError, result.content[0]!.text).toBeFalsy();
    expect(JSON.parse(result.content[0]!.text)).toEqual([
      { i: 0, n: 'a', s: 'stopped', r: 0 },
      { i: 1, n: 'b', s: 'dropped' },
      { i: 2, n: 'b', s: 'dropped' },
    ]);
  });

  it('answers the deleted processes alone when no saved app was dropped', async () => {
    const control = deleting({ processes: [fakeProcess({ status: 'stopped', pid: null })] });
    const result = await callTool(control, 'process_delete', { target: 'api' });
    expect(JSON.parse(result.content[0]!.text)).toEqual([{ i: 0, n: 'api', s: 'stopped', r: 0 }]);
  });
});
