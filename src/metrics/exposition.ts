/**
 * The Prometheus text exposition format (version 0.0.4), what `/metrics` serves and node_exporter's
 * textfile collector reads: `# HELP`, `# TYPE`, then one `name{label="value"} number` line per series.
 *
 * Written here rather than with prom-client: prom-client keeps metrics in a process-wide registry
 * that a live program updates, while these metrics are a snapshot computed from the inventory and
 * the plan at each scrape or file write; with prom-client each scrape would rebuild a registry to
 * serialize it once. The format is small and this writer is checked by the real parser
 * (`promtool check metrics`, test/metrics-promtool.test.ts). Pure; runs anywhere.
 */
import { safeLine } from '../safe-text.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'gauge' | 'counter';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

// No colons: Prometheus keeps them for recording rules
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// Lone surrogates (possible in JSON strings) cannot be encoded as UTF-8
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A label value as the format quotes it. Control characters and lone surrogates first become the
 * project's visible escapes (`\x1b`, a newline `\n`: safeLine), so none reaches a terminal or a file
 * raw, and a backslash of the value is doubled before that, so two different values never read the
 * same (the series stay apart). Then the format's own escapes apply (`\\`, `\"`).
 */
export function escapeLabelValue(value: string): string {
  const visible = safeLine(
    value.replace(/\\/g, '\\\\').replace(LONE_SURROGATE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
  return visible.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** HELP text: backslash and newline are the only escapes the format has there. */
function escapeHelp(help: string): string {
  return safeLine(help).replace(/\\/g, '\\\\');
}

/** Go's ParseFloat reads these: NaN, +Inf, -Inf and JavaScript's own number forms (1e-7). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function checkFamily(f: MetricFamily): void {
  if (!METRIC_NAME.test(f.name)) throw new Error(`metric name ${JSON.stringify(f.name)} is not valid`);
  if (f.type === 'counter' && !f.name.endsWith('_total'))
    throw new Error(`counter ${f.name} must end in _total (Prometheus naming conventions)`);
  if (f.type !== 'counter' && f.name.endsWith('_total')) throw new Error(`only counters end in _total: ${f.name}`);
}

function seriesLine(name: string, s: Sample): string {
  const labels = Object.entries(s.labels)
    // An empty value is the same as no label to Prometheus: leave it out
    .filter(([, v]) => v !== '')
    .map(([k, v]) => {
      if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new Error(`label name ${JSON.stringify(k)} is not valid`);
      return `${k}="${escapeLabelValue(v)}"`;
    });
  return `${name}${labels.length ? `{${labels.join(',')}}` : ''} ${formatValue(s.value)}`;
}

/** The exposition text; families without samples are left out. Throws on a name or series given twice. */
export function renderExposition(families: readonly MetricFamily[]): string {
  const names = new Set<string>();
  const out: string[] = [];
  for (const f of families) {
    checkFamily(f);
    if (names.has(f.name)) throw new Error(`metric ${f.name} given twice`);
    names.add(f.name);
    if (!f.samples.length) continue;
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    const seen = new Set<string>();
    for (const s of f.samples) {
      const line = seriesLine(f.name, s);
      const series = line.slice(0, line.lastIndexOf(' '));
      if (seen.has(series)) throw new Error(`series ${series} given twice`);
      seen.add(series);
      out.push(line);
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
