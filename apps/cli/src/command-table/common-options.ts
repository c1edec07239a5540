import type { OptionSpec } from '../command-spec.js';

/** `--json`: the full JSON form of a command's answer. */
export const json: OptionSpec = { type: 'boolean', description: 'print full JSON' };

/** `--ai`: compact JSON with short keys (docs/ai-output.md). */
export const ai: OptionSpec = {
  type: 'boolean',
  description: 'print compact JSON with short keys, for AI agents',
};

/** `--show-secrets`: env values as they are (see `SECRETS`). */
export const showSecrets: OptionSpec = {
  type: 'boolean',
  description: 'print secret-looking env values as they are',
};

/** Help text: how secret-looking env values print. */
export const SECRETS =
  'Values of env variables named like secrets (TOKEN, SECRET, PASSWORD, KEY, AUTH…) and URL passwords\nprint as **** unless --show-secrets is given.';

/** Help text: what the target of a one-target command may be. */
export const TARGETS = 'A target is a process name, an id, a namespace, or "all".';

/** Help text: the target of describe, env and flush, which also take PM2's /regex/ of names. */
export const TARGETS_OR_REGEX =
  'A target is a process name, an id, a namespace, "all", or a /regex/ of names (the apps it matches).';

/** Help text: commands that take several targets also take PM2's /regex/ of names (the daemon's rule: `regex-targets.ts`). */
export const MANY_TARGETS =
  "Each target is a process name, an id, a namespace, \"all\", or a /regex/ of names\n(PM2's form: velos restart '/^api-/'). The targets are matched first, then each process is\nacted on once (velos delete api 0: 0 is one of api's processes).";
