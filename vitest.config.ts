import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One event-loop turn before each test, so long runs of synchronous tests cannot starve vitest's IPC
    setupFiles: ['test/setup/event-loop.ts'],
    // QEMU, sshd and Chromium tests start real processes; give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
