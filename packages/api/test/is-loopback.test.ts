import { describe, expect, it } from 'vitest';
import { isLoopback } from '../src/server.js';

describe('isLoopback', () => {
  it('is true only for addresses this machine alone reaches', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST'])
      expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '127.0.0.1.example.com'])
      expect(isLoopback(host), host).toBe(false);
  });
});
