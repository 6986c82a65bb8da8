export { applyCpuModel, backupPathFor, type ApplyCpuModelOptions, type ApplyCpuModelResult } from './cpu-model.js';
export { qmSetLines } from './qm-set.js';
export { writeFileAtomic } from './atomic-write.js';
