/**
 * Lowers the calling worker thread's CPU priority: the server's own thread, which answers every
 * client, comes first, and one client's heavy request (a big paste, a drain) waits for the CPU
 * rather than the other way round. On Linux a thread's nice value is its own (setpriority(2),
 * NOTES), so this lowers this thread only; elsewhere it would lower the whole server, so it is left
 * alone there. Node-only.
 */
import { setPriority } from 'node:os';

export function lowerThisWorkersPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(10);
  } catch {
    // not allowed here (a container without CAP_SYS_NICE can still lower; any failure is harmless)
  }
}
