import { describe, expect, it } from 'vitest';
import { isSecretKey, MASK, maskAlertRule, maskEnv, maskSecrets } from '../src/secret-mask.js';

describe('isSecretKey', () => {
  it('matches the secret words of the key (split at _ - . and camelCase), in any case', () => {
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
      'OPENAI_APIKEY',
      'githubAuthToken',
      'X-Api-Key',
      'Authorization',
      'DB_PASS',
      'STRIPE_CLIENTSECRET',
      'SESSION_ID',
    ])
      expect(isSecretKey(key), key).toBe(true);
    // whole words only: a word that merely holds one (MONKEY, TOKENIZER) or a certificate's path is none
    for (const key of [
      'PORT',
      'NODE_ENV',
      'PATH',
      'HOME',
      'LOG_LEVEL',
      'MONKEY',
      'TOKENIZER_MODEL',
      'SSL_CERT_DIR',
      'SSL_CERT_FILE',
      'PIP_CERT',
      'KEYBOARD_LAYOUT',
      'PASSENGER_APP_ENV',
      'PWD',
    ])
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

  it('masks the whole password of a URL (an @ in it too) and of every URL in a value, and nothing else', () => {
    const env = {
      DATABASE_URL: 'postgres://app:p@ss:w0rd@db:5432/x',
      REDIS_NODES: 'redis://:a1@h1:6379,redis://:b2@h2:6379',
      JAVA_OPTS: '-Xmx1g -Ddb.url=postgres://u:pw9@h/db',
      PACKAGE: 'https://registry.example.com:8080/@scope/pkg',
      MAIL: 'user@example.com',
    };
    expect(maskEnv(env)).toEqual({
      DATABASE_URL: `postgres://app:${MASK}@db:5432/x`,
      REDIS_NODES: `redis://:${MASK}@h1:6379,redis://:${MASK}@h2:6379`,
      JAVA_OPTS: `-Xmx1g -Ddb.url=postgres://u:${MASK}@h/db`,
      PACKAGE: 'https://registry.example.com:8080/@scope/pkg',
      MAIL: 'user@example.com',
    });
  });

  it("masks a URL's user part alone when it is a token, never a user name", () => {
    const sentryKey = '0123456789abcdef0123456789abcdef';
    const env = {
      REPO: 'https://ghp_abc123XYZ@github.com/org/repo.git',
      GITLAB_REPO: 'https://glpat-x1Yz_abcdefgh@gitlab.com/g/p.git',
      FINE_GRAINED: 'git clone https://github_pat_11ABCD@github.com/o/r',
      SENTRY: `https://${sentryKey}@o1.ingest.sentry.io/42`,
      OPAQUE: 'https://Zk3vQ9xL2mN8pR4sT6uW@api.example.com/v1',
      GIT_SSH: 'ssh://git@github.com/org/repo.git',
      PG: 'postgres://postgres@localhost/db',
      MAILTO_LIKE: 'https://alice@example.com',
      DOTTED: 'ftp://first.last@files.example.com/',
      LONG_NAME: 'https://deployment-user-for-builds@ci.example.com/',
    };
    expect(maskEnv(env)).toEqual({
      ...env,
      REPO: `https://${MASK}@github.com/org/repo.git`,
      GITLAB_REPO: `https://${MASK}@gitlab.com/g/p.git`,
      FINE_GRAINED: `git clone https://${MASK}@github.com/o/r`,
      SENTRY: `https://${MASK}@o1.ingest.sentry.io/42`,
      OPAQUE: `https://${MASK}@api.example.com/v1`,
    });
    expect(maskSecrets({ url: 'https://ghp_abc123XYZ@github.com/' })).toEqual({
      url: `https://${MASK}@github.com/`,
    });
  });

  it("masks the secret parameters of a URL's query, not the others", () => {
    const env = {
      DATABASE_URL: 'postgresql://app@db:5432/app?sslmode=require&password=s3cr3t',
      JDBC: 'jdbc:mysql://db/app?user=app&password=pw1#frag',
      SIGNED:
        'https://b.s3.amazonaws.com/f?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abc123&X-Amz-Expires=60',
      HOOK: 'https://api.example.com/cb?access_token=t0k&page=2',
      SEARCH: 'https://example.com/search?q=velos&sort=desc',
    };
    expect(maskEnv(env)).toEqual({
      DATABASE_URL: `postgresql://app@db:5432/app?sslmode=require&password=${MASK}`,
      JDBC: `jdbc:mysql://db/app?user=app&password=${MASK}#frag`,
      SIGNED: `https://b.s3.amazonaws.com/f?X-Amz-Credential=${MASK}&X-Amz-Signature=${MASK}&X-Amz-Expires=60`,
      HOOK: `https://api.example.com/cb?access_token=${MASK}&page=2`,
      SEARCH: 'https://example.com/search?q=velos&sort=desc',
    });
    expect(maskSecrets({ url: 'http://127.0.0.1/health?token=t1' })).toEqual({
      url: `http://127.0.0.1/health?token=${MASK}`,
    });
  });

  it('masks secrets known by their shape in a variable of any name, and nothing else', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXNpZ24';
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1\n-----END RSA PRIVATE KEY-----';
    const env = {
      UPSTREAM: jwt,
      CALLBACK: `https://app.example.com/cb#id_token=${jwt}`,
      TLS: pem,
      TLS_ESCAPED: '-----BEGIN PRIVATE KEY-----\\nMIIEvQ\\n-----END PRIVATE KEY-----\\n',
      GH: 'ghp_0123456789abcdefABCDEF0123456789abcd',
      SLACK_BOT: 'xoxb-1234-5678-abcdefgh',
      STRIPE: 'sk_live_51Habcdefghijk',
      EXTRA_HEADERS: 'Accept: text/plain\nAuthorization: Bearer abc.def-ghi_123',
      CURL_OPTS: '-H "Authorization: Basic dXNlcjpwYXNzd29yZA=="',
      PROXY_HEADER: 'Bearer 0123456789abcdef',
      PUBLIC_CERT: '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----',
      PATH: '/usr/local/bin:/usr/bin:/bin',
      NODE_ENV: 'production',
      NODE_OPTIONS: '--enable-source-maps --max-old-space-size=4096',
      GREETING: 'Bearer of good news',
      VERSION: 'v1.2.3-eyJ',
    };
    expect(maskEnv(env)).toEqual({
      ...env,
      UPSTREAM: MASK,
      CALLBACK: `https://app.example.com/cb#id_token=${MASK}`,
      TLS: MASK,
      TLS_ESCAPED: `${MASK}\\n`,
      GH: MASK,
      SLACK_BOT: MASK,
      STRIPE: MASK,
      EXTRA_HEADERS: `Accept: text/plain\nAuthorization: Bearer ${MASK}`,
      CURL_OPTS: `-H "Authorization: Basic ${MASK}"`,
      PROXY_HEADER: `Bearer ${MASK}`,
    });
  });

  it("masks a webhook URL's path: a Slack, Discord or Teams one in any variable, any URL in a *WEBHOOK* one", () => {
    const env = {
      SLACK_URL: 'https://hooks.slack.com/services/T0001/B0002/XyZ123abc',
      NOTIFY: 'https://discord.com/api/webhooks/123456/tok-EN_value',
      TEAMS: 'https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/0123/xyz',
      DEPLOY_WEBHOOK_URL: 'https://ci.example.com/hooks/0f1e2d3c4b5a',
      alertWebhook: 'http://10.0.0.5:9000/notify?key=1',
      SLACK_CHANNEL: '#ops',
      DOCS_URL: 'https://example.com/docs/webhooks',
      WEBHOOK_PORT: '9000',
    };
    expect(maskEnv(env)).toEqual({
      ...env,
      SLACK_URL: `https://hooks.slack.com/${MASK}`,
      NOTIFY: `https://discord.com/api/webhooks/${MASK}`,
      TEAMS: `https://acme.webhook.office.com/${MASK}`,
      DEPLOY_WEBHOOK_URL: `https://ci.example.com/${MASK}`,
      alertWebhook: `http://10.0.0.5:9000/${MASK}`,
    });
  });

  it('masks the values of secret flags in a variable of options (JAVA_OPTS), not of the others', () => {
    const env = {
      JAVA_OPTS:
        '-Xmx1g -Dspring.datasource.password=s3cret -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.keyStore=/etc/ks.jks',
      EXTRA_ARGS: '--api-key abc123 --port 8080',
      NODE_OPTIONS: '--max-old-space-size=4096 --require ./tracing.js',
      RUNNER_FLAGS: '--password-file /run/secrets/pw --key-id 42',
    };
    expect(maskEnv(env)).toEqual({
      ...env,
      JAVA_OPTS: `-Xmx1g -Dspring.datasource.password=${MASK} -Djavax.net.ssl.trustStorePassword=${MASK} -Djavax.net.ssl.keyStore=/etc/ks.jks`,
      EXTRA_ARGS: `--api-key ${MASK} --port 8080`,
    });
  });

  it("masks MYSQL_PWD-like keys and the secret pairs of a connection string's value, not PWD itself", () => {
    const env = {
      MYSQL_PWD: 'm1',
      dbPwd: 'm2',
      PWD: '/srv/app',
      OLDPWD: '/srv',
      SQL: 'Server=db;Database=app;User Id=sa;Password="p;w0rd";Encrypt=true',
      ODBC: 'Driver={x};Uid=app;Pwd={odbc;1};',
      AZURE_STORAGE:
        'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=az+k==;EndpointSuffix=core.windows.net',
      NODE_OPTIONS: '--max-old-space-size=4096',
      GREETING: 'hello=world',
    };
    expect(maskEnv(env)).toEqual({
      MYSQL_PWD: MASK,
      dbPwd: MASK,
      PWD: '/srv/app',
      OLDPWD: '/srv',
      SQL: `Server=db;Database=app;User Id=sa;Password=${MASK};Encrypt=true`,
      ODBC: `Driver={x};Uid=app;Pwd=${MASK};`,
      AZURE_STORAGE: `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${MASK};EndpointSuffix=core.windows.net`,
      NODE_OPTIONS: '--max-old-space-size=4096',
      GREETING: 'hello=world',
    });
  });

  it("masks the values of secret flags in an app's args, its command and a command-line script", () => {
    const answer = {
      spec: {
        script: 'node server.js --db-password hunter22 --port 80',
        args: ['--password=p1', '--token', 't2', '-Ddb.password=p3', '--api-key=', '--verbose', 'serve'],
        interpreterArgs: ['--require', './trace.js'],
      },
      command: {
        file: '/bin/sh',
        args: ['-c', 'exec app --secret "a b" --url postgres://u:pw@db/x --log-level debug'],
      },
      config: {
        args: '--auth-token=t4 --password-file /run/secrets/db --no-auth --key-length 2048 --keyboard us',
      },
    };
    expect(maskSecrets(answer)).toEqual({
      spec: {
        script: `node server.js --db-password ${MASK} --port 80`,
        args: [
          '--password=****',
          '--token',
          MASK,
          `-Ddb.password=${MASK}`,
          '--api-key=',
          '--verbose',
          'serve',
        ],
        interpreterArgs: ['--require', './trace.js'],
      },
      command: {
        file: '/bin/sh',
        args: ['-c', `exec app --secret ${MASK} --url postgres://u:${MASK}@db/x --log-level debug`],
      },
      config: {
        args: `--auth-token=${MASK} --password-file /run/secrets/db --no-auth --key-length 2048 --keyboard us`,
      },
    });
  });

  it("masks the secrets of an exec probe's command, in a spec and as a config file writes it", () => {
    const answer = {
      livenessProbe: {
        kind: 'exec',
        command: "curl -fsS -H 'Authorization: Bearer abcdef123456' http://127.0.0.1/h",
      },
      readiness_probe: { exec: 'pg_isready -d postgres://app:pw1@db/app', interval: '5s' },
      startup: { exec: 'test -f /tmp/ready' },
    };
    expect(maskSecrets(answer)).toEqual({
      livenessProbe: {
        kind: 'exec',
        command: `curl -fsS -H 'Authorization: Bearer ${MASK}' http://127.0.0.1/h`,
      },
      readiness_probe: { exec: `pg_isready -d postgres://app:${MASK}@db/app`, interval: '5s' },
      startup: { exec: 'test -f /tmp/ready' },
    });
  });

  it("masks a probe's secret headers and its URL's password, in a spec and as a config file writes it", () => {
    const answer = {
      livenessProbe: {
        kind: 'http',
        url: 'http://probe:pw@127.0.0.1:3000/health',
        headers: { authorization: 'Bearer t0ken', 'x-api-key': 'k', accept: 'text/plain' },
      },
      readiness_probe: { http: 'https://u:pw@api.local/ready', interval: '2s' },
      liveness_probe: { http: { url: 'http://127.0.0.1/h', headers: { cookie: 'session=1' } } },
    };
    expect(maskSecrets(answer)).toEqual({
      livenessProbe: {
        kind: 'http',
        url: `http://probe:${MASK}@127.0.0.1:3000/health`,
        headers: { authorization: MASK, 'x-api-key': MASK, accept: 'text/plain' },
      },
      readiness_probe: { http: `https://u:${MASK}@api.local/ready`, interval: '2s' },
      liveness_probe: { http: { url: 'http://127.0.0.1/h', headers: { cookie: MASK } } },
    });
  });
});

