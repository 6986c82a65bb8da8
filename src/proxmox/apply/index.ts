export {
  applyCpuModel,
  backupPathFor,
  removeCpuModel,
  type ApplyCpuModelOptions,
  type ApplyCpuModelResult,
  type RemoveCpuModelOptions,
} from './cpu-model.js';
export { writeFileAtomic } from './atomic-write.js';
