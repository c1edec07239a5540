import { createClient } from '@velos/client';
import { afterAll, describe, expect, it } from 'vitest';
import { createSupervisor } from '../../src/supervisor.js';
import { validatedControl } from '../../src/validated-control.js';
import { Harness } from '../helpers.js';
import { contractRecord, describeControlContract } from './control-contract.js';
import { shapeDifferences } from './shape.js';

const harness = new Harness();
afterAll(() => harness.cleanup());

const inProcess = contractRecord();
const overIpc = contractRecord();

describeControlContract(
  'in-process (the supervisor behind validatedControl)',
  async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    return { home, control: validatedControl(supervisor), close: () => supervisor.close() };
  },
  inProcess,
);

describeControlContract(
  'over IPC (@velos/client and a real daemon)',
  async () => {
    const home = harness.home();
    const { client: probe } = await harness.startDaemon(home);
    probe.close();
    const client = createClient({ home, timeoutMs: 30_000 });
    return { home, control: client, close: () => client.close() };
  },
  overIpc,
);

describe('VelosControl contract: both implementations', () => {
  it('answer every case with results of the same shape', () => {
    expect([...overIpc.shapes.keys()].sort()).toEqual([...inProcess.shapes.keys()].sort());
    for (const [label, shape] of inProcess.shapes) {
      expect(shapeDifferences(shape, overIpc.shapes.get(label)), label).toEqual([]);
    }
  });

  it('refuse the same calls with the same code and message', () => {
    expect(overIpc.errors.size).toBeGreaterThan(0);
    expect(Object.fromEntries(overIpc.errors)).toEqual(Object.fromEntries(inProcess.errors));
  });
});
