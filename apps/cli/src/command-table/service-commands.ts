import type { CommandInput, CommandSpec } from '../command-spec.js';
import { ai, json } from './common-options.js';

/** Velos as a service of the host and beyond it: update, daemon, export, startup, unstartup. */
export const SERVICE_COMMANDS: CommandSpec[] = [
  {
    name: 'update',
    aliases: ['updatePM2'],
    minArgs: 0,
    maxArgs: 0,
    summary: 'replace the daemon with one of this velos version; the apps keep running',
    details: [
      "Run it after installing a new velos. The old daemon stops reading the apps' output and writes",
      'what it read (what they write meanwhile waits for the new daemon: no line is lost), and is',
      'ended without stopping anything; the new one re-adopts what it ran: services (fork and cluster',
      'mode) and job runs in progress keep running with the same pids. A daemon run by the systemd',
      'unit of velos startup (velos daemon --foreground) is started again by systemd, which update',
      'waits for.',
      'The new daemon runs on the Node that runs this command; the apps move onto it when started',
      'again: a fork app at its next restart, cluster workers at their next reload or restart, a',
      'cluster primary when its app is stopped and started. It keeps the time zone of the old daemon',
      '(its TZ), in which cron expressions are read, whatever the TZ of this shell.',
    ].join('\n'),
    options: { json, ai },
    run: async (ctx) => (await import('../commands/update.js')).runUpdate(ctx),
  },
  {
    name: 'daemon',
    minArgs: 0,
    maxArgs: 0,
    hidden: true,
    summary: 'run the daemon in the foreground (the CLI starts it on demand)',
    details: 'Under systemd (NOTIFY_SOCKET set) it reports READY=1 once it listens, and STOPPING=1.',
    options: {
      foreground: {
        type: 'boolean',
        description: 'also write the daemon log to stderr (for systemd, launchd, containers)',
      },
    },
    run: async (ctx, input) =>
      (await import('../commands/daemon.js')).runDaemon(ctx, {
        foreground: input.options.foreground === true,
      }),
  },
  {
    name: 'export',
    argsUsage: '<systemd|compose|kubernetes> <config>|--running',
    completes: [['systemd', 'compose', 'kubernetes'], 'file'],
    shortArgsUsage: '<target> <config>|--running',
    minArgs: 1,
    maxArgs: 2,
    summary: 'translate a config file into systemd units, a Compose file or Kubernetes manifests',
    details: [
      "No daemon is needed: the config (.toml, .yaml, .json, or PM2's ecosystem.config.js, run here as",
      "`velos start` runs it) is read and translated; a PM2 file's unknown options are warnings on stderr.",
      'With --running instead of a config, the apps the daemon runs are exported as it runs them',
      '(started by hand, by velos import pm2…), a stopped one as autostart = false (not started at boot);',
      'no daemon running is an error, none is started.',
      'Without --out the files are printed (several behind `### <file>` lines); with --out they are',
      'written to that dir, replacing files of the same names.',
      'systemd: <app>.service (<app>-<i>.service per instance, grouped by <app>.target), a .timer for a',
      '  job and for cron_restart. compose: compose.yaml. kubernetes: kubernetes.yaml with a Deployment',
      '  per app (a Service when a probe or a whole PORT in its env gives a port), a CronJob per job',
      '  (a Job for a one-shot job).',
      'What the target cannot carry over (watch, the log engine, the inactivity watchdog, log rotation…)',
      "is listed on stderr and in each file's header with what to use instead. An option that changes",
      'what the app does and has no equivalent is an error naming each app and option, unless --lossy.',
      'Env values that look secret (API_KEY, …_TOKEN, a URL with a password) go to a file of their own,',
      'mode 0600 with --out: <app>.env (systemd EnvironmentFile=%E/velos/<app>.env, Compose env_file) or',
      'kubernetes-secrets.yaml (a Secret per app); a value with a quote or line break stays, with a warning,',
      'as does a secret in a command or probe (--token <value>), its file then mode 0600 too.',
      'See docs/beyond-one-machine.md.',
    ].join('\n'),
    options: {
      out: { type: 'string', value: 'dir', description: 'write the files into dir instead of printing them' },
      running: { type: 'boolean', description: 'export the apps the daemon runs, not a config file' },
      lossy: {
        type: 'boolean',
        description: 'export what the target cannot express as warnings, not errors',
      },
      image: {
        type: 'string',
        value: 'ref',
        description: 'compose/kubernetes: the image every app runs in; {name} stands for the app name',
      },
      build: {
        type: 'string',
        value: 'dir',
        description: "compose: build every image from dir (default: each app's directory)",
      },
      namespace: { type: 'string', value: 'ns', description: 'kubernetes: the namespace of every object' },
      env: { type: 'string', value: 'profile', description: "merge each app's env_<profile> over its env" },
    },
    dashHint: () => '',
    run: async (ctx, input) => (await import('../commands/export.js')).runExport(ctx, input),
  },
  {
    name: 'startup',
    argsUsage: '[systemd|launchd]',
    completes: [['systemd', 'launchd']],
    minArgs: 0,
    maxArgs: 1,
    summary: 'install a service that starts the daemon at boot (or print it with --print)',
    details: [
      'The service runs `velos daemon --foreground`, which restores the saved processes (velos save).',
      'systemd: a system unit /etc/systemd/system/<name>.service needs root; without it the command',
      'prints the one line to run as root. --user installs ~/.config/systemd/user/<name>.service.',
      'launchd: ~/Library/LaunchAgents/dev.velos.daemon.plist (macOS). Default: by operating system.',
      "PM2's platform names work too: ubuntu, centos, arch, oracle (systemd), macos, darwin (launchd).",
      "The daemon's home must be its user's: with --user-name another user whom this home does not suit,",
      "it is that user's ~/.velos (said on stderr); a home the daemon could not use is a warning.",
    ].join('\n'),
    options: {
      print: { type: 'boolean', description: 'write the unit or plist to stdout and change nothing' },
      user: { type: 'boolean', description: 'systemd: a unit of your user manager (systemctl --user)' },
      'service-name': {
        type: 'string',
        value: 'name',
        description: 'systemd: unit name, .service optional (default velos)',
      },
      'user-name': {
        type: 'string',
        short: 'u',
        value: 'user',
        description: 'systemd: User= of the system unit (default: you)',
      },
      home: {
        type: 'string',
        value: 'dir',
        description: "VELOS_HOME of the daemon (default: this one, or the --user-name user's ~/.velos)",
      },
      hp: {
        type: 'string',
        value: 'dir',
        description: "PM2's --hp: the user's home; the daemon's home is <dir>/.velos (User= stays you)",
      },
      'wait-ip': {
        type: 'boolean',
        description: "systemd: start once the network is online (network-online.target), as PM2's --wait-ip",
      },
    },
    // its word is an init system, not an app: no "to name an app called -x" hint
    dashHint: () => '',
    run: async (ctx, input) =>
      (await import('../commands/startup.js')).runStartup(ctx, pm2StartupInput(input)),
  },
  {
    name: 'unstartup',
    argsUsage: '[systemd|launchd]',
    completes: [['systemd', 'launchd']],
    minArgs: 0,
    maxArgs: 1,
    summary: 'disable and remove the service velos startup installed',
    details: [
      'systemd: removing a system unit needs root; without it the command fails (exit 1) with the',
      'one line to run as root, and removes nothing. No unit of that name: nothing to remove (exit 0).',
    ].join('\n'),
    options: {
      user: { type: 'boolean', description: 'systemd: the unit of your user manager' },
      'service-name': {
        type: 'string',
        value: 'name',
        description: 'systemd: unit name, .service optional (default velos)',
      },
      'user-name': {
        type: 'string',
        short: 'u',
        value: 'user',
        description: "PM2's unstartup -u: accepted, the unit is found by its name (--service-name)",
      },
      hp: { type: 'string', value: 'dir', description: "PM2's --hp: accepted, as -u" },
    },
    dashHint: () => '',
    run: async (ctx, input) => (await import('../commands/startup.js')).runUnstartup(ctx, input),
  },
  {
    name: 'completion',
    argsUsage: '[bash|zsh|fish]',
    completes: [['bash', 'zsh', 'fish']],
    minArgs: 0,
    maxArgs: 1,
    summary: 'print the tab-completion script of a shell: commands, options, app names',
    details: [
      'Without a shell named, the one of $SHELL.',
      'bash: source <(velos completion bash)        in ~/.bashrc',
      'zsh:  source <(velos completion zsh)         in ~/.zshrc, after compinit',
      'fish: velos completion fish > ~/.config/fish/completions/velos.fish',
      'Tab completes command names, options, app names, namespaces and all, job, alert rule and',
      'component names, the keys of config set, init systems, signals and file names. Names come from',
      'a daemon that already runs (completion never starts one), within 1 s.',
    ].join('\n'),
    options: {},
    dashHint: () => '',
    run: async (_ctx, input) => (await import('../commands/completion.js')).runCompletion(input.args[0]),
  },
];

/** PM2's `startup -u <user> --hp <home>`: --hp names the user's home, the daemon's is <home>/.velos. */
function pm2StartupInput(input: CommandInput): CommandInput {
  const hp = input.options.hp;
  if (typeof hp !== 'string' || input.options.home !== undefined) return input;
  const { hp: _hp, ...options } = input.options;
  return { ...input, options: { ...options, home: `${hp.replace(/\/+$/, '')}/.velos` } };
}