describe('maskAlertRule', () => {
  it("keeps only a webhook URL's origin and masks secret headers, the escalation's too", () => {
    const webhook = { type: 'webhook' as const, timeoutMs: 1, retries: 0, backoffMs: 1 };
    const rule = maskAlertRule({
      name: 'r',
      when: { kind: 'errored' },
      severity: 'warning',
      forMs: 0,
      resolveAfterMs: 1,
      source: 'runtime',
      channels: [
        {
          ...webhook,
          url: 'https://hooks.slack.com/services/T/B/x',
          headers: { Authorization: 'a', 'X-Team': 'ops' },
        },
        { ...webhook, url: 'https://u:p@alerts.example.com/' },
        { ...webhook, url: 'http://127.0.0.1:9000/' },
        { type: 'command', command: ['/bin/notify'], timeoutMs: 1 },
      ],
      escalation: { afterRepeats: 1, channels: [{ ...webhook, url: 'https://x.example/hook?key=1' }] },
    });
    expect(rule.channels.map((c) => (c.type === 'webhook' ? c.url : c.command[0]))).toEqual([
      `https://hooks.slack.com/${MASK}`,
      `https://alerts.example.com/${MASK}`,
      'http://127.0.0.1:9000/',
      '/bin/notify',
    ]);
    expect(rule.channels[0]).toMatchObject({ headers: { Authorization: MASK, 'X-Team': 'ops' } });
    expect(rule.escalation?.channels[0]).toMatchObject({ url: `https://x.example/${MASK}` });
  });
});
