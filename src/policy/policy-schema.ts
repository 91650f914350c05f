import { z } from 'zod';

export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'] as const;
export const DEFAULT_OWN_NAMESPACE = 'medic';

const positive = z.number().positive();
const count = z.number().int().nonnegative();
const positiveCount = z.number().int().positive();

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const LABEL = /^[^=\s]+=[^=\s]*$/;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof weekdays)[number];

const absoluteWindowSchema = z
  .strictObject({
    name: z.string().min(1),
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
  })
  .refine((window) => Date.parse(window.start) < Date.parse(window.end), {
    message: 'end must be after start',
    path: ['end'],
  });

const weeklyWindowSchema = z.strictObject({
  name: z.string().min(1).default('weekly freeze'),
  days: z.array(z.enum(weekdays)).min(1),
  from: z.string().regex(HH_MM, 'expected HH:MM'),
  /** Earlier than or equal to `from` means the window runs past midnight into the next day. */
  to: z.string().regex(HH_MM, 'expected HH:MM'),
  timezone: z.string().refine(isTimeZone, 'expected an IANA time zone such as Europe/Berlin').default('UTC'),
});

export type AbsoluteFreezeWindow = z.output<typeof absoluteWindowSchema>;
export type WeeklyFreezeWindow = z.output<typeof weeklyWindowSchema>;
export type FreezeWindow = AbsoluteFreezeWindow | WeeklyFreezeWindow;

const riskLevels = ['none', 'low', 'medium', 'high'] as const;

const limitsSchema = z.strictObject({
  scale: z
    .strictObject({
      maxFactor: positive.default(2),
      maxReplicas: positiveCount.default(50),
      allowZero: z.boolean().default(false),
    })
    .prefault({}),
  setResources: z.strictObject({ maxFactor: positive.default(4) }).prefault({}),
  rollback: z.strictObject({ maxAgeDays: positive.default(14) }).prefault({}),
  deletePod: z.strictObject({ maxPerIncident: count.default(1) }).prefault({}),
  cordonNode: z
    .strictObject({ maxUnschedulablePercent: z.number().min(0).max(100).default(34) })
    .prefault({}),
  hpa: z
    .strictObject({
      maxFactor: positive.default(2),
      maxReplicas: positiveCount.default(100),
    })
    .prefault({}),
});

/** The file's shape; `protectedNamespaces` gets medic's own namespace added in `parsePolicy`. */
export const policySchema = z.strictObject({
  protectedNamespaces: z.array(z.string().min(1)).optional(),
  protectedLabel: z.string().regex(LABEL, 'expected key=value').default('medic.io/protected=true'),
  limits: limitsSchema.prefault({}),
  blastRadius: z
    .strictObject({
      perWorkloadPerHour: count.default(2),
      perClusterPerHour: count.default(10),
    })
    .prefault({}),
  freezeWindows: z.array(z.union([absoluteWindowSchema, weeklyWindowSchema])).default([]),
  autoApprove: z.strictObject({ maxRisk: z.enum(riskLevels).default('none') }).prefault({}),
  approvals: z
    .strictObject({
      required: positiveCount.default(1),
      highRiskRequired: positiveCount.default(2),
      ttlMinutes: positive.default(60),
      approvers: z
        .strictObject({
          names: z.array(z.string().min(1)).default([]),
          slackUsers: z.array(z.string().min(1)).default([]),
          slackGroups: z.array(z.string().min(1)).default([]),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type PolicyFile = z.input<typeof policySchema>;

export type Policy = Omit<z.output<typeof policySchema>, 'protectedNamespaces'> & {
  /** Always includes medic's own namespace. */
  protectedNamespaces: string[];
};

/** Builds the policy from parsed file content (already validated by `policySchema`). */
export function completePolicy(parsed: z.output<typeof policySchema>, ownNamespace: string): Policy {
  const listed = parsed.protectedNamespaces ?? [...SYSTEM_NAMESPACES];
  return { ...parsed, protectedNamespaces: [...new Set([...listed, ownNamespace])] };
}

/** The policy in force when no policy file is given. */
export function defaultPolicy(ownNamespace: string = DEFAULT_OWN_NAMESPACE): Policy {
  return completePolicy(policySchema.parse({}), ownNamespace);
}

/** Splits `protectedLabel` ("medic.io/protected=true") into its key and value. */
export function protectedLabelParts(policy: Policy): { key: string; value: string } {
  const at = policy.protectedLabel.indexOf('=');
  return { key: policy.protectedLabel.slice(0, at), value: policy.protectedLabel.slice(at + 1) };
}
