/** Entity Resolution's limits on what one rule-based matching workflow may hold and produce. */
export interface WorkflowLimits {
  /** Rules in `ruleBasedProperties.rules` (the service model allows up to 25). */
  rulesPerWorkflow: number;
  /** Records that one MatchID may consolidate. */
  recordsPerMatchId: number;
}

/** The quotas page: 15 matching rules per rule-based workflow and 500 records per MatchID, neither adjustable. */
export const AWS_WORKFLOW_LIMITS: Readonly<WorkflowLimits> = { rulesPerWorkflow: 15, recordsPerMatchId: 500 };

/** The limits in force: AWS's unless a test raised them through the admin API. */
export class WorkflowLimitSettings {
  readonly current: WorkflowLimits = { ...AWS_WORKFLOW_LIMITS };

  set(limits: Partial<WorkflowLimits>): WorkflowLimits {
    return Object.assign(this.current, limits);
  }

  reset(): void {
    Object.assign(this.current, AWS_WORKFLOW_LIMITS);
  }
}
