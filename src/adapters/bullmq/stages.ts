/** Queue names per pipeline stage; each arrow in the architecture is one of these. */
export const stageQueues = {
  correlate: 'correlate',
  gather: 'gather',
  retrieve: 'retrieve',
} as const;

export type Stage = keyof typeof stageQueues;
