import cliProgress from 'cli-progress';
import type { ScanProgressEvent } from './scan.js';

export interface ScanProgress {
  onProgress: (event: ScanProgressEvent) => void;
  stop: () => void;
}

/**
 * A progress bar for `scan` on stderr, only when stderr is a terminal: piped or logged
 * output stays free of redraw noise (the final report says it all).
 */
export function createScanProgress(total: number, stream: NodeJS.WriteStream = process.stderr): ScanProgress {
  if (!stream.isTTY || total === 0) return { onProgress: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'scan [{bar}] {value}/{total} hosts | {failed} failed | {last}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { failed: 0, last: '' });
  return {
    onProgress: (e) =>
      bar.update(e.done, { failed: e.failedSoFar, last: `${e.target.label} ${e.ok ? 'ok' : 'FAILED'}` }),
    stop: () => bar.stop(),
  };
}
