import { ErrorCodes, isMedicError, MedicError } from '../domain/errors.js';
import type { IncidentState } from '../domain/incident.js';
import type { Execution, ExecutionState, Plan } from '../domain/plan.js';
import type { ObjectRef, Playbook } from '../domain/playbook.js';
import { finishedStates } from './execute-claim.js';
import { DEFAULT_LEASE_MS, type ExecuteDeps, incidentFor, paused, permanentCodes } from './execute-deps.js';
import { applyStep, capturePreState, type StepOutcome } from './execute-steps.js';
import { persist, type RunnerEvent, refName } from './execution-log.js';
import { patchedRefs, restorePreState } from './restore.js';
import { verificationTarget, verifyConditions } from './verify.js';
import { rolloutKinds, waitForRollout } from './wait-rollout.js';

/** One run of one execution: a state machine from its stored state to a finished one. */
export class ExecutionRun {
  constructor(
    private readonly plan: Plan,
    private readonly playbook: Playbook,
    private execution: Execution,
    private readonly resumed: boolean,
    private readonly deps: ExecuteDeps,
  ) {}

  async run(): Promise<Execution> {
    try {
      while (!finishedStates.has(this.execution.state)) await this.advance();
      await this.deps.stages.enqueue('learn', this.plan.incidentId, 'outcome');
      return this.execution;
    } catch (error) {
      await this.stopped(error);
      throw error;
    }
  }

  private async advance(): Promise<void> {
    switch (this.execution.state) {
      case 'pending':
      case 'applying':
        return this.applySteps();
      case 'waiting':
        return this.waitRollout(
          patchedRefs(this.plan.steps, this.execution.nextStep),
          'execution',
          'verifying',
        );
      case 'verifying':
        return this.verify();
      case 'rolling-back':
        return this.rollBack();
      default:
        return;
    }
  }

  /** Moves to `state`, saving the execution; throws when another run took the execution over. */
  private async save(
    patch: Partial<Execution>,
    events: RunnerEvent[] = [],
    incident: IncidentState | null = null,
  ): Promise<void> {
    const next = { ...this.execution, ...patch };
    const saved = await persist(this.deps, next, events, incident);
    if (!saved.owned) {
      throw new MedicError(ErrorCodes.internal, `execution of plan ${this.plan.id} was taken over`, {
        plan: this.plan.id,
      });
    }
    this.execution = { ...saved.execution };
  }

  private data(extra: Record<string, unknown>): Record<string, unknown> {
    const target = this.plan.target === null ? null : refName(this.plan.target);
    return { playbook: this.playbook.id, target, ...extra };
  }

  private async applySteps(): Promise<void> {
    const steps = this.plan.steps;
    const firstStep = this.execution.nextStep;
    // Only the step the dead run had persisted as next may have reached the API server.
    let mayBeApplied = this.resumed && this.execution.state === 'applying';
    if (this.execution.state === 'pending') {
      const preState = await capturePreState(steps, this.deps).catch((error: unknown) =>
        this.failFirst(error),
      );
      if (!preState) return;
      if (await this.pausedBefore(0)) return;
      await this.save(
        { state: 'applying', nextStep: 0, preState, error: null },
        [
          {
            type: 'execution.started',
            data: this.data({ steps: steps.length, key: this.execution.idempotencyKey }),
          },
        ],
        'executing',
      );
    }
    for (let k = this.execution.nextStep; k < steps.length; k += 1) {
      const step = steps[k];
      if (!step) break;
      if (k > firstStep || this.resumed) {
        if (await this.pausedBefore(k)) return;
      }
      await this.save({ state: 'applying', nextStep: k, error: null }, [], 'executing');
      let outcome: StepOutcome;
      try {
        outcome = await applyStep(step, this.execution.preState, mayBeApplied, this.deps);
      } catch (error) {
        if (!isMedicError(error) || !permanentCodes.has(error.code)) throw error;
        return this.stepFailed(k, error);
      }
      mayBeApplied = false;
      await this.save({ nextStep: k + 1 }, [
        {
          type: 'execution.step.applied',
          data: this.data({ step: k, action: step.action, object: refName(step.ref), outcome }),
        },
      ]);
      this.deps.onStep?.({ playbook: this.playbook.id, step: k, outcome });
    }
    const wait = this.playbook.wait?.rollout === true;
    await this.save({ state: wait ? 'waiting' : 'verifying' }, [], wait ? null : 'verifying');
  }

