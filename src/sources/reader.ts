import type { HostProfile, SourceFormat } from '../profile/host-profile.js';

/** One input format: recognized from content (never from the file name), read into profiles. */
export interface Reader {
  format: SourceFormat;
  /** What the format is, for "unknown format" errors */
  describe: string;
  detect(text: string): boolean;
  /** `name` is the default host name (from the file name) when the content carries none */
  read(text: string, where: string, name: string): HostProfile[];
}
