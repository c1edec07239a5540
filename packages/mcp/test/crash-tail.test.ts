import { describe, expect, it } from 'vitest';
import { crashTail } from '../src/crash-tail.js';

// what Node 20 writes to stderr when a server's port is taken (node -e "… listen(45999) twice")
const EADDRINUSE = `node:events:502
      throw er; // Unhandled 'error' event
      ^

Error: listen EADDRINUSE: address already in use 127.0.0.1:45999
    at Server.setupListenHandle [as _listen2] (node:net:1908:16)
    at listenInCluster (node:net:1965:12)
    at doListen (node:net:2139:7)
    at process.processTicksAndRejections (node:internal/process/task_queues:83:21)
Emitted 'error' event on Server instance at:
    at emitErrorNT (node:net:1944:8)
    at process.processTicksAndRejections (node:internal/process/task_queues:82:21) {
  code: 'EADDRINUSE',
  errno: -98,
  syscall: 'listen',
  address: '127.0.0.1',
  port: 45999
}

Node.js v20.20.2`.split('\n');

describe('crashTail', () => {
  it("starts at Node's error message when the stack and the error's fields push it out of the last lines", () => {
    expect(crashTail(EADDRINUSE)).toEqual([
      'Error: listen EADDRINUSE: address already in use 127.0.0.1:45999',
      '    at Server.setupListenHandle [as _listen2] (node:net:1908:16)',
      "Emitted 'error' event on Server instance at:",
      "  code: 'EADDRINUSE',",
      '  errno: -98,',
    ]);
  });

  it('is the last lines when the message is among them (a Python traceback) or there is none', () => {
    const python = [
      'Traceback (most recent call last):',
      '  File "/srv/app.py", line 3, in <module>',
      '    main()',
      '  File "/srv/app.py", line 2, in main',
      '    raise ValueError("boom")',
      'ValueError: boom',
    ];
    expect(crashTail(python)).toEqual(python.slice(-5));
    expect(crashTail(['starting', 'crashing with exit code 3'])).toEqual([
      'starting',
      'crashing with exit code 3',
    ]);
  });

  it('cuts a long line', () => {
    expect(crashTail(['x'.repeat(1000)])[0]).toHaveLength(300);
  });
});