  /** The kill switch stops before a write; the execution stays adoptable for the run after it is lifted. */
  private async pausedBefore(step: number): Promise<boolean> {
    if (!(await paused(this.deps))) return false;
    const reason = `paused: the kill switch was on before step ${step}`;
    await this.save({ error: reason }, [{ type: 'execution.skipped.paused', data: this.data({ step }) }]);
    throw new MedicError(ErrorCodes.paused, reason, { plan: this.plan.id, step, retryable: true });
  }

  private async failFirst(error: unknown): Promise<null> {
    if (!isMedicError(error) || !permanentCodes.has(error.code)) throw error;
    await this.stepFailed(0, error);
    return null;
  }

  private async stepFailed(step: number, error: MedicError): Promise<void> {
    const message = `step ${step} failed: ${error.message}`;
    const event = {
      type: 'execution.step.failed',
      data: this.data({ step, outcome: 'failed', error: message }),
    };
    if (step > 0 && this.playbook.rollback === 'restore') {
      await this.save({ state: 'rolling-back', error: message }, [event], 'executing');
      return;
    }
    await this.finish('failed', [event], { error: message });
  }

  private async waitRollout(
    refs: ObjectRef[],
    phase: 'execution' | 'rollback',
    next: ExecutionState,
  ): Promise<void> {
    const wait = this.playbook.wait;
    const lines: string[] = [];
    let failed: string | null = null;
    if (wait?.rollout) {
      for (const ref of refs.filter((r) => rolloutKinds.has(r.kind))) {
        const outcome = await waitForRollout(ref, wait.timeoutSeconds, {
          ...this.deps,
          onPoll: () => this.heartbeat(),
        });
        lines.push(`${phase} rollout of ${refName(ref)}: ${outcome.message}`);
        if (!outcome.done) failed ??= `${refName(ref)}: ${outcome.message}`;
      }
    }
    if (phase === 'rollback') {
      await this.rollbackFinished(lines, failed);
      return;
    }
    const verification = [...this.execution.verification, ...lines];
    if (failed !== null) {
      const event = {
        type: 'execution.rollout.failed',
        data: this.data({ outcome: 'failed', message: failed }),
      };
      if (this.playbook.rollback === 'restore') {
        await this.save({ state: 'rolling-back', verification, error: `rollout failed: ${failed}` }, [event]);
      } else {
        await this.finish('failed', [event], { verification, error: `rollout failed: ${failed}` });
      }
      return;
    }
    const events =
      lines.length > 0
        ? [{ type: 'execution.rollout.done', data: this.data({ outcome: 'done', lines }) }]
        : [];
    await this.save({ state: next, verification }, events, 'verifying');
  }

  private lastBeat = 0;

  /** Refreshes updatedAt during long waits so no other run mistakes this one for dead. */
  private async heartbeat(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    if (now - this.lastBeat < (this.deps.leaseMs ?? DEFAULT_LEASE_MS) / 4) return;
    this.lastBeat = now;
    await this.save({});
  }

