import { startKubeReplayServer } from '../../src/adapters/replay/kube-server.js';
import { executeContract } from './execute-contract.js';

executeContract(
  'replay server',
  async () => ({
    prepare: async (_namespace, objects) => {
      // Two reads of the Deployment pass before its rollout finishes, so the runner really waits.
      const server = await startKubeReplayServer(objects, { writable: true, rolloutReads: 2 });
      return {
        kubeconfigYaml: server.kubeconfigYaml,
        requests: () => server.requests,
        tick: async () => {},
        close: () => server.close(),
      };
    },
    close: async () => {},
  }),
  null,
);
