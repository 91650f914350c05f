import { z } from 'zod';
import { type SignalName, type SignalTarget, signalNames } from '../../domain/evidence/signals.js';

/**
 * Placeholders a signal template may use. Every one but `$window` expands to zero or more
 * comma-separated label matchers built from the SignalTarget (values escaped; unset fields add none):
 * - `$namespace`      namespace
 * - `$pod`            namespace, pod (target.pod exactly, else `pod=~"<workload>-.*"`)
 * - `$container`      as `$pod`, plus container
 * - `$deployment`     namespace, deployment="<workload>"   (kube-state-metrics)
 * - `$statefulset`    namespace, statefulset="<workload>"  (kube-state-metrics)
 * - `$hpa`            namespace, scaletargetref_name="<workload>" (kube_horizontalpodautoscaler_info)
 * - `$consumergroup`  consumergroup="<workload>"           (kafka_exporter)
 * - `$node`           <nodeLabel>=~"<node>(:[0-9]+)?"      (node-exporter; kube-prometheus sets instance=node name)
 * - `$window`         the rate window (config rateWindow, default 5m)
 * With `clusterLabel` configured, every matcher placeholder also adds `<clusterLabel>="<cluster>"`.
 * Empty expansions leave no stray commas: `metric{$pod}` with no target renders as `metric{}`.
 */
export const placeholders = [
  'namespace',
  'pod',
  'container',
  'deployment',
  'statefulset',
  'hpa',
  'consumergroup',
  'node',
  'window',
] as const;
type Placeholder = (typeof placeholders)[number];

const cadvisor = 'container!="", container!="POD", $container';
const byContainer = 'by (namespace, pod, container)';
const byPod = 'by (namespace, pod)';
const realFs = 'fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|devtmpfs|autofs", $node';

/** kube-prometheus defaults (cAdvisor, kube-state-metrics v2, node-exporter, kafka_exporter, postgres_exporter). */
export const defaultTemplates = {
  memory_working_set_bytes: `max ${byContainer} (container_memory_working_set_bytes{${cadvisor}})`,
  memory_limit_bytes: `max ${byContainer} (kube_pod_container_resource_limits{resource="memory", $container})`,
  memory_request_bytes: `max ${byContainer} (kube_pod_container_resource_requests{resource="memory", $container})`,
  cpu_usage_cores: `sum ${byContainer} (rate(container_cpu_usage_seconds_total{${cadvisor}}[$window]))`,
  cpu_limit_cores: `max ${byContainer} (kube_pod_container_resource_limits{resource="cpu", $container})`,
  cpu_request_cores: `max ${byContainer} (kube_pod_container_resource_requests{resource="cpu", $container})`,
  cpu_throttled_ratio:
    `sum ${byContainer} (rate(container_cpu_cfs_throttled_periods_total{${cadvisor}}[$window]))` +
    ` / sum ${byContainer} (rate(container_cpu_cfs_periods_total{${cadvisor}}[$window]))`,
  container_restarts_total: `max ${byContainer} (kube_pod_container_status_restarts_total{$container})`,
  // kube-state-metrics has no OOM counter: restarts of a container whose last termination was OOMKilled.
  // (cAdvisor's container_oom_events_total resets with every new container and is missing on many kubelets.)
  oom_kills_total:
    `max ${byContainer} (kube_pod_container_status_restarts_total{$container})` +
    ` * on (namespace, pod, container) group_left() max ${byContainer}` +
    ` (kube_pod_container_status_last_terminated_reason{reason="OOMKilled", $container})`,
  http_requests_per_second:
    `sum ${byPod} (rate(http_requests_total{$pod}[$window]))` +
    ` or sum ${byPod} (rate(http_server_requests_seconds_count{$pod}[$window]))`,
  http_error_ratio:
    `(sum ${byPod} (rate(http_requests_total{code=~"5..", $pod}[$window]))` +
    ` or 0 * sum ${byPod} (rate(http_requests_total{$pod}[$window])))` +
    ` / sum ${byPod} (rate(http_requests_total{$pod}[$window]))` +
    ` or (sum ${byPod} (rate(http_server_requests_seconds_count{status=~"5..", $pod}[$window]))` +
    ` or 0 * sum ${byPod} (rate(http_server_requests_seconds_count{$pod}[$window])))` +
    ` / sum ${byPod} (rate(http_server_requests_seconds_count{$pod}[$window]))`,
  http_latency_p99_seconds:
    `histogram_quantile(0.99, sum by (namespace, pod, le) (rate(http_request_duration_seconds_bucket{$pod}[$window])))` +
    ` or histogram_quantile(0.99, sum by (namespace, pod, le) (rate(http_server_requests_seconds_bucket{$pod}[$window])))`,
  replicas_desired:
    'max by (namespace, deployment) (kube_deployment_spec_replicas{$deployment})' +
    ' or max by (namespace, statefulset) (kube_statefulset_replicas{$statefulset})',
  replicas_available:
    'max by (namespace, deployment) (kube_deployment_status_replicas_available{$deployment})' +
    ' or max by (namespace, statefulset) (kube_statefulset_status_replicas_ready{$statefulset})',
  hpa_current_replicas:
    'max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{$namespace})' +
    ' * on (namespace, horizontalpodautoscaler) group_left()' +
    ' max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_info{$hpa})',
  hpa_max_replicas:
    'max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{$namespace})' +
    ' * on (namespace, horizontalpodautoscaler) group_left()' +
    ' max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_info{$hpa})',
  consumer_lag: 'sum by (consumergroup, topic) (kafka_consumergroup_lag{$consumergroup})',
  node_cpu_utilisation: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle", $node}[$window]))',
  node_memory_available_bytes: 'max by (instance) (node_memory_MemAvailable_bytes{$node})',
  node_disk_free_ratio: `min by (instance) (node_filesystem_avail_bytes{${realFs}} / node_filesystem_size_bytes{${realFs}})`,
  db_connections_in_use: `sum ${byPod} (pg_stat_activity_count{$pod})`,
  db_connections_max: `max ${byPod} (pg_settings_max_connections{$pod})`,
} as const satisfies Record<SignalName, string>;

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const duration = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
const stringLiterals = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;

