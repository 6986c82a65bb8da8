/**
 * Stage libvirt: libvirt's x86 CPU map from the reference folder (libvirt-cpu_map/, a copy of
 * libvirt's src/cpu_map at the commits its SOURCE.md lists): feature bits and names, model definitions.
 */
import { join } from 'node:path';
import {
  libvirtDefinitions,
  readLibvirtFeatures,
  readLibvirtModels,
  type LibvirtFeature,
  type LibvirtModel,
} from '../libvirt-map.js';

export interface LibvirtSlice {
  features: LibvirtFeature[];
  models: LibvirtModel[];
  byName: Map<string, LibvirtModel>;
  /** Each model's full definition in libvirt's spelling (parents included, removed='yes' too) */
  definitions: Map<string, string[]>;
}

export function libvirtStage(reference: string): LibvirtSlice {
  const dir = join(reference, 'libvirt-cpu_map');
  const models = readLibvirtModels(dir);
  return {
    features: readLibvirtFeatures(dir),
    models,
    byName: new Map(models.map((m) => [m.name, m])),
    definitions: libvirtDefinitions(models),
  };
}
