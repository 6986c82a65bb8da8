export { applyCpuModel, backupPathFor, type ApplyCpuModelOptions, type ApplyCpuModelResult } from './cpu-model.js';
export { writeFileAtomic } from './atomic-write.js';
