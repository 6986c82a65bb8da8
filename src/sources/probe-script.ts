/**
 * The host probe: a self-contained POSIX sh script run on each host (locally with
 * `/bin/sh -s`, or remotely as `ssh host sh -s`), script on stdin. It installs nothing,
 * writes nothing to disk and needs no network; it prints a text bundle that
 * `parseProbeBundle` (probe-bundle.ts) reads.
 *
 * Bundle layout (one marker per line, content lines verbatim between markers):
 *
 *   #migratable-probe 1
 *   #section hostname          ...one line
 *   #section kernel            ...`uname -r`
 *   #section collected-at      ...ISO 8601 UTC
 *   #section microcode         ...cpu0 microcode/version (only when readable)
 *   #section cpuinfo           .../proc/cpuinfo, whole
 *   #section vulnerability X   ...one per /sys/devices/system/cpu/vulnerabilities/X
 *   #section kvm               ..."device yes|no", then per /sys/module/kvm and kvm_*: "module M" and
 *                                 "param M NAME VALUE" for each readable parameter
 *   #section host-virtual      ...what says the host is itself a VM: lscpu's "Hypervisor vendor:" and
 *                                 "Virtualization type:" lines, "dmi FIELD VALUE" (FIELD: sys_vendor,
 *                                 product_name, product_version, board_vendor, bios_vendor),
 *                                 "sys-hypervisor TYPE" (the cpuinfo flag is in the cpuinfo section)
 *   #section qmp               ...raw QMP JSON lines (only when QEMU ran)
 *   #section qmp-error         ...why QEMU was skipped or failed (only then)
 *   #end
 *
 * The `#end` line lets the reader tell a complete bundle from one cut off by a dropped
 * connection. Each section's content is followed by an extra newline (so a file without a
 * final newline cannot glue itself to the next marker); the reader trims trailing newlines.
 *
 * Written for dash and busybox sh: no arrays, no `local`, no `[[`, no `$'..'`, no
 * process substitution. QMP commands carry an "id" so replies are matched by id rather
 * than by order (events such as SHUTDOWN interleave with replies).
 */

/** Bump when the bundle layout changes incompatibly; the reader refuses newer versions. */
export const PROBE_FORMAT_VERSION = 1;

/** Seconds QEMU may run (it normally needs well under one) when `timeout` exists on the host. */
export const PROBE_QEMU_TIMEOUT_SECONDS = 8;