/** Placeholders a template names that do not exist (`$1` and the like, for label_replace, are left alone). */
export function unknownPlaceholders(template: string): string[] {
  const code = template.replace(stringLiterals, '""');
  const names = [...code.matchAll(/\$([A-Za-z_]\w*)/g)].map((match) => match[1] ?? '');
  return names.filter((name) => !(placeholders as readonly string[]).includes(name));
}

const template = z
  .string()
  .trim()
  .min(1)
  .superRefine((value, ctx) => {
    const unknown = unknownPlaceholders(value);
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder ${unknown.map((name) => `$${name}`).join(', ')}; known: ${placeholders.map((p) => `$${p}`).join(', ')}`,
      });
    }
  });

/** The `prometheus` part of medic's config (not wired into src/config here). */
export const prometheusConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  timeoutMs: z.int().positive().default(10_000),
  /** Overrides per signal; the rest keep their defaults. */
  signals: z.partialRecord(z.enum(signalNames), template).optional(),
  /** Sent with every request (Authorization, X-Scope-OrgID, …). */
  headers: z.record(z.string(), z.string()).optional(),
  /** The range of rate()/increase() windows ($window). */
  rateWindow: z
    .string()
    .regex(duration, { message: 'must be a Prometheus duration such as 5m' })
    .default('5m'),
  /** Label matched against SignalTarget.node by $node. */
  nodeLabel: z.string().regex(labelName).default('instance'),
  /** When set, SignalTarget.cluster is matched on this label; unset, the cluster is ignored. */
  clusterLabel: z.string().regex(labelName).optional(),
});

export type PrometheusConfig = z.output<typeof prometheusConfigSchema>;
export type PrometheusConfigInput = z.input<typeof prometheusConfigSchema>;

/** A PromQL double-quoted string literal holding `value` exactly. */
export function quote(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** Escapes RE2 metacharacters so `value` matches itself literally inside a regex matcher. */
export function escapeRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

export interface RenderOptions {
  rateWindow: string;
  nodeLabel: string;
  clusterLabel?: string | undefined;
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

function matcherSets(
  target: SignalTarget,
  options: RenderOptions,
): Record<Exclude<Placeholder, 'window'>, string[]> {
  const eq = (label: string, value: string | undefined) =>
    present(value) ? [`${label}=${quote(value)}`] : [];
  const cluster = options.clusterLabel === undefined ? [] : eq(options.clusterLabel, target.cluster);
  const namespace = [...cluster, ...eq('namespace', target.namespace)];
  const pod = present(target.pod)
    ? eq('pod', target.pod)
    : present(target.workload)
      ? [`pod=~${quote(`${escapeRegex(target.workload)}-.*`)}`]
      : [];
  const node = present(target.node)
    ? [`${options.nodeLabel}=~${quote(`${escapeRegex(target.node)}(:[0-9]+)?`)}`]
    : [];
  return {
    namespace,
    pod: [...namespace, ...pod],
    container: [...namespace, ...pod, ...eq('container', target.container)],
    deployment: [...namespace, ...eq('deployment', target.workload)],
    statefulset: [...namespace, ...eq('statefulset', target.workload)],
    hpa: [...namespace, ...eq('scaletargetref_name', target.workload)],
    consumergroup: [...cluster, ...eq('consumergroup', target.workload)],
    node: [...cluster, ...node],
  };
}

/** Index just past the string literal starting at `start`. */
function stringEnd(text: string, start: number): number {
  const quoteChar = text[start];
  if (quoteChar === '`') {
    const close = text.indexOf('`', start + 1);
    return close === -1 ? text.length : close + 1;
  }
  let i = start + 1;
  while (i < text.length && text[i] !== quoteChar) i += text[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, text.length);
}

/** Drops commas left dangling by empty expansions (`{, a}`, `{a, , b}`, `{a, }`), never inside strings. */
export function tidyCommas(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (char === '"' || char === "'" || char === '`') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (char === ',') {
      const previous = out.trimEnd().at(-1);
      const next = text.slice(i + 1).trimStart()[0];
      if (previous === '{' || previous === ',' || next === '}') {
        if (next === '}') out = out.trimEnd();
        i += 1;
        while (i < text.length && /\s/.test(text[i] as string)) i += 1;
        continue;
      }
    }
    out += char;
    i += 1;
  }
  return out;
}

/** The PromQL for one template and target. */
export function renderTemplate(templateText: string, target: SignalTarget, options: RenderOptions): string {
  const sets = matcherSets(target, options);
  const pattern = new RegExp(`\\$(${placeholders.join('|')})\\b`, 'g');
  const expanded = templateText.replace(pattern, (_match, name: Placeholder) =>
    name === 'window' ? options.rateWindow : sets[name].join(', '),
  );
  return tidyCommas(expanded);
}
