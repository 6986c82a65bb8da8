/**
 * The guest boot as a self-contained POSIX sh script, run on this machine (`/bin/sh -s`, `verify`) or on
 * a node over SSH (`ssh node sh -s`, `scan --verify`, `verify --ssh`), script on stdin, exactly like the
 * host probe (sources/probe-script.ts). It installs nothing: the initramfs travels inside the script
 * (base64), lands in a private `mktemp -d` directory with the QEMU logs, and that directory is removed
 * on every way out (normal end, error, INT/TERM/HUP/PIPE when the connection drops). QEMU runs with
 * the node's own guest kernel (/boot/vmlinuz-*) unless one is named.
 *
 * It asks QEMU for the promise (query-cpu-model-expansion static of the model under the same
 * accelerator), boots, and watches the console (the serial port and the firmware's debug port share
 * one file) for the phase markers, with a limit per phase measured on /proc/uptime:
 *   firmware  QEMU started .. SeaBIOS hands over to the kernel ("Booting from ROM", or a kernel message)
 *   kernel    .. the guest's /init runs (its "@@MGV-INIT" line; "Linux version" is the first kernel message)
 *   init      .. /init has written its report ("@@MGV-DONE") and QEMU exits
 * A phase over its limit, or the whole boot over its limit, gets QEMU killed and says where it stood.
 *
 * Output (parsed by boot-bundle.ts): "#migratable-boot 1", then "#section NAME" blocks, then "#end".
 * Free text (console, report, QEMU's stderr) is prefixed with "|" so it can never look like a marker.
 */
import { MARK } from './initramfs.js';
import { PROBE_QEMU_TIMEOUT_SECONDS } from '../sources/probe-script.js';

export const BOOT_FORMAT_VERSION = 1;

export type PhaseName = 'firmware' | 'kernel' | 'init';
export const PHASES: readonly PhaseName[] = ['firmware', 'kernel', 'init'];

/** Milliseconds per phase and for the whole boot. */
export interface BootLimits {
  firmware: number;
  kernel: number;
  init: number;
  total: number;
}

/**
 * Per-phase limits from the whole boot's: a healthy boot spends well under a second in the firmware
 * and in /init under KVM (TCG: ~2 s firmware, ~8 s kernel with decompression, <1 s init on an idle
 * 2-core machine), so a third of the total for the short phases and two thirds for the kernel leave
 * room for a busy machine while still stopping a stuck boot well before the total runs out.
 */
export function phaseLimits(totalMs: number, given: Partial<Record<PhaseName, number>> = {}): BootLimits {
  const part = (f: number) => Math.max(1000, Math.round(totalMs * f));
  return {
    firmware: given.firmware ?? part(1 / 3),
    kernel: given.kernel ?? part(2 / 3),
    init: given.init ?? part(1 / 3),
    total: totalMs,
  };
}

export interface BootScriptOptions {
  /** The full -cpu argument, e.g. "Westmere,-aes,enforce" */
  cpu: string;
  /** The QMP model (name and props) whose static expansion is the promise */
  qmpModel: { name: string; props: Record<string, unknown> };
  /** kvm, tcg, or auto: kvm when /dev/kvm is usable there, else tcg */
  accel: 'kvm' | 'tcg' | 'auto';
  /** Limits under KVM and under TCG (the accelerator may only be known there) */
  limits: { kvm: BootLimits; tcg: BootLimits };
  /** gzip'd newc initramfs */
  initrd: Uint8Array;
  /** Guest kernel path on the machine that boots; default its newest /boot/vmlinuz-* */
  kernel?: string;
  /** QEMU binary there; default $MIGRATABLE_QEMU there, else qemu-system-x86_64, kvm, /usr/libexec/qemu-kvm */
  qemuBinary?: string;
  memoryMb?: number;
}

/** -cpu strings and paths go into the script inside single quotes: only characters that need none of them. */
const CPU_SHAPE = /^[A-Za-z0-9][A-Za-z0-9,=._+-]*$/;
const PATH_SHAPE = /^\/[A-Za-z0-9/._+-]*$/;

function checked(value: string, shape: RegExp, what: string): string {
  if (!shape.test(value))
    throw new Error(`${what} ${JSON.stringify(value)} has characters the boot script does not take`);
  return value;
}

/** base64 in lines of 76, as base64(1) writes and reads them. */
function base64Lines(data: Uint8Array): string {
  const b64 = Buffer.from(data).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\n');
}

