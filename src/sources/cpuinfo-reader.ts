import { looksLikeCpuinfo, readCpuinfo } from './cpuinfo.js';
import type { Reader } from './reader.js';

export const cpuinfoReader: Reader = {
  format: 'cpuinfo',
  describe: '/proc/cpuinfo (one processor stanza or the whole file)',
  detect: looksLikeCpuinfo,
  read: (text, where, name) => [readCpuinfo(text, where, name)],
};
