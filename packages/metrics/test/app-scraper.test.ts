import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppScraper, renderPrometheus } from '../src/index.js';
import { sampleProcess, sampleSnapshot } from './sample-snapshot.js';

const servers: Server[] = [];
afterEach(async () => {
  const open = servers.splice(0);
  const closing = open.map((server) => new Promise((resolve) => server.close(resolve)));
  for (const server of open) server.closeAllConnections();
  await Promise.all(closing);
});

/** A local app answering /metrics with `handler`; returns its URL. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe('createAppScraper', () => {
  it('parses a good endpoint and counts each kind of failure, per process, across scrapes', async () => {
    const good = await serve((_, res) => res.end('# TYPE hits_total counter\nhits_total 4\n'));
    const failing = await serve((_, res) => res.writeHead(500).end());
    const huge = await serve((_, res) => res.end(`x ${'1'.repeat(5000)}\n`));
    const slow = await serve(() => undefined);
    const malformed = await serve((_, res) => res.end('hits_total{ 4\n'));
    const urls = [good, failing, huge, slow, malformed];
    const processes = urls.map((metricsUrl, id) => sampleProcess(id, { metricsUrl }));
    processes.push(sampleProcess(9, { metricsUrl: good, status: 'stopped' }));
    const scraper = createAppScraper({ timeoutMs: 1500, maxBytes: 1000 });
    await scraper.scrape(processes);
    const results = await scraper.scrape(processes);
    expect(results.map((r) => [r.process.id, r.isUp, r.errorsTotal])).toEqual([
      [0, true, 0],
      [1, false, 2],
      [2, false, 2],
      [3, false, 2],
      [4, false, 2],
    ]);
    expect(results[0]!.families[0]).toMatchObject({ name: 'hits_total', type: 'counter' });
    expect(results[1]!.error).toBe('HTTP 500');
    expect(results[2]!.error).toContain('over the limit');
    expect(results[4]!.error).toContain('line 1');
  });

  it("fetches a URL an app's instances share once for the app, labelled with the app and no instance", async () => {
    let hits = 0;
    const shared = await serve((_, res) => {
      hits += 1;
      res.end('# TYPE hits_total counter\nhits_total 4\n');
    });
    const own = await serve((_, res) => res.end('# TYPE hits_total counter\nhits_total 1\n'));
    const worker = (id: number, instance: number, status: 'online' | 'stopped' = 'online') =>
      sampleProcess(id, { name: 'web', instance, status, metricsUrl: shared });
    const processes = [
      worker(0, 0, 'stopped'),
      worker(1, 1),
      worker(2, 2),
      sampleProcess(3, { name: 'api', metricsUrl: own }),
    ];
    const results = await createAppScraper().scrape(processes);
    expect(hits).toBe(1);
    expect(results.map((r) => [r.process.name, r.process.id, r.shared ?? false])).toEqual([
      ['web', 1, true],
      ['api', 3, false],
    ]);
    const text = await renderPrometheus(sampleSnapshot(0), results);
    expect(text).toContain('hits_total{name="web",namespace="default"} 4\n');
    expect(text).toContain('velos_app_scrape_up{name="web",namespace="default"} 1\n');
    expect(text).toContain('hits_total{name="api",id="3",instance="0",namespace="default"} 1\n');
    expect(text).not.toMatch(/name="web",id=/);
  });
});
