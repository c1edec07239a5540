import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';
import { argumentError, usageError } from '../parse-argv.js';

/**
 * `velos serve` (API-1…4): the REST/WebSocket API, the web dashboard and MCP over HTTP in the
 * foreground, against the daemon of this home (started when none runs), until SIGINT or SIGTERM.
 * fastify and its plugins load here only (`@velos/api` through `@velos/server/host`).
 */
export async function runServe(ctx: CommandContext, input: CommandInput): Promise<void> {
  if (ctx.mode === 'ai') throw usageError('--ai does not apply; --json prints {url, tokenFile}', 'serve');
  const host = await import('@velos/server/host');
  let settings: import('@velos/server/host').ServeSettings;
  let timeoutMs: ReturnType<typeof host.apiRequestTimeout>;
  // an action's bound reads its targets' kill_timeout and listen_timeout through the client made below
  let client: Awaited<ReturnType<CommandContext['client']>> | undefined;
  try {
    settings = host.parseServeSettings(input.options);
    timeoutMs = host.apiRequestTimeout(process.env, (target) => client!.describe(target));
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error), 'serve');
  }
  // the token file and TLS files are read before anything starts: a bad one leaves no daemon behind
  let files: import('@velos/server/host').ApiFiles;
  try {
    files = await host.readApiFiles(settings);
  } catch (error) {
    throw argumentError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  // the daemon starts now when none runs (a broken home fails here, not on the first request); after
  // that the API never starts one: after `velos kill` it answers 503 until a daemon runs again
  await (await ctx.client()).ping();
  // a stuck daemon (SIGSTOP, a busy loop) answers 504 after each command's bound, not a request held forever
  client = await ctx.client({ autoStart: false, timeoutMs });
  const api = await host.startApiHost({
    control: client,
    home: ctx.home,
    settings,
    files,
    log: (line) => process.stderr.write(`velos serve: ${line}\n`),
  });
  // listened for before the URL is printed: a SIGTERM sent as soon as it is seen stops the API cleanly
  // (a Ctrl-C while it still starts ends the command at once, as before)
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (ctx.mode === 'json') ctx.printJson({ url: api.url, tokenFile: api.tokenFile });
  else {
    const tokens = api.tokenFile === null ? 'no auth' : `tokens in ${api.tokenFile}`;
    process.stderr.write(`velos serve: serving ${api.url} (${tokens}; Ctrl-C to stop)\n`);
  }
  if (input.options['show-token'] === true && api.adminToken !== null) {
    process.stderr.write(`velos serve: admin token ${api.adminToken}\n`);
  }
  await stopped;
  await api.server.close();
}
