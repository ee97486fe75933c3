/** A human sign-off of a version for one alias; gates with required_approvals count distinct approvers. */
export interface Approval {
  readonly modelName: string;
  readonly version: number;
  readonly alias: string;
  /** Token subject of the approver. */
  readonly approvedBy: string;
  readonly reason: string;
  readonly approvedAt: Date;
}

/** ApproveVersion as the domain sees it. */
export interface ApproveVersionInput {
  readonly modelName: string;
  readonly version: number;
  readonly alias: string;
  readonly reason: string;
}
