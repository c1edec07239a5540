import { type AppSpec, CONFIG_SET_APPLIED_WORDS, maskSecrets, TARGET_MAX_CHARS } from '@velos/core';
import * as z from 'zod';
import { defineTool, detailField, invalidArgument } from '../tool-kit.js';

/** The config tools act on one app: its name or the id of one of its processes. */
const appField = z
  .string()
  .min(1)
  .max(TARGET_MAX_CHARS)
  .describe('One app: its name or the id of one of its processes');

/** config_get and config_set: an app's effective config, read as TOML and changed by config keys. */
export const CONFIG_TOOLS = [
  defineTool({
    name: 'config_get',
    title: 'Get app config',
    command: 'config.get',
    answer:
      'Answer: TOML as in velos.toml ([[apps]] keys: script, instances, env, max_memory …); brief leaves the defaults out, detail=full writes every key.',
    input: { target: appField, detail: detailField },
    run: async ({ target, detail }, { control }) =>
      // an agent's transcript is no place for secrets: secret-looking env values answer as ****
      toToml(maskSecrets(await control.configGet(target)), detail === 'full'),
  }),
  defineTool({
    name: 'config_set',
    title: 'Change app config',
    command: 'config.set',
    answer:
      'Answer: {set: the keys changed, unset: the keys removed (set to null), each only when it has keys, applied: how the app took them ("restarted": its processes were restarted, or a cluster app reloaded; "in place": no restart, the running processes follow them already; "scaled": instances added or removed, the others kept running; "not running": no process of it runs, its next start takes them), cfg: the new config without defaults}. A bad key or value changes nothing and names what was expected; so does an env value holding the **** config_get shows in place of a secret, as in velos config set and REST (set only the variables that change, env.KEY, which keeps the others).',
    input: {
      target: appField,
      changes: z
        .record(z.string(), z.unknown())
        .describe(
          'Config keys as in velos.toml, e.g. {"instances": 2, "max_memory": "200M", "env.LOG_LEVEL": "debug"}; a dotted key sets one key of a table (env.KEY, liveness_probe.timeout), while a whole table ({"env": {…}}) replaces it; null removes a key, back to its default ({"cron_restart": null})',
        ),
    },
    run: async ({ target, changes }, { control }) => {
      if (Object.keys(changes).length === 0)
        throw invalidArgument('changes: expected at least one config key');
      const { spec, applied } = await control.configSetResult(target, changes);
      const { specToCompactConfig } = await import('@velos/core/config');
      // null unsets its key, as velos config unset sends it: the answer names them apart, as its --ai does
      const unset = Object.keys(changes).filter((key) => changes[key] === null);
      const set = Object.keys(changes).filter((key) => changes[key] !== null);
      return {
        ...(set.length > 0 ? { set } : {}),
        ...(unset.length > 0 ? { unset } : {}),
        // a daemon from before configSetResult does not say
        ...(applied === undefined ? {} : { applied: CONFIG_SET_APPLIED_WORDS[applied] }),
        cfg: specToCompactConfig(maskSecrets(spec)),
      };
    },
  }),
];

async function toToml(spec: AppSpec, isFull: boolean): Promise<string> {
  const { formatConfigToml, specToCompactConfig, specToConfig } = await import('@velos/core/config');
  const entry = isFull ? specToConfig(spec) : specToCompactConfig(spec);
  const header: string[] = [];
  if (spec.source) header.push(`# from ${spec.source.file}`);
  const overrides = Object.keys(spec.source?.overrides ?? {});
  if (overrides.length > 0) header.push(`# set over the file: ${overrides.join(', ')}`);
  return [...header, (await formatConfigToml({ apps: [entry] })).trimEnd()].join('\n');
}
