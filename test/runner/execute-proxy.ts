import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';

export interface CountingProxy {
  /** A kubeconfig pointing at the proxy: plain HTTP on loopback, the given bearer token. */
  kubeconfigYaml: string;
  /** Every request that passed, as `METHOD path?query`, oldest first. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of an HTTPS API server that records each request, so a test can
 * count exactly which writes reached the server (TLS would hide them from a plain TCP proxy).
 */
export async function startCountingProxy(
  upstream: string,
  caPem: string,
  token: string,
): Promise<CountingProxy> {
  const target = new URL(upstream);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const forward = send(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        ca: caPem,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${error.message}`);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const kubeconfigYaml = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node 1.x refuses plain http unless the cluster skips TLS verification.
    clusters: [{ name: 'proxy', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'proxy', user: { token } }],
    contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'proxy' } }],
    'current-context': 'proxy',
  });
  return {
    kubeconfigYaml,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