export function buildBootScript(o: BootScriptOptions): string {
  const cpu = checked(o.cpu, CPU_SHAPE, 'CPU model');
  const kernel = o.kernel ? checked(o.kernel, PATH_SHAPE, 'kernel path') : '';
  const qemu = o.qemuBinary ? checked(o.qemuBinary, PATH_SHAPE, 'QEMU binary') : '';
  const model = JSON.stringify(o.qmpModel);
  // The model name and props come from a -cpu string of CPU_SHAPE, so the JSON holds no single quote
  if (model.includes("'")) throw new Error('CPU model has characters the boot script does not take');
  const secs = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
  const { kvm, tcg } = o.limits;
  return `#!/bin/sh
# migratable guest boot, format ${BOOT_FORMAT_VERSION}. Boots a throwaway guest; leaves nothing behind.
LC_ALL=C
export LC_ALL
PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export PATH

CPU='${cpu}'
MODEL='${model}'
ACCEL='${o.accel}'
KERNEL='${kernel}'
QEMU='${qemu}'
MEM='${o.memoryMb ?? 256}'
M='${MARK}'

section() { printf '#section %s\\n' "$1"; }
# Free text, one "|" line per line, so nothing in it can read as a marker
quote() { while IFS= read -r l || [ -n "$l" ]; do printf '|%s\\n' "$l"; done; }
# Milliseconds since boot of this machine, from /proc/uptime ("12345.67 ...")
now() { read -r u _ < /proc/uptime; s=\${u%.*}; c=\${u#*.}; echo "$s\${c}0"; }
dir=
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  [ -n "$dir" ] && rm -rf "$dir"
  dir=
}
fail() { section error; printf '%s\\n' "$1"; echo '#end'; }

main() {
echo '#migratable-boot ${BOOT_FORMAT_VERSION}'
section host
hostname 2>/dev/null || uname -n
echo

if [ -z "$QEMU" ] && [ -n "\${MIGRATABLE_QEMU:-}" ]; then QEMU=$MIGRATABLE_QEMU; fi
if [ -z "$QEMU" ]; then
  for n in qemu-system-x86_64 kvm; do
    p=$(command -v "$n" 2>/dev/null) && [ -n "$p" ] && { QEMU=$p; break; }
  done
fi
if [ -z "$QEMU" ] && [ -x /usr/libexec/qemu-kvm ]; then QEMU=/usr/libexec/qemu-kvm; fi
[ -n "$QEMU" ] && [ -x "$QEMU" ] || { fail 'no QEMU found (looked for $MIGRATABLE_QEMU, qemu-system-x86_64, kvm, /usr/libexec/qemu-kvm)'; return; }

kvm_ok=no
[ -r /dev/kvm ] && [ -w /dev/kvm ] && kvm_ok=yes
if [ "$ACCEL" = auto ]; then
  if [ $kvm_ok = yes ]; then ACCEL=kvm; else ACCEL=tcg; fi
elif [ "$ACCEL" = kvm ] && [ $kvm_ok = no ]; then
  fail "KVM was asked for but /dev/kvm is missing or not usable by $(id -un 2>/dev/null || echo this user)"; return
fi
if [ "$ACCEL" = kvm ]; then
  L_FW=${kvm.firmware}; L_KERNEL=${kvm.kernel}; L_INIT=${kvm.init}; L_TOTAL=${kvm.total}; T_SECS=${secs(kvm.total)}
else
  L_FW=${tcg.firmware}; L_KERNEL=${tcg.kernel}; L_INIT=${tcg.init}; L_TOTAL=${tcg.total}; T_SECS=${secs(tcg.total)}
fi

if [ -z "$KERNEL" ] && [ -n "\${MIGRATABLE_GUEST_KERNEL:-}" ]; then KERNEL=$MIGRATABLE_GUEST_KERNEL; fi
if [ -z "$KERNEL" ]; then
  # the newest /boot/vmlinuz-* by version order
  list=$(ls -1 /boot/vmlinuz-* 2>/dev/null)
  KERNEL=$(printf '%s\\n' "$list" | sort -V 2>/dev/null | tail -n 1)
  [ -n "$KERNEL" ] || KERNEL=$(printf '%s\\n' "$list" | tail -n 1)
  [ -n "$KERNEL" ] || { fail 'no /boot/vmlinuz-* guest kernel here (install one, e.g. linux-image-amd64, or name one)'; return; }
fi
[ -r "$KERNEL" ] || { fail "the guest kernel $KERNEL is missing or not readable by $(id -un 2>/dev/null || echo this user)"; return; }
command -v base64 >/dev/null 2>&1 || { fail 'no base64 command here (coreutils or busybox) to unpack the guest initramfs'; return; }

dir=$(mktemp -d "\${TMPDIR:-/tmp}/migratable-verify.XXXXXX" 2>/dev/null) || { dir=; fail 'could not create a temporary directory'; return; }
base64 -d > "$dir/initrd.gz" <<'MIGRATABLE_INITRD_END'
${base64Lines(o.initrd)}
MIGRATABLE_INITRD_END
[ -s "$dir/initrd.gz" ] || { fail 'could not unpack the guest initramfs'; return; }

section setup
echo "qemu $QEMU"
echo "accel $ACCEL"
echo "kernel $KERNEL"
echo "dir $dir"
echo "limits $L_FW $L_KERNEL $L_INIT $L_TOTAL"
for m in /sys/module/kvm_*; do [ -d "$m" ] && echo "kvm-module \${m##*/}"; done
grep -q '^flags.* hypervisor' /proc/cpuinfo 2>/dev/null && echo 'hypervisor-flag yes'
echo

# The promise: QEMU's static expansion of the model under the same accelerator
bound=
command -v timeout >/dev/null 2>&1 && bound="timeout ${PROBE_QEMU_TIMEOUT_SECONDS}"
cr=$(printf '\\r')
out=$(printf '%s\\n' \\
  '{"execute":"qmp_capabilities","id":"caps"}' \\
  '{"execute":"query-version","id":"version"}' \\
  "{\\"execute\\":\\"query-cpu-model-expansion\\",\\"arguments\\":{\\"type\\":\\"static\\",\\"model\\":$MODEL},\\"id\\":\\"promise\\"}" \\
  '{"execute":"quit","id":"quit"}' |
  $bound "$QEMU" -machine none,accel=$ACCEL -nodefaults -display none -qmp stdio 2>"$dir/qmp-stderr.log")
section qmp
printf '%s\\n' "$out" | grep '^{' | while IFS= read -r l; do printf '%s\\n' "\${l%"$cr"}"; done
if [ -s "$dir/qmp-stderr.log" ]; then section qmp-stderr; quote < "$dir/qmp-stderr.log"; fi

set -- -machine "q35,accel=$ACCEL" -cpu "$CPU" -smp 1 -m "$MEM" -nodefaults -display none -no-reboot -no-user-config \\
  -kernel "$KERNEL" -initrd "$dir/initrd.gz" -append 'console=ttyS0 quiet loglevel=6 panic=-1' \\
  -chardev "file,id=console,path=$dir/console.log,mux=on" -serial chardev:console \\
  -device isa-debugcon,iobase=0x402,chardev=console \\
  -chardev "file,id=report,path=$dir/report.log" -serial chardev:report
section argv
printf '%s\\n' "$QEMU" "$@" | quote

: > "$dir/console.log"
t0=$(now)
"$QEMU" "$@" </dev/null >/dev/null 2>"$dir/stderr.log" &
pid=$!
phase=firmware
start=$t0
first=
stuck=
marks=
# Moves through every phase whose end marker the console shows by now (several in one poll is fine)
advance() {
  while :; do
    case $phase in
      firmware)
        grep -q -e 'Booting from ROM' -e '^\\[ *[0-9]*\\.[0-9]*\\] ' "$dir/console.log" 2>/dev/null || return 0
        marks="$marks firmware:$((start - t0)):$((t - t0))"; phase=kernel; start=$t ;;
      kernel)
        [ -z "$first" ] && grep -q 'Linux version' "$dir/console.log" 2>/dev/null && first=$((t - t0))
        grep -q "^$M-INIT" "$dir/console.log" 2>/dev/null || return 0
        marks="$marks kernel:$((start - t0)):$((t - t0))"; phase=init; start=$t ;;
      init)
        grep -q "^$M-DONE" "$dir/console.log" 2>/dev/null || return 0
        marks="$marks init:$((start - t0)):$((t - t0))"; phase=done; start=$t ;;
      *) return 0 ;;
    esac
  done
}
while kill -0 "$pid" 2>/dev/null; do
  t=$(now)
  advance
  case $phase in firmware) lim=$L_FW ;; kernel) lim=$L_KERNEL ;; *) lim=$L_INIT ;; esac
  if [ $((t - start)) -gt "$lim" ]; then stuck=$phase; break; fi
  if [ $((t - t0)) -gt "$L_TOTAL" ]; then stuck="total:$phase"; break; fi
  sleep 0.5 2>/dev/null || sleep 1
done
t=$(now)
if [ -n "$stuck" ]; then
  kill "$pid" 2>/dev/null
  sleep 1
  kill -9 "$pid" 2>/dev/null
fi
wait "$pid" 2>/dev/null
rc=$?
pid=
# a guest that powered off between two polls: its last markers are read now
[ -z "$stuck" ] && advance

section phases
for m in $marks; do echo "$m"; done
[ -n "$first" ] && echo "first-kernel-message $first"
echo "reached $phase"
[ -n "$stuck" ] && echo "stuck $stuck"
echo "elapsed $((t - t0))"
section result
echo "exit $rc"
if [ -s "$dir/stderr.log" ]; then section stderr; quote < "$dir/stderr.log"; fi
section console
tail -c 65536 "$dir/console.log" 2>/dev/null | quote
section report
quote < "$dir/report.log" 2>/dev/null
echo '#end'
}

trap 'cleanup' EXIT
trap 'cleanup; exit 1' INT TERM HUP PIPE
main </dev/null
cleanup
exit 0
`;
}
