/** What to do about a boot that was slow or stuck, from where it stood and what runs /dev/kvm there. */
import type { Accel } from '../qemu/qmp.js';
import type { BootBundle } from './boot-bundle.js';

const secs = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;

export function phaseAdvice(b: BootBundle, accel: Accel | null, where: 'here' | 'there' = 'here'): string[] {
  const advice: string[] = [];
  const stuck = b.stuck?.phase;
  if (!stuck) return advice;
  const fw = b.phases.find((p) => p.name === 'firmware');
  if (stuck === 'kernel' && b.firstKernelMessageMs === null && fw?.endMs !== null && fw?.endMs !== undefined)
    advice.push(
      `the firmware handed over after ${secs(fw.endMs)}, then the kernel printed nothing: it did not get through decompression and early setup`,
    );
  else if (stuck === 'firmware') advice.push('the firmware (SeaBIOS) did not hand over to the kernel');
  else if (stuck === 'init') advice.push("the guest's /init did not finish its report");
  if (accel === 'kvm') {
    const other = b.kvmModules.filter((m) => m !== 'kvm_intel' && m !== 'kvm_amd');
    if (other.length)
      advice.push(
        `/dev/kvm ${where} is served by ${other.join(', ')}, not kvm_intel/kvm_amd${other.includes('kvm_pvm') ? ': kvm_pvm is a paravirtual KVM (PVM) that runs guests without VT-x and needs guest kernels built for it' : ''}`,
      );
    if (b.hypervisorFlag)
      advice.push(
        `${where === 'here' ? 'this' : 'that'} machine is itself a VM (hypervisor flag): KVM inside it is nested, or paravirtual, and can be far slower`,
      );
    advice.push(
      `KVM ${where} cannot run this guest in time: check the model under emulation with --accel tcg (TCG lacks some features; QEMU names them), and verify under KVM on a bare-metal host`,
    );
  } else
    advice.push(
      'TCG emulates every instruction and a busy machine slows it further: give it more time (--timeout, or --phase-timeout PHASE=SECONDS)',
    );
  return advice;
}
