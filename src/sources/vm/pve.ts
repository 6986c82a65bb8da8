/**
 * Proxmox VM configs: what qemu-server turns the cpu:/args: lines into (CPUConfig.pm get_cpu_options),
 * then what the guest requests. Facts: qemu-server's PVE/QemuServer/CPUConfig.pm (the project's Proxmox
 * reference notes, sections 2 and 4).
 */
import { PVE_NESTED_VIRT_FLAG } from '../../catalog/proxmox.js';
import { canonicalFeature, resolveModel } from '../../catalog/index.js';
import { InputError } from '../../errors.js';
import { parseCpuProperty, parseVmConfig, PVE_DEFAULT_CPUTYPE, type VmConfig } from '../../formats/pve-vm-config.js';
import type { CpuModelSection } from '../../formats/pve-cpu-models.js';
import { pveForcedFlags } from '../../formats/pve-forced-flags.js';
import { resolveCpuRequest } from './resolve.js';
import { canonicalHypervFlag, isHypervFlag } from '../../formats/hyperv.js';
import { vmFromCpuString } from './qemu-cpu.js';
import type { VmCpu } from '../../profile/vm-cpu.js';

export function looksLikePveVmConfig(text: string): boolean {
  return (
    /^(cpu|args|cores|memory|scsihw|ostype|boot|sockets|net\d+|scsi\d+|virtio\d+|smbios1|vmgenid|name):\s/m.test(
      text,
    ) && !/^\s*</.test(text)
  );
}

/** Proxmox's shorthand, resolved per host: see VmCpu.nestedVirt */
const NESTED_VIRT = PVE_NESTED_VIRT_FLAG;

function flagChanges(flags: string[], where: string): Array<[string, boolean]> {
  return flags.map((f) => {
    const name = f.slice(1);
    // hv-tlbflush and hv-evmcs are VM flags Proxmox allows (CPUFlags.pm): enlightenments, kept apart
    const canon =
      name === NESTED_VIRT ? NESTED_VIRT : isHypervFlag(name) ? canonicalHypervFlag(name) : canonicalFeature(name);
    if (!canon) throw new InputError(where, `unknown CPU flag "${name}" (QEMU would refuse to start)`);
    return [canon, f[0] === '+'] as [string, boolean];
  });
}

/** Proxmox's abstract models are qemu64 plus flags; they are in the catalog as models. */
export function vmFromPveConfig(
  cfg: VmConfig,
  where: string,
  name: string,
  customModels: Map<string, CpuModelSection> = new Map(),
): VmCpu {
  if (cfg.argsCpu) {
    const vm = vmFromCpuString(cfg.argsCpu, where, name, 'pve-config');
    vm.notes.push('args: -cpu overrides the cpu: line (Proxmox appends args after its own -cpu)');
    return vm;
  }
  const cpu = cfg.cpu ?? parseCpuProperty(PVE_DEFAULT_CPUTYPE);
  const changes: Array<[string, boolean]> = [];
  let type = cpu.type;
  let physBits: number | 'host' | null = cpu.physBits ?? null;
  const notes: string[] = [];
  if (!cfg.cpu) notes.push('no cpu: line: Proxmox uses kvm64');
  if (cpu.customModel) {
    const custom = customModels.get(cpu.customModel);
    if (!custom)
      throw new InputError(
        where,
        `cpu: custom-${cpu.customModel} is not in the given cpu-models.conf (pass --cpu-models FILE)`,
      );
    type = custom.reportedModel ?? 'kvm64';
    changes.push(...flagChanges(custom.flags, where));
    if (physBits === null && custom.physBits !== undefined) physBits = custom.physBits;
  }
  const model = resolveModel(type);
  if (!model && type !== 'host' && type !== 'max') throw new InputError(where, `unknown cpu type "${type}"`);
  // What qemu-server adds (in this order; later wins): its own flags, the model's, the VM's
  const pveOwn = pveForcedFlags(type).map(({ feature, on }): [string, boolean] => [feature, on]);
  const all = [...pveOwn, ...changes, ...flagChanges(cpu.flags, where)];
  const cpuString = [
    type,
    ...all.map(([f, on]) => `${on ? '+' : '-'}${f}`),
    ...(type !== 'host' ? ['enforce'] : []),
  ].join(',');
  const nested = all.filter(([f]) => f === NESTED_VIRT).pop();
  const hvState = new Map(all.filter(([f]) => isHypervFlag(f)));
  const hyperv = [...hvState].filter(([, on]) => on).map(([f]) => f);
  const vm = resolveCpuRequest(
    {
      name,
      source: 'pve-config',
      cpu: cpuString,
      model: model?.name ?? type,
      changes: all.filter(([f]) => f !== NESTED_VIRT && !isHypervFlag(f)),
      physBits,
      notes,
    },
    where,
  );
  const withHyperv = hyperv.length ? { ...vm, hyperv: hyperv.sort() } : vm;
  if (!nested) return withHyperv;
  return {
    ...withHyperv,
    nestedVirt: nested[1],
    added: nested[1] ? [...vm.added, NESTED_VIRT].sort() : vm.added,
  };
}

export function vmFromPveText(
  text: string,
  where: string,
  name: string,
  customModels?: Map<string, CpuModelSection>,
): VmCpu {
  const vmid = /(\d+)\.conf$/.exec(where)?.[1];
  const cfg = parseVmConfig(text, where, vmid ? Number(vmid) : undefined);
  const label = cfg.name ? `${cfg.vmid ?? name} (${cfg.name})` : String(cfg.vmid ?? name);
  return vmFromPveConfig(cfg, where, label, customModels);
}
