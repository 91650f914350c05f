import type { DraftRecord } from '../../domain/draft.js';
import type { Approval, Execution, Plan } from '../../domain/plan.js';
import type { SqlRunner } from './plan-records.js';
import * as records from './plan-records.js';

/** The plan, approval, execution and setting half of IncidentTx, shared by both stores. */
export abstract class PlanRecordsTx {
  protected abstract readonly sql: SqlRunner;

  saveDraft(incidentId: string, draft: DraftRecord): Promise<void> {
    return records.saveDraft(this.sql, incidentId, draft);
  }
  savePlan(plan: Plan): Promise<void> {
    return records.savePlan(this.sql, plan);
  }
  getPlan(planId: string): Promise<Plan | null> {
    return records.readPlan(this.sql, planId);
  }
  recordApproval(approval: Approval): Promise<{ recorded: boolean }> {
    return records.recordApproval(this.sql, approval);
  }
  approvals(planId: string): Promise<Approval[]> {
    return records.readApprovals(this.sql, planId);
  }
  getExecution(planId: string): Promise<Execution | null> {
    return records.readExecution(this.sql, planId);
  }
  saveExecution(execution: Execution): Promise<{ created: boolean; current: Execution }> {
    return records.saveExecution(this.sql, execution);
  }
  countExecutions(filter: { since: string; cluster?: string; correlationKey?: string }): Promise<number> {
    return records.countExecutions(this.sql, filter);
  }
  setSetting(key: string, value: unknown): Promise<void> {
    return records.writeSetting(this.sql, key, value, new Date().toISOString());
  }
}

/** The read half for the stores themselves (outside a transaction). */
export abstract class PlanRecordsReader {
  protected abstract readonly readSql: SqlRunner;

  draft(incidentId: string): Promise<DraftRecord | null> {
    return records.readDraft(this.readSql, incidentId);
  }
  latestPlan(incidentId: string): Promise<Plan | null> {
    return records.readLatestPlan(this.readSql, incidentId);
  }
  plan(planId: string): Promise<Plan | null> {
    return records.readPlan(this.readSql, planId);
  }
  approvals(planId: string): Promise<Approval[]> {
    return records.readApprovals(this.readSql, planId);
  }
  execution(planId: string): Promise<Execution | null> {
    return records.readExecution(this.readSql, planId);
  }
  setting(key: string): Promise<unknown> {
    return records.readSetting(this.readSql, key);
  }
  countExecutions(filter: { since: string; cluster?: string; correlationKey?: string }): Promise<number> {
    return records.countExecutions(this.readSql, filter);
  }
}
