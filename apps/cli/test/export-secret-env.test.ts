import { maskEnv } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { secretKeys, splitSecretEnv } from '../src/export/secret-env.js';

describe('export: which env values go to the secrets file', () => {
  it('takes the values display masking hides, webhook URLs by their shape included', () => {
    const env: Record<string, string> = {
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX',
      NOTIFY: 'https://discord.com/api/webhooks/123/abcdef',
      ALERT_HOOK_WEBHOOK: 'https://example.com/hook/abc123',
      HOMEPAGE: 'https://example.com/docs',
      MODE: 'prod',
    };
    const masked = maskEnv(env);
    // one rule: core's masking decides, the export does not keep a list of its own
    expect(secretKeys(env)).toEqual(Object.keys(env).filter((key) => masked[key] !== env[key]));
    const split = splitSecretEnv(env);
    expect(Object.keys(split.moved)).toEqual(['SLACK_WEBHOOK_URL', 'NOTIFY', 'ALERT_HOOK_WEBHOOK']);
    expect(split.plain).toEqual({ HOMEPAGE: 'https://example.com/docs', MODE: 'prod' });
    expect(split.kept).toEqual([]);
  });
});
