import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/**
 * An envtest-style Kubernetes control plane for tests: a real etcd and kube-apiserver (and optionally
 * kube-controller-manager) built from source by scripts/build-kube.sh, on free loopback ports, with a
 * throwaway data directory. No kubelet, so Pods never run; Deployments become ReplicaSets and Pods
 * objects when the controllers are started.
 */

/** Must match scripts/build-kube.sh. */
export const KUBE_VERSION = '1.37.2';

const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager'] as const;

/** Where the binaries are: MEDIC_KUBE_BIN, else ${MEDIC_CACHE:-~/.cache/medic}/kube/<version>/bin. */
export function kubeBinDir(): string {
  const override = process.env['MEDIC_KUBE_BIN'];
  if (override) return override;
  const cache = process.env['MEDIC_CACHE'] ?? join(homedir(), '.cache', 'medic');
  return join(cache, 'kube', KUBE_VERSION, 'bin');
}

/** True when etcd, kube-apiserver and kube-controller-manager are built (see scripts/build-kube.sh). */
export function controlPlaneAvailable(): boolean {
  const dir = kubeBinDir();
  return BINARIES.every((name) => existsSync(join(dir, name)));
}

/** A reason to print when skipping, e.g. `it.skipIf(!controlPlaneAvailable())`. */
export function controlPlaneSkipReason(): string {
  return `kube binaries not found in ${kubeBinDir()} (run: bash scripts/build-kube.sh, or set MEDIC_KUBE_BIN)`;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface ControlPlane {
  /** A kubeconfig (admin token, CA data) for @kubernetes/client-node's loadFromString or kubectl. */
  kubeconfigYaml: string;
  /** https://127.0.0.1:<port> */
  url: string;
  /** Bearer token of a user in group system:masters. */
  token: string;
  /** PEM bundle that verifies the apiserver's self-signed serving certificate. */
  caPem: string;
  /**
   * A JSON request to the API as admin. (Node's global fetch cannot be given a custom CA without the
   * undici package, so this uses node:https with `caPem`.)
   */
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse>;
  /** Log files of etcd, kube-apiserver and kube-controller-manager, for debugging a failed test. */
  logs: Record<string, string>;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Also start kube-controller-manager. */
  withControllers?: boolean;
  /** Controllers to run when withControllers is set. */
  controllers?: string[];
  /** Extra kube-apiserver flags. */
  apiServerFlags?: string[];
  /** How long to wait for /readyz. */
  startTimeoutMs?: number;
}

/** Names as kube-controller-manager --help lists them (1.37 takes the short forms for some only). */
const DEFAULT_CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'cronjob-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
];

interface Proc {
  name: string;
  child: Guarded;
  log: string;
  exited: Promise<number | null>;
  exitCode: number | null | undefined;
}

/**
 * The binary runs under a tiny /bin/sh watchdog, in its own process group: a test worker that is
 * killed outright (a vitest timeout, ^C) cannot leave etcd or an apiserver running, since the watchdog
 * kills the binary once the worker's pid is gone. `signal` goes to the whole group; the watchdog
 * ignores SIGTERM and exits when the binary does, with its exit code.
 */
const WATCHDOG = [
  'parent=$1; shift',
  'trap : TERM INT',
  '"$@" & child=$!',
  'while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done',
  'kill -0 "$parent" 2>/dev/null || kill -KILL "$child" 2>/dev/null',
  'wait "$child"',
].join('\n');

export interface Guarded {
  process: ChildProcess;
  signal(signal: NodeJS.Signals): void;
  /** undefined while it runs; its exit code (−1 when killed by a signal or never started) after. */
  exitCode(): number | null | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs: number): Promise<void>;
}

const live = new Set<Guarded>();
let exitHookInstalled = false;

