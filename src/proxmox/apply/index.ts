export { applyCpuModel, backupPathFor, removeCpuModel } from './cpu-model.js';
export { writeFileAtomic } from './atomic-write.js';
