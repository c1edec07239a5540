import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseServeSettings } from '../src/serve-settings.js';

describe('parseServeSettings', () => {
  it('defaults to 127.0.0.1:9716 with tokens, the dashboard and MCP', () => {
    expect(parseServeSettings({}, { cwd: '/srv' })).toEqual({
      host: '127.0.0.1',
      port: 9716,
      isAuthEnabled: true,
      tokenFile: null,
      tls: null,
      corsOrigins: [],
      rateLimitPerMinute: null,
      isDashboardEnabled: true,
      isMcpEnabled: true,
    });
  });

  it('reads every flag', () => {
    const settings = parseServeSettings(
      {
        port: '0',
        host: '0.0.0.0',
        'token-file': 'tokens',
        'tls-cert': 'c.pem',
        'tls-key': '/k.pem',
        cors: 'https://ops.example.com, http://localhost:5173',
        'rate-limit': '120/min',
        'no-dashboard': true,
        'no-mcp': true,
      },
      { cwd: '/srv' },
    );
    expect(settings).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      tokenFile: '/srv/tokens',
      tls: { certFile: '/srv/c.pem', keyFile: '/k.pem' },
      corsOrigins: ['https://ops.example.com', 'http://localhost:5173'],
      rateLimitPerMinute: 120,
      isDashboardEnabled: false,
      isMcpEnabled: false,
    });
  });

  it.each([
    [{ port: '65536' }, '--port: expected a TCP port 0-65535, got "65536"'],
    [{ port: '-1' }, '--port: expected a TCP port'],
    [{ host: 'a b' }, '--host: expected an IP address or a host name'],
    [{ 'no-auth': true, host: '0.0.0.0' }, '--no-auth is allowed on a loopback address only'],
    [{ 'no-auth': true, 'token-file': 't' }, '--no-auth and --token-file exclude each other'],
    [{ 'tls-cert': 'c.pem' }, '--tls-cert and --tls-key go together'],
    [{ 'rate-limit': '0' }, '--rate-limit: expected requests per minute'],
    [{ 'rate-limit': 'lots' }, '--rate-limit: expected requests per minute'],
    [{ cors: '*' }, '--cors: expected origins'],
    [{ cors: 'https://ops.example.com/' }, '--cors: expected origins'],
    [{ 'token-file': true }, '--token-file needs a value'],
  ])('refuses %j', (flags, message) => {
    expect(() => parseServeSettings(flags)).toThrow(message);
  });

  it('allows --no-auth on loopback addresses only', () => {
    expect(parseServeSettings({ 'no-auth': true, host: 'localhost' }).isAuthEnabled).toBe(false);
    expect(parseServeSettings({ 'no-auth': true, host: '::1' }).isAuthEnabled).toBe(false);
    expect(isLoopbackHost('127.0.0.2')).toBe(true);
    expect(isLoopbackHost('192.168.1.4')).toBe(false);
  });
});
