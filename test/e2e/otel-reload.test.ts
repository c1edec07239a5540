import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { busEvents, cleanupHomes, createHome, FIXTURES, velosOk, waitFor } from './helpers.js';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  await cleanupHomes();
  for (const receiver of receivers.splice(0)) await receiver.close();
});

describe('velos config reload says what the OTLP export did (OBS-5)', () => {
  it('prints the export started and stopped, as it does for the metrics port', async () => {
    const home = createHome();
    const otlp = await startOtlpReceiver();
    receivers.push(otlp);
    await velosOk(['start', join(FIXTURES, 'ticker.js'), '--name', 'otapp'], { home });
    const config = join(home, 'config.toml');

    writeFileSync(config, `[metrics.otlp]\nendpoint = "${otlp.endpoint}"\ninterval = "1s"\n`);
    const started = (await velosOk(['config', 'reload'], { home })).stdout;
    expect(started).toContain('config.toml: changed [metrics]');
    expect(started).toContain(
      `  otlp: exporting metrics to ${otlp.endpoint}/v1/metrics every 1000 ms, spans to ${otlp.endpoint}/v1/traces`,
    );
    // OBS-2 "config reloaded": on the bus, as a linked file's reload
    const applied = (await busEvents(home, ['config.applied'])).at(-1);
    expect(applied).toMatchObject({
      severity: 'info',
      message: `${config}: changed [metrics]`,
      fields: { file: config, sections: 'metrics', failed: 0 },
    });
    await waitFor(() => otlp.points().find((p) => p.name === 'velos_process_memory_bytes'), {
      message: 'metrics at the endpoint',
    });

    // the same settings again: the export goes on, nothing to say about it
    const same = (await velosOk(['config', 'reload'], { home })).stdout;
    expect(same).not.toContain('otlp:');

    writeFileSync(config, '[defaults]\nkill_timeout = "3s"\n');
    const stopped = (await velosOk(['config', 'reload', '--json'], { home })).stdout;
    expect(stopped).toContain(
      'otlp: export stopped (no endpoint in [metrics.otlp] or OTEL_EXPORTER_OTLP_*ENDPOINT)',
    );

    // a password in the endpoint stays out of what is printed and logged
    writeFileSync(config, `[metrics.otlp]\nendpoint = "${otlp.endpoint.replace('://', '://me:s3cret@')}"\n`);
    const secret = (await velosOk(['config', 'reload'], { home })).stdout;
    expect(secret).toContain('otlp: exporting metrics to http://me:***@');
    expect(secret).not.toContain('s3cret');
    expect(readFileSync(join(home, 'daemon.log'), 'utf8')).not.toContain('s3cret');

    // [otel] is no table of Velos: the reload says so where the user looks, not only in daemon.log
    writeFileSync(config, `[otel]\nendpoint = "${otlp.endpoint}"\n`);
    const otel = (await velosOk(['config', 'reload'], { home })).stdout;
    expect(otel).toContain(
      '  warning: config.toml: unknown section [otel] (did you mean [metrics.otlp]?): kept, not used by this version',
    );
  });
});
