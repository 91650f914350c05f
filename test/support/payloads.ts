import { createHash } from 'node:crypto';

export interface AlertSpec {
  alertname?: string;
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  fingerprint?: string;
}

export function fingerprintFor(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 16);
}

/** An Alertmanager v4 webhook body as Alertmanager sends it. */
export function webhookPayload(alerts: AlertSpec[], status: 'firing' | 'resolved' = 'firing') {
  const built = alerts.map((spec, i) => {
    const labels = {
      alertname: spec.alertname ?? 'KubePodCrashLooping',
      severity: 'warning',
      ...spec.labels,
    };
    return {
      status: spec.status ?? status,
      labels,
      annotations: spec.annotations ?? { summary: `${labels.alertname} test alert ${i}` },
      startsAt: spec.startsAt ?? '2026-11-25T10:00:00Z',
      endsAt: (spec.status ?? status) === 'resolved' ? '2026-11-25T10:30:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=up+%3D%3D+0',
      fingerprint: spec.fingerprint ?? fingerprintFor(JSON.stringify(labels)),
    };
  });
  return {
    version: '4',
    groupKey: '{}:{alertname="test"}',
    truncatedAlerts: 0,
    status,
    receiver: 'medic',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: built,
  };
}

export function podAlert(namespace: string, pod: string, extra: Partial<AlertSpec> = {}): AlertSpec {
  return { ...extra, labels: { namespace, pod, container: 'app', ...extra.labels } };
}