  private async verify(): Promise<void> {
    const conditions = this.playbook.verify;
    const windowMs = Math.max(0, ...conditions.map((c) => c.windowSeconds * 1000));
    const until = this.deps.clock.now().getTime() + windowMs;
    const slice = Math.max(
      1,
      Math.min(this.deps.pollIntervalMs * 10, (this.deps.leaseMs ?? DEFAULT_LEASE_MS) / 4),
    );
    // The conditions judge the window after the change, so that window has to pass first.
    while (this.deps.clock.now().getTime() < until) {
      await this.deps.sleep(Math.min(slice, until - this.deps.clock.now().getTime()));
      await this.heartbeat();
    }
    const result = await verifyConditions(
      conditions,
      this.deps.metrics ?? null,
      verificationTarget(this.plan.target, this.plan.params, this.execution.preState),
      this.deps.clock.now(),
    );
    const verification = [...this.execution.verification, ...result.lines];
    if (result.passed) {
      await this.finish(
        'succeeded',
        [{ type: 'execution.verified', data: this.data({ outcome: 'passed', lines: result.lines }) }],
        { verification },
      );
      return;
    }
    const event = {
      type: 'execution.verification.failed',
      data: this.data({ outcome: 'failed', lines: result.lines }),
    };
    if (this.playbook.rollback === 'restore') {
      await this.save({ state: 'rolling-back', verification, error: 'verification failed' }, [event]);
    } else {
      await this.finish('failed', [event], { verification, error: 'verification failed' });
    }
  }

  private async rollBack(): Promise<void> {
    const refs = patchedRefs(this.plan.steps, this.execution.nextStep);
    const results = await restorePreState(
      refs,
      this.execution.preState,
      this.deps.writer,
      this.deps.fieldManager,
    );
    const lines = results.map((r) => r.message);
    const broken = results.filter((r) => !r.ok);
    if (broken.length > 0) {
      await this.rollbackFinished(lines, broken.map((r) => r.message).join('; '));
      return;
    }
    await this.save({ verification: [...this.execution.verification, ...lines] });
    await this.waitRollout(refs, 'rollback', 'rolled-back');
  }

  private async rollbackFinished(lines: string[], failed: string | null): Promise<void> {
    const verification = [...this.execution.verification, ...lines];
    if (failed === null) {
      await this.finish(
        'rolled-back',
        [{ type: 'execution.rolled-back', data: this.data({ outcome: 'rolled-back', lines }) }],
        { verification },
      );
      return;
    }
    await this.finish(
      'rollback-failed',
      [{ type: 'execution.rollback.failed', data: this.data({ outcome: 'rollback-failed', error: failed }) }],
      { verification, error: `rollback failed: ${failed}` },
    );
  }

  private async finish(
    state: 'succeeded' | 'rolled-back' | 'failed' | 'rollback-failed',
    events: RunnerEvent[],
    patch: Partial<Execution>,
  ): Promise<void> {
    const finishedAt = this.deps.clock.now().toISOString();
    await this.save({ ...patch, state, finishedAt }, events, incidentFor[state]);
    const seconds = (Date.parse(finishedAt) - Date.parse(this.execution.startedAt)) / 1000;
    this.deps.counters?.executions.inc({ playbook: this.playbook.id, outcome: state });
    this.deps.counters?.executionSeconds.observe({ playbook: this.playbook.id }, seconds);
    this.deps.logger.info(
      { incident: this.plan.incidentId, plan: this.plan.id, playbook: this.playbook.id, state },
      'execution finished',
    );
  }

  /** Records why this run stopped, so the next run (a retried job) may adopt the execution at once. */
  private async stopped(error: unknown): Promise<void> {
    if (isMedicError(error) && error.code === ErrorCodes.paused) return;
    // Finished: only the hand-off to learn failed, and the retried job repeats that alone.
    if (finishedStates.has(this.execution.state)) return;
    const message = error instanceof Error ? error.message : String(error);
    this.deps.logger.warn(
      { incident: this.plan.incidentId, plan: this.plan.id, err: error },
      'execution stopped',
    );
    try {
      await persist(this.deps, { ...this.execution, error: `stopped: ${message}` }, []);
    } catch {
      // The store is what failed; the lease lets the next run adopt the execution instead.
    }
  }
}
