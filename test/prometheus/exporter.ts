import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A gauge (value) or a counter growing at `rate` per second from the exporter's start. */
export type Sample = { value: number } | { rate: number };

export interface FakeSeries {
  name: string;
  labels: Record<string, string>;
  sample: Sample;
}

/** Text exposition format label value escaping. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function render(series: readonly FakeSeries[], elapsedSeconds: number): string {
  const lines = series.map(({ name, labels, sample }) => {
    const labelText = Object.entries(labels)
      .map(([key, value]) => `${key}="${escapeLabel(value)}"`)
      .join(',');
    const value = 'value' in sample ? sample.value : sample.rate * elapsedSeconds;
    return `${name}{${labelText}} ${value}`;
  });
  return `${lines.join('\n')}\n`;
}

/** Serves `series` on /metrics, counters computed at scrape time so their rate is exact. */
export async function startExporter(
  series: readonly FakeSeries[],
): Promise<{ port: number; server: Server }> {
  const started = Date.now();
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    // Offset so counters start well above zero (no counter starts at 0 in a live cluster).
    response.end(render(series, 1000 + (Date.now() - started) / 1000));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

/** A server that accepts connections and never answers (for timeouts). */
export async function startBlackHole(): Promise<{ port: number; server: Server }> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}
