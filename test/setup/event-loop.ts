/**
 * Before each test, one full turn of the event loop in the worker. Vitest's runner awaits only
 * promises between tests, so a file of synchronous tests (the readers fuzz: ~80 s under load) never
 * lets the worker read the parent's IPC replies; birpc's 60 s timer for a task update then fires
 * first and the run fails with 'Timeout calling "onTaskUpdate"' although every test passed.
 * A timer, then an immediate, passes through the poll phase where those replies are read.
 */
import { beforeEach } from 'vitest';

beforeEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await new Promise((resolve) => setImmediate(resolve));
});
