/**
 * The metrics, from the facts (./facts.ts). Names follow Prometheus' conventions
 * (https://prometheus.io/docs/practices/naming/): the `migratable_` prefix, base units (seconds),
 * `_timestamp_seconds` for Unix times, `_total` for counters, `_info` for constant-1 series whose
 * labels carry text. Labels identify a host, a VM or a CPU type, so the series count grows with the
 * fleet, never with the features: feature names become labels only when asked (featureLabels), and
 * then only for the features a host lost at its latest scan. Pure.
 */
import type { NodeOutcome } from '../fleet/inventory/verifications.js';
import type { HostProfile } from '../profile/host-profile.js';
import type { MetricFamily, MetricType, Sample } from './exposition.js';
import type { FleetFacts, HostFacts, PlanFacts } from './facts.js';

export interface FamilyOptions {
  /** One series per lost feature, with its name as a label (migratable_host_cpu_feature_lost) */
  featureLabels?: boolean;
}

/** Every verdict scan --verify stores (verifications.ts NodeOutcome): a state set, one series each. */
export const VERIFY_OUTCOMES = [
  'match',
  'mismatch',
  'refused',
  'failed',
  'timeout',
  'unrun',
  'unreachable',
] as const satisfies readonly NodeOutcome[];

const family = (name: string, type: MetricType, help: string, samples: Sample[]): MetricFamily => ({
  name,
  type,
  help,
  samples,
});

/** Unix seconds of an ISO time, or null when it is not one (no sample then). */
function seconds(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms / 1000;
}

const each = <T>(items: T[], fn: (item: T) => Sample | Sample[] | null): Sample[] => items.flatMap((i) => fn(i) ?? []);

function hostKind(p: HostProfile): string {
  if (!p.hostKind) return '';
  return p.hostKind.virtual ? 'virtual' : 'physical';
}

function hostInfo(h: HostFacts): Sample {
  const p = h.profile;
  return {
    labels: {
      host: h.name,
      vendor: p.vendor,
      cpu_model: p.modelName ?? '',
      kernel: p.kernel ?? '',
      qemu: p.qemu ?? '',
      microcode: p.microcode ?? '',
      host_kind: hostKind(p),
      kvm_module: p.hostKind?.kvm?.module ?? '',
      source: p.source,
      exact: String(p.exact),
    },
    value: 1,
  };
}

function hostFamilies(facts: FleetFacts, opts: FamilyOptions): MetricFamily[] {
  const { hosts } = facts;
  const scanned = hosts.filter((h) => h.scans);
  const host = (h: { name: string }) => ({ host: h.name });
  const failuresOf = [
    ...scanned.map((h) => ({ name: h.name, failures: h.scans!.failures, lastFailure: h.scans!.lastFailure })),
    ...facts.unprofiled,
  ];
  return [
    family(
      'migratable_host_info',
      'gauge',
      'The host as its latest profile describes it (vendor, CPU model, kernel, QEMU, microcode, whether it is itself a VM, the module serving /dev/kvm); always 1.',
      hosts.map(hostInfo),
    ),
    family(
      'migratable_host_cpu_features',
      'gauge',
      'CPU features a guest can get on the host (canonical QEMU names), at its latest profile.',
      hosts.map((h) => ({ labels: host(h), value: h.profile.features.length })),
    ),
    family(
      'migratable_host_cpu_features_lost',
      'gauge',
      'CPU features the host offered at its previous scan and lacks at its latest one.',
      scanned.map((h) => ({ labels: host(h), value: h.scans!.lost.length })),
    ),
    family(
      'migratable_host_cpu_feature_lost',
      'gauge',
      'One series per feature the host lost at its latest scan (metrics --feature-labels); always 1.',
      opts.featureLabels
        ? scanned.flatMap((h) => h.scans!.lost.map((feature) => ({ labels: { ...host(h), feature }, value: 1 })))
        : [],
    ),
    family(
      'migratable_drift_events_total',
      'counter',
      "Scans that changed the host's CPU features (gained or lost), over the inventory's history.",
      scanned.map((h) => ({ labels: host(h), value: h.scans!.driftEvents })),
    ),
    family(
      'migratable_host_scans_total',
      'counter',
      'Scans of the host recorded in the inventory, by result (success: a stored snapshot).',
      [
        ...scanned.map((h) => ({ labels: { ...host(h), result: 'success' }, value: h.scans!.snapshots })),
        ...failuresOf.map((h) => ({ labels: { ...host(h), result: 'failure' }, value: h.failures })),
      ],
    ),
    family(
      'migratable_host_last_scan_success_timestamp_seconds',
      'gauge',
      "When the host's latest snapshot was taken (Unix time).",
      each(scanned, (h) => {
        const t = seconds(h.scans!.lastSuccess);
        return t === null ? null : { labels: host(h), value: t };
      }),
    ),
    family(
      'migratable_host_last_scan_failure_timestamp_seconds',
      'gauge',
      'When a scan of the host last failed (Unix time).',
      each(failuresOf, (h) => {
        const t = seconds(h.lastFailure);
        return t === null ? null : { labels: host(h), value: t };
      }),
    ),
    family(
      'migratable_host_last_scan_duration_seconds',
      'gauge',
      "How long the probe behind the host's latest snapshot took (connect, probe, QEMU's answers).",
      each(scanned, (h) => (h.scans!.lastSeconds === null ? null : { labels: host(h), value: h.scans!.lastSeconds })),
    ),
    family(
      'migratable_host_verify_outcome',
      'gauge',
      'The newest scan --verify verdict on the host, any model: 1 for the verdict it had, 0 for the others.',
      each(hosts, (h) =>
        h.verify
          ? VERIFY_OUTCOMES.map((outcome) => ({
              labels: { ...host(h), outcome },
              value: +(h.verify!.outcome === outcome),
            }))
          : null,
      ),
    ),
    family(
      'migratable_host_verify_timestamp_seconds',
      'gauge',
      'When the newest scan --verify verdict on the host was made (Unix time).',
      each(hosts, (h) => {
        const t = seconds(h.verify?.at);
        return t === null ? null : { labels: host(h), value: t };
      }),
    ),
  ];
}

