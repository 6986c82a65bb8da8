/**
 * npm run gen:catalog -- --reference DIR [--refresh]: builds data/*.json from one stage per upstream
 * source, each in catalog-src/stages/ returning its typed slice: QEMU (the snapshots of two real QEMUs;
 * --refresh re-asks them), libvirt (its x86 CPU map), Linux/KVM (cpufeatures.h, KVM's CPUID code per
 * release), Proxmox (qemu-server's tables), Nova (its releases) and systemd (its DMI table of VM
 * vendors); features.ts and models.ts join them with the curated fact files in catalog-src/*.json.
 * This file only runs the stages in order and writes.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CATALOG_SRC, curated, facts } from './curated.js';
import type { LinuxSyntheticData } from '../src/catalog/types.js';
import { assembleFeatures, classifyFeatures, migrationProperties, settleFeatureReleases } from './features.js';
import { assembleModels } from './models.js';
import { checkQemuChanges } from './qemu-changes.js';
import { referenceDir } from './reference-dir.js';
import { libvirtCatalog, libvirtStage } from './stages/libvirt.js';
import { novaStage } from './stages/nova.js';
import { kubevirtFile, kubevirtStage } from './stages/kubevirt.js';
import { dmiVirtualFile, dmiVirtualStage } from './stages/dmi-virtual.js';
import { kvmHypercalls, kvmStage, linuxStage, linuxSyntheticStage } from './stages/linux.js';
import { proxmoxCatalog, proxmoxStage } from './stages/proxmox.js';
import { qemuCpuCatalog, qemuStage } from './stages/qemu.js';
import { psabiStage, psabiTable } from './stages/psabi.js';

const reference = referenceDir(process.argv);
const dataDir = resolve(CATALOG_SRC, '..', 'data');
const write = (name: string, data: unknown) => writeFileSync(join(dataDir, name), JSON.stringify(data, null, 1) + '\n');

const qemu = await qemuStage(process.argv.includes('--refresh'));
const libvirt = libvirtStage(reference);
const featureSet = assembleFeatures(qemu, libvirt);
const linuxFlags = linuxStage(reference, featureSet);
classifyFeatures(featureSet.features);
migrationProperties(featureSet.features, qemu.migration, kvmHypercalls());
const kvm = kvmStage(reference, featureSet.features);
const proxmox = proxmoxStage();
const { models, derivation } = assembleModels(qemu, libvirt, featureSet, kvm.facts, proxmox.builtins);
settleFeatureReleases(featureSet.features, models, qemu.oldest);
const { features, byName } = featureSet;

write('features.json', features);
write('models.json', models);
write('linux-flags.json', linuxFlags);
write('kvm.json', kvm.facts);
write('kvm-offer.json', kvm.offer);
write(
  'libvirt.json',
  libvirtCatalog(libvirt, featureSet, models, new Set([...kvm.facts.emulated, ...kvm.facts.qemuProvided])),
);
console.log(kvm.summary);
const pve = proxmoxCatalog(proxmox, featureSet, models);
write('proxmox.json', pve.data);
for (const note of pve.notes) console.log(note);
write('nova.json', novaStage());
write(
  'kubevirt.json',
  kubevirtStage(
    kubevirtFile(),
    (n) => libvirt.byName.has(n) || models.some((m) => m.name === n || m.aliases.includes(n)),
  ),
);
write('dmi-virtual.json', dmiVirtualStage(dmiVirtualFile()));
write('qemu-cpu.json', qemuCpuCatalog(qemu.snap));
write(
  'linux-synthetic.json',
  linuxSyntheticStage(
    facts(curated<LinuxSyntheticData>('linux-synthetic.json')),
    (n) => linuxFlags.some((l) => l.name === n),
    (f) => byName.has(f),
  ),
);
write(
  'x86-64.json',
  psabiStage(psabiTable(), (f) => byName.has(f)),
);
write(
  'qemu-changes.json',
  checkQemuChanges(curated('qemu-changes.json'), (f) => byName.has(f)),
);
console.log(
  `features ${features.length} (${qemu.snap.flags.length} in QEMU ${qemu.snap.releases.join(' / ')}), models ${models.length} (${Object.keys(qemu.snap.models).length} from QEMU), linux flags ${linuxFlags.length}`,
);
console.log(
  `no CPUID/MSR bit: ${features
    .filter((f) => !f.cpuid && !f.msr)
    .map((f) => f.name)
    .join(' ')}`,
);
if (derivation.length)
  console.log(
    `libvirt definitions that differ from QEMU's own expansion after applying accelerator defaults:\n  ${derivation.join('\n  ')}`,
  );
