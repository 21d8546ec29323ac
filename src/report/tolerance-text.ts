/** A tolerance-matrix cell's recovery, in words for tables. */

/** The fields of a cell its recovery is told from. */
export interface RecoveryFields {
  readonly variant: string;
  readonly recoverMs: number | undefined;
  readonly selfHealMs?: number | undefined;
}

/** Milliseconds after the heal, or (under a supervisor) after the kill with no heal. */
export function recoveryText(cell: RecoveryFields): string {
  if (cell.variant === "kill+supervisor")
    return cell.selfHealMs === undefined
      ? "never, unaided"
      : `${Math.round(cell.selfHealMs)} after the kill, unaided`;
  return cell.recoverMs === undefined ? "-" : String(Math.round(cell.recoverMs));
}
