import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'test/e2e', 'test/repo', 'test/pm2-compat'],
  },
});
