// A stand-in for Prometheus's query API that answers every query after a fixed delay (bench only).
import { createServer } from 'node:http';

const latency = Number(process.env['LATENCY_MS'] ?? 50);
const server = createServer((request, response) => {
  setTimeout(() => {
    const now = Math.floor(Date.now() / 1000);
    const query = new URL(request.url ?? '/', 'http://x').searchParams.get('query') ?? '';
    const result = query.includes('container_memory_working_set_bytes')
      ? [
          {
            metric: {
              medic_signal: 'memory_working_set_bytes',
              namespace: 'shop',
              pod: 'checkout-7d9f8b6c5-x2x7q',
              container: 'app',
            },
            values: Array.from({ length: 60 }, (_, i) => [now - 3600 + i * 60, String(4e8 + i * 1e6)]),
          },
        ]
      : [];
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
  }, latency);
});
server.keepAliveTimeout = 60_000;
server.listen({ port: Number(process.env['PORT']), host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write('ready\n');
});
