import { ErrorCodes, VelosError } from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';
import { usageError } from '../parse-argv.js';

/**
 * `velos metrics` (OBS-1): prints the Prometheus exposition of the daemon (the apps' `metrics_url`
 * included), `--json` the snapshot, `--ai` a summary; with `--port` serves `/metrics` in the
 * foreground until SIGINT or SIGTERM. prom-client loads here only, never for other commands.
 */
export async function runMetrics(ctx: CommandContext, input: CommandInput): Promise<void> {
  const port = parsePort(input.options.port);
  const host = input.options.host;
  if (typeof host === 'string' && port === undefined) throw usageError('--host needs --port', 'metrics');
  if (port !== undefined && ctx.mode !== 'text')
    throw usageError('--port serves the exposition: no --json or --ai', 'metrics');
  // serving: the daemon starts for the first connection only; after a `velos kill` a scrape gets 503, it
  // does not start the daemon (and its apps) again
  const client = await ctx.client(port === undefined ? {} : { autoStart: 'once' });
  if (port !== undefined) {
    const { createMetricsServer } = await import('@velos/metrics/server');
    const server = await createMetricsServer({
      control: client,
      port,
      ...(typeof host === 'string' ? { host } : {}),
    }).catch((error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      throw new VelosError(ErrorCodes.IO_ERROR, `cannot serve /metrics on port ${port}: ${why}`, {
        cause: error,
      });
    });
    process.stderr.write(`velos metrics: serving ${server.url} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return;
  }
  if (ctx.mode === 'json') {
    ctx.printJson(await client.metrics());
    return;
  }
  if (ctx.mode === 'ai') {
    ctx.printJson((await import('@velos/core/ai')).toAiMetrics(await client.metrics()));
    return;
  }
  const metrics = await import('@velos/metrics');
  process.stdout.write(await metrics.createExpositionCollector(client)());
}

function parsePort(raw: string | boolean | undefined): number | undefined {
  if (raw === undefined || raw === false) return undefined;
  const port = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || port > 65_535) {
    throw usageError(`--port: expected a TCP port 0-65535, got ${JSON.stringify(raw)}`, 'metrics');
  }
  return port;
}