/** Spawns `bin` with stdout and stderr appended to `logFile`; see WATCHDOG. */
export function spawnGuarded(
  bin: string,
  args: string[],
  options: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv },
): Guarded {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const guarded of live) guarded.signal('SIGKILL');
    });
  }
  const fd = openSync(options.logFile, 'a');
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'watchdog', String(process.pid), bin, ...args], {
    stdio: ['ignore', fd, fd],
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
  });
  closeSync(fd);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code) => {
      exitCode = code;
      resolve();
    });
    child.on('error', () => {
      exitCode = -1;
      resolve();
    });
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  const guarded: Guarded = {
    process: child,
    signal,
    exitCode: () => exitCode,
    async stop(graceMs) {
      if (exitCode !== undefined) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  live.add(guarded);
  child.on('exit', () => live.delete(guarded));
  return guarded;
}

function start(name: string, bin: string, args: string[], dir: string): Proc {
  const log = join(dir, `${name}.log`);
  const child = spawnGuarded(bin, args, { cwd: dir, logFile: log });
  const proc: Proc = {
    name,
    child,
    log,
    exitCode: undefined,
    exited: new Promise((resolve) => {
      child.process.on('exit', (code, signal) => {
        proc.exitCode = code ?? (signal ? -1 : null);
        resolve(code);
      });
      child.process.on('error', () => {
        proc.exitCode = -1;
        resolve(-1);
      });
    }),
  };
  return proc;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Polls `probe` until it is true; fails at once (not at the timeout) when `proc` exits. */
async function waitReady(proc: Proc, what: string, probe: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (proc.exitCode !== undefined) {
      throw new Error(`${proc.name} exited (code ${proc.exitCode}); last log lines:\n${tail(proc.log)}`);
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}

async function stopProc(proc: Proc, timeoutMs = 10_000): Promise<void> {
  if (proc.exitCode !== undefined) return;
  proc.child.signal('SIGTERM');
  const timer = setTimeout(() => proc.child.signal('SIGKILL'), timeoutMs);
  await proc.exited;
  clearTimeout(timer);
}

function httpsJson(
  url: string,
  options: { method?: string; token?: string; ca?: string; body?: unknown; contentType?: string },
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (payload !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const req = httpsRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers,
        ...(options.ca ? { ca: options.ca } : { rejectUnauthorized: false }),
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON (e.g. /readyz says "ok")
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

function kubeconfig(url: string, caPem: string, token: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: medic-test',
    '  cluster:',
    `    server: ${url}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    '- name: admin',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: medic-test',
    '  context:',
    '    cluster: medic-test',
    '    user: admin',
    '    namespace: default',
    'current-context: medic-test',
    '',
  ].join('\n');
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  if (!controlPlaneAvailable()) throw new Error(controlPlaneSkipReason());
  const bin = kubeBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'medic-kube-'));
  const timeout = options.startTimeoutMs ?? 90_000;
  const procs: Proc[] = [];

  const stop = async (): Promise<void> => {
    for (const proc of [...procs].reverse()) await stopProc(proc);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // --- etcd
    const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = start(
      'etcd',
      join(bin, 'etcd'),
      [
        '--name=medic-test',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=medic-test=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      dir,
    );
    procs.push(etcd);
    await waitReady(
      etcd,
      'etcd /health',
      async () => {
        const res = await fetch(`${etcdUrl}/health`);
        return res.ok;
      },
      timeout,
    );

    // --- credentials
    const token = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const saKey = join(dir, 'sa.key');
    const saPub = join(dir, 'sa.pub');
    writeFileSync(saKey, privateKey, { mode: 0o600 });
    writeFileSync(saPub, publicKey);

    // --- kube-apiserver (serving cert: self-signed CA + cert generated by the apiserver in --cert-dir)
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const certDir = join(dir, 'certs');
    const apiserver = start(
      'kube-apiserver',
      join(bin, 'kube-apiserver'),
      [
        `--etcd-servers=${etcdUrl}`,
        `--etcd-prefix=/registry`,
        '--advertise-address=127.0.0.1',
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${certDir}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        `--service-account-issuer=${url}/`,
        `--service-account-key-file=${saPub}`,
        `--service-account-signing-key-file=${saKey}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--disable-admission-plugins=ServiceAccount',
        '--endpoint-reconciler-type=none',
        '--v=1',
        ...(options.apiServerFlags ?? []),
      ],
      dir,
    );
    procs.push(apiserver);
    await waitReady(
      apiserver,
      'kube-apiserver /readyz',
      async () => {
        const res = await httpsJson(`${url}/readyz`, { token });
        return res.status === 200;
      },
      timeout,
    );
    const caPem = readFileSync(join(certDir, 'apiserver.crt'), 'utf8');
    const kubeconfigYaml = kubeconfig(url, caPem, token);

    // --- kube-controller-manager
    if (options.withControllers) {
      const kubeconfigFile = join(dir, 'kubeconfig.yaml');
      writeFileSync(kubeconfigFile, kubeconfigYaml, { mode: 0o600 });
      writeFileSync(join(dir, 'ca.crt'), caPem);
      const kcmPort = await freePort();
      const kcm = start(
        'kube-controller-manager',
        join(bin, 'kube-controller-manager'),
        [
          `--kubeconfig=${kubeconfigFile}`,
          `--authentication-kubeconfig=${kubeconfigFile}`,
          `--authorization-kubeconfig=${kubeconfigFile}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          `--secure-port=${kcmPort}`,
          `--cert-dir=${join(dir, 'kcm-certs')}`,
          `--controllers=${(options.controllers ?? DEFAULT_CONTROLLERS).join(',')}`,
          `--service-account-private-key-file=${saKey}`,
          `--root-ca-file=${join(dir, 'ca.crt')}`,
          '--v=1',
        ],
        dir,
      );
      procs.push(kcm);
      await waitReady(
        kcm,
        'kube-controller-manager /healthz',
        async () => {
          const res = await httpsJson(`https://127.0.0.1:${kcmPort}/healthz`, {});
          return res.status === 200;
        },
        timeout,
      );
    }

    return {
      kubeconfigYaml,
      url,
      token,
      caPem,
      logs: Object.fromEntries(procs.map((p) => [p.name, p.log])),
      request: (method, path, body, contentType) =>
        httpsJson(`${url}${path}`, {
          method,
          token,
          ca: caPem,
          body,
          ...(contentType ? { contentType } : {}),
        }),
      stop,
    };
  } catch (error) {
    const logs = procs.map((p) => `--- ${p.name} (${p.log})\n${tail(p.log, 15)}`).join('\n');
    await stop().catch(() => undefined);
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
}

function ensureOk(what: string, response: ApiResponse, allowed: number[] = []): ApiResponse {
  if ((response.status >= 200 && response.status < 300) || allowed.includes(response.status)) return response;
  throw new Error(`${what}: HTTP ${response.status}: ${JSON.stringify(response.body)}`);
}

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { containers: Array<{ name: string; image: string }> };
  status?: { phase?: string };
}

/**
 * Marks every live Pod of `namespace` that is not Running yet Running and Ready through the status subresource, as a kubelet
 * would (none runs here). The pods stay unbound to any node, so a delete removes them at once instead of
 * waiting for a kubelet to confirm. Returns the names of the pods it marked.
 */
export async function markPodsReady(plane: ControlPlane, namespace: string): Promise<string[]> {
  const list = ensureOk(
    `list pods in ${namespace}`,
    await plane.request('GET', `/api/v1/namespaces/${namespace}/pods`),
  );
  const pods = (list.body as { items: PodJson[] }).items.filter(
    (pod) => !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Running',
  );
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const pod of pods) {
    const status = {
      phase: 'Running',
      startTime: now,
      conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
        type,
        status: 'True',
        lastTransitionTime: now,
      })),
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: `docker.io/library/${c.image}@sha256:${'0'.repeat(64)}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    };
    const path = `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/status`;
    // 404: the pod went away since the list (a ReplicaSet scaled down meanwhile).
    ensureOk(
      `mark ${pod.metadata.name} ready`,
      await plane.request('PATCH', path, { status }, 'application/merge-patch+json'),
      [404],
    );
  }
  return pods.map((pod) => pod.metadata.name);
}

/** A fake Node (no kubelet behind it) that reports Ready, for cordon tests. */
export async function createFakeNode(plane: ControlPlane, name: string): Promise<void> {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  };
  ensureOk(`create node ${name}`, await plane.request('POST', '/api/v1/nodes', node), [409]);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const status = {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      },
    ],
    capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
  };
  const path = `/api/v1/nodes/${name}/status`;
  ensureOk(
    `mark node ${name} ready`,
    await plane.request('PATCH', path, { status }, 'application/merge-patch+json'),
  );
}

/**
 * A kubeconfig for a ServiceAccount of `namespace` (created with the namespace if need be) that RBAC
 * lets only get, list and watch: every write it sends is answered 403. The token comes from TokenRequest.
 */
export async function restrictedKubeconfig(
  plane: ControlPlane,
  namespace: string,
  name = 'medic-read-only',
): Promise<string> {
  const rbac = 'rbac.authorization.k8s.io/v1';
  const objects: Array<[string, unknown]> = [
    ['/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }],
    [
      `/api/v1/namespaces/${namespace}/serviceaccounts`,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    ],
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      {
        apiVersion: rbac,
        kind: 'ClusterRole',
        metadata: { name },
        rules: [
          { apiGroups: ['', 'apps', 'autoscaling'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
        ],
      },
    ],
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      {
        apiVersion: rbac,
        kind: 'ClusterRoleBinding',
        metadata: { name: `${name}-${namespace}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    ],
  ];
  for (const [path, body] of objects)
    ensureOk(`create ${path}`, await plane.request('POST', path, body), [409]);
  const tokenPath = `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`;
  const request = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600 },
  };
  const response = ensureOk(`request a token for ${name}`, await plane.request('POST', tokenPath, request));
  const token = (response.body as { status?: { token?: string } }).status?.token;
  if (!token) throw new Error(`no token in the TokenRequest answer: ${JSON.stringify(response.body)}`);
  return kubeconfig(plane.url, plane.caPem, token);
}
