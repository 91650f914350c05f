/** Queue names per pipeline stage; each arrow in the architecture is one of these. */
export const stageQueues = {
  correlate: 'correlate',
  gather: 'gather',
  retrieve: 'retrieve',
  draft: 'draft',
  guard: 'guard',
  execute: 'execute',
  learn: 'learn',
} as const;

export type Stage = keyof typeof stageQueues;