function scanRunFamilies(facts: FleetFacts): MetricFamily[] {
  const run = facts.lastRun;
  const end = seconds(run?.finishedAt);
  const start = seconds(run?.startedAt);
  return [
    family(
      'migratable_scan_last_run_timestamp_seconds',
      'gauge',
      'When the newest scan run recorded in the inventory ended (Unix time).',
      end === null ? [] : [{ labels: {}, value: end }],
    ),
    family(
      'migratable_scan_last_run_duration_seconds',
      'gauge',
      'How long the newest scan run took, all hosts.',
      // whole milliseconds, not a float's subtraction (0.592, not 0.5920000076293945)
      end === null || start === null
        ? []
        : [{ labels: {}, value: Math.max(0, Math.round((end - start) * 1000) / 1000) }],
    ),
    family(
      'migratable_scan_last_run_hosts',
      'gauge',
      'Hosts the newest scan run profiled (success) or could not (failure).',
      run
        ? [
            { labels: { result: 'success' }, value: run.hostsOk },
            { labels: { result: 'failure' }, value: run.hostsFailed },
          ]
        : [],
    ),
  ];
}

function planFamilies(plan: PlanFacts | { error: string } | undefined): MetricFamily[] {
  if (!plan) return [];
  const ok = 'vms' in plan ? plan : null;
  const vm = (v: { vmid: number }) => ({ vmid: String(v.vmid) });
  const vms = ok?.vms ?? [];
  return [
    family(
      'migratable_plan_success',
      'gauge',
      "1 when the cluster's plan could be made from its config and the host data; 0 when not (the VM series are then missing).",
      [{ labels: {}, value: ok ? 1 : 0 }],
    ),
    family(
      'migratable_vm_info',
      'gauge',
      "The VM: its name, the node it is on, the CPU type it runs and its domain's current model; always 1.",
      vms.map((v) => ({
        labels: { ...vm(v), name: v.name ?? '', node: v.node, cpu: v.cpu, domain_model: v.domainModel },
        value: 1,
      })),
    ),
    family(
      'migratable_vm_live_targets',
      'gauge',
      'Nodes of its domain the VM can live-migrate to now, with the CPU it runs.',
      vms.map((v) => ({ labels: vm(v), value: v.liveTargets })),
    ),
    family(
      'migratable_vm_domain_targets',
      'gauge',
      'Nodes of its domain (HA rules and groups) other than its own: where it should be able to go.',
      vms.map((v) => ({ labels: vm(v), value: v.domainTargets })),
    ),
    family(
      'migratable_vm_model_outdated',
      'gauge',
      "1 when the VM runs an older version of its model than cpu-models.conf holds (the plan's older-version).",
      vms.map((v) => ({ labels: vm(v), value: +v.outdated })),
    ),
    family(
      'migratable_vm_model_change_needed',
      'gauge',
      "1 when the plan's action for the VM is change-model: its CPU does not reach every node of its domain.",
      vms.map((v) => ({ labels: vm(v), value: +v.changeNeeded })),
    ),
    family(
      'migratable_model_vms',
      'gauge',
      'VMs whose config names this CPU type (custom-NAME for cpu-models.conf sections, used or not).',
      (ok?.models ?? []).map((m) => ({ labels: { model: m.model }, value: m.vms })),
    ),
  ];
}

/** Every metric family, in a stable order. */
export function fleetFamilies(facts: FleetFacts, opts: FamilyOptions = {}): MetricFamily[] {
  return [...hostFamilies(facts, opts), ...scanRunFamilies(facts), ...planFamilies(facts.plan)];
}