export const PROBE_SCRIPT = `#!/bin/sh
# migratable host probe, format ${PROBE_FORMAT_VERSION}. Reads CPU facts; changes nothing.
LC_ALL=C
export LC_ALL
PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export PATH

section() { printf '#section %s\\n' "$1"; }
# One line of a sysfs file; nothing when unreadable (root-only parameters)
line() { v=; [ -f "$1" ] && [ -r "$1" ] && IFS= read -r v < "$1" 2>/dev/null; [ -n "$v" ] && printf '%s\\n' "$v"; }
root=\${MIGRATABLE_PROBE_ROOT:-}

# Everything runs inside main(), which sh parses whole before running: a script cut off
# in transit runs nothing, and no command can swallow the rest of the script from stdin.
main() {
echo '#migratable-probe ${PROBE_FORMAT_VERSION}'

section hostname
hostname 2>/dev/null || uname -n
echo

section kernel
uname -r
echo

section collected-at
date -u +%Y-%m-%dT%H:%M:%SZ
echo

mc=/sys/devices/system/cpu/cpu0/microcode/version
if [ -r "$mc" ]; then
  section microcode
  cat "$mc" 2>/dev/null
  echo
fi

section cpuinfo
cat "$root/proc/cpuinfo" 2>/dev/null
echo

for f in "$root"/sys/devices/system/cpu/vulnerabilities/*; do
  [ -f "$f" ] && [ -r "$f" ] || continue
  section "vulnerability \${f##*/}"
  cat "$f" 2>/dev/null
  echo
done

# Which module serves /dev/kvm, and its parameters (nested, ept, enable_pmu ...): host-kind.ts decides
section kvm
if [ -e "$root/dev/kvm" ]; then echo 'device yes'; else echo 'device no'; fi
for m in "$root"/sys/module/kvm "$root"/sys/module/kvm_*; do
  [ -d "$m" ] || continue
  echo "module \${m##*/}"
  for p in "$m"/parameters/*; do
    v=$(line "$p") && echo "param \${m##*/} \${p##*/} $v"
  done
done
echo

section host-virtual
if [ -z "$root" ] && command -v lscpu >/dev/null 2>&1; then
  lscpu 2>/dev/null | grep -E '^(Hypervisor vendor|Virtualization type):'
fi
for f in sys_vendor product_name product_version board_vendor bios_vendor; do
  v=$(line "$root/sys/class/dmi/id/$f") && echo "dmi $f $v"
done
v=$(line "$root/sys/hypervisor/type") && echo "sys-hypervisor $v"
echo

# QEMU: Proxmox calls it kvm, RHEL keeps it in /usr/libexec.
qemu=
for n in qemu-system-x86_64 kvm; do
  p=$(command -v "$n" 2>/dev/null) && [ -n "$p" ] && { qemu=$p; break; }
done
if [ -z "$qemu" ] && [ -x /usr/libexec/qemu-kvm ]; then qemu=/usr/libexec/qemu-kvm; fi

if [ -n "$root" ]; then
  section qmp-error
  echo "skipped: replaying the recorded tree $root"
elif [ -z "$qemu" ]; then
  section qmp-error
  echo 'skipped: no QEMU found (looked for qemu-system-x86_64, kvm, /usr/libexec/qemu-kvm)'
elif ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
  section qmp-error
  echo "skipped: /dev/kvm is missing or not readable and writable by $(id -un 2>/dev/null || echo this user)"
else
  # Bounded by timeout(1) when present; otherwise the caller's own timeout is the bound.
  bound=
  command -v timeout >/dev/null 2>&1 && bound="timeout ${PROBE_QEMU_TIMEOUT_SECONDS}"
  out=$(printf '%s\\n' \\
    '{"execute":"qmp_capabilities","id":"caps"}' \\
    '{"execute":"query-version","id":"version"}' \\
    '{"execute":"query-cpu-model-expansion","arguments":{"type":"full","model":{"name":"host"}},"id":"host"}' \\
    '{"execute":"query-cpu-definitions","id":"definitions"}' \\
    '{"execute":"quit","id":"quit"}' |
    $bound "$qemu" -machine none,accel=kvm -nodefaults -nographic -display none -qmp stdio 2>&1)
  rc=$?
  # QMP speaks one JSON object per line; anything else is QEMU's stderr.
  # QMP ends lines with CR LF: the bundle keeps plain lines (and no control characters)
  cr=$(printf '\\r')
  json=$(printf '%s\\n' "$out" | grep '^{' | while IFS= read -r l; do printf '%s\\n' "\${l%"$cr"}"; done)
  other=$(printf '%s\\n' "$out" | grep -v '^{' | grep -v '^[[:space:]]*$')
  if [ -n "$json" ]; then
    section qmp
    printf '%s\\n' "$json"
  fi
  if [ "$rc" -ne 0 ] || [ -z "$json" ]; then
    section qmp-error
    # coreutils timeout exits 124, busybox timeout 143 (SIGTERM)
    case "$rc" in
      124|143) echo "$qemu timed out after ${PROBE_QEMU_TIMEOUT_SECONDS} s" ;;
      *) echo "$qemu exited with status $rc" ;;
    esac
    [ -n "$other" ] && printf '%s\\n' "$other"
  fi
fi

echo '#end'
}

main </dev/null
exit 0
`;
