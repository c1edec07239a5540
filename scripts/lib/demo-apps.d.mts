// The types of demo-apps.mjs, for the test that imports it (apps/cli/test/cli.test.ts).

/** The config file of the demo apps. */
export declare const DEMO_CONFIG: string;

/** Deletes the demo's apps from the daemon of `env.VELOS_HOME`, and only them. */
export declare function deleteDemoApps(bin: string, env: NodeJS.ProcessEnv): void;
