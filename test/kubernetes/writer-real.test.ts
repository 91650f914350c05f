import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, it } from 'vitest';
import { createClusterReader } from '../../src/adapters/kubernetes/reader.js';
import { createClusterWriter } from '../../src/adapters/kubernetes/writer.js';
import {
  type ControlPlane,
  controlPlaneAvailable,
  controlPlaneSkipReason,
  markPodsReady,
  restrictedKubeconfig,
  startControlPlane,
} from '../support/control-plane.js';
import { loadIntoCluster } from './load-objects.js';
import { clusterWriterContract, writerNamespace } from './writer-contract.js';

/**
 * The writer contract against a throwaway etcd + kube-apiserver + kube-controller-manager (deployment
 * and replicaset controllers, so Deployments really roll). No kubelet runs: `settle` marks new pods
 * Ready through the status subresource, as a kubelet would.
 */
let plane: ControlPlane | undefined;

if (controlPlaneAvailable()) {
  afterAll(async () => {
    await plane?.stop();
  });
  clusterWriterContract('real control plane through @kubernetes/client-node', {
    rbac: true,
    async start(objects) {
      plane = await startControlPlane({
        withControllers: true,
        controllers: ['deployment-controller', 'replicaset-controller', 'garbage-collector-controller'],
      });
      const running = plane;
      const kc = new KubeConfig();
      kc.loadFromString(running.kubeconfigYaml);
      // Status is the controllers' to write here: one written beside them would race them (409).
      await loadIntoCluster(
        kc,
        objects.map(({ status: _status, ...object }) => object),
      );
      const config = { kubeconfigYaml: running.kubeconfigYaml };
      const readOnly = await restrictedKubeconfig(running, writerNamespace);
      return {
        writer: createClusterWriter(config),
        reader: createClusterReader(config),
        readOnlyWriter: createClusterWriter({ kubeconfigYaml: readOnly }),
        settle: async () => {
          await markPodsReady(running, writerNamespace);
        },
        close: async () => {},
      };
    },
  });
} else {
  // Only on a machine where scripts/build-kube.sh has not run (CI runs it): the skip names the reason.
  describe.skipIf(true)(`ClusterWriter contract: real control plane (${controlPlaneSkipReason()})`, () => {
    it('needs a control plane', () => {});
  });
}
