import { describe, expect, it } from 'vitest';
import { isSecretKey, MASK, maskSecrets } from '../src/secret-mask.js';

describe('isSecretKey', () => {
  it('matches the secret words anywhere in the key, in any case', () => {
    for (const key of [
      'API_TOKEN',
      'github_token',
      'SECRET',
      'DB_PASSWORD',
      'PASSWD',
      'AWS_SECRET_ACCESS_KEY',
      'apiKey',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'AUTH_HEADER',
      'PRIVATE_PEM',
      'SENTRY_DSN',
    ])
      expect(isSecretKey(key), key).toBe(true);
    for (const key of ['PORT', 'NODE_ENV', 'PATH', 'HOME', 'LOG_LEVEL'])
      expect(isSecretKey(key), key).toBe(false);
  });
});

describe('maskSecrets', () => {
  it('masks env and ownEnv tables wherever they are, and URL passwords, leaving the rest', () => {
    const answer = {
      spec: {
        name: 'web',
        env: {
          API_TOKEN: 't',
          PORT: '80',
          DATABASE_URL: 'postgres://u:p4ss@db:5432/x',
          HOME_URL: 'https://example.com',
        },
        ownEnv: { SECRET: 's' },
        source: { overrides: { env: { PASSWORD: 'p' }, max_restarts: 3 } },
      },
      processes: [{ spec: { env: { token: 'x' } } }],
    };
    expect(maskSecrets(answer)).toEqual({
      spec: {
        name: 'web',
        env: {
          API_TOKEN: MASK,
          PORT: '80',
          DATABASE_URL: `postgres://u:${MASK}@db:5432/x`,
          HOME_URL: 'https://example.com',
        },
        ownEnv: { SECRET: MASK },
        source: { overrides: { env: { PASSWORD: MASK }, max_restarts: 3 } },
      },
      processes: [{ spec: { env: { token: MASK } } }],
    });
    expect(answer.spec.env.API_TOKEN).toBe('t');
  });
});
