import { describe, expect, it } from 'vitest';
import { createColors } from '../src/output/colors.js';
import { renderProcessDetails } from '../src/output/process-detail.js';
import { processDetail } from './sample-processes.js';

describe('velos describe: custom metrics (OBS-6)', () => {
  it("shows an app's label value with control characters as \\xHH, never as terminal escapes", () => {
    const detail = {
      ...processDetail(),
      custom: [
        {
          name: 'orders',
          type: 'counter' as const,
          labels: { route: 'a\u001b[31mred\u0007' },
          value: 3,
          updatedAt: 0,
        },
      ],
    };
    const text = renderProcessDetails([detail], createColors(false));
    expect(text).toContain('orders_total{route="a\\x1b[31mred\\x07"}  3');
    expect(text).not.toMatch(/[\u001b\u0007]/);
  });
});
