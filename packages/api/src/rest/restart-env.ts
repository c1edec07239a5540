import { fieldError, findOwnEnvOverride } from '@velos/core';
import type { RequestParts, RouteContext } from './route-types.js';

/**
 * The payload of `POST /processes/:target/restart` and `/reload`: with `env`, the API server's
 * environment with those variables over it becomes what the apps inherit, as `velos restart
 * --update-env` sends its shell's (the variables alone replaced it all: the app ran without PATH or
 * HOME). A variable an app's own env sets to another value would keep that value, so it is refused
 * first, naming the config route that changes it.
 */
export async function restartPayload(
  { params, body }: RequestParts,
  ctx: RouteContext,
): Promise<Record<string, unknown>> {
  const env = body.env;
  if (env === undefined) return { target: params.target };
  // anything else is for the command's schema to refuse, naming what it got
  if (!isStringRecord(env)) return { target: params.target, env };
  await refuseOwnEnvChanges(params.target ?? '', env, ctx);
  return { target: params.target, env: { ...ctx.start.env, ...env } };
}

async function refuseOwnEnvChanges(
  target: string,
  env: Record<string, string>,
  ctx: RouteContext,
): Promise<void> {
  const override = await findOwnEnvOverride(ctx.control, target, env);
  if (override === null) return;
  const { name, key } = override;
  const changes = JSON.stringify({ changes: { [`env.${key}`]: env[key] } });
  throw fieldError(
    `env.${key}`,
    `${name} sets it in its own env, which wins over a restart's: change it with PUT /api/v1/config/${name} ${changes}`,
  );
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((each) => typeof each === 'string');
}
