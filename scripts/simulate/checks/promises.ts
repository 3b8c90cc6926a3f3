/** One promise of the policies, checked over the whole run: held, or broken with each case named. */
export interface PromiseResult {
  id: string;
  promise: string;
  checked: number;
  held: boolean;
  broken: string[];
}

/** Slack of one deadline: hours left when the work was done (negative: late). */
export interface SlackSample {
  kind: string;
  day: number;
  slackHours: number;
  ref: string;
}

export class Promises {
  readonly results = new Map<string, PromiseResult>();

  constructor(private readonly names: Record<string, string>) {}

  private of(id: string): PromiseResult {
    let r = this.results.get(id);
    if (!r) {
      r = { id, promise: this.names[id] ?? id, checked: 0, held: true, broken: [] };
      this.results.set(id, r);
    }
    return r;
  }

  /** One case of promise `id`: `ok`, or broken with what went wrong. */
  check(id: string, ok: boolean, what: () => string): void {
    const r = this.of(id);
    r.checked += 1;
    if (!ok) {
      r.held = false;
      if (r.broken.length < 50) r.broken.push(what());
    }
  }

  /** A promise with nothing to check this run is still listed (checked 0). */
  declare(id: string): void {
    this.of(id);
  }

  list(): PromiseResult[] {
    return [...this.results.values()];
  }
}

export const PROMISES: Record<string, string> = {
  grievance_acknowledged_24h: "Every grievance acknowledged within 24 hours (Privacy Policy §14)",
  grievance_resolved_15d: "Every grievance resolved within 15 days (Privacy Policy §14)",
  request_answered_in_time:
    "Every access, correction, nomination and consent-withdrawal request answered by its deadline (from verification)",
  number_erasure_30d: "Every WhatsApp-number erasure done within 30 days of verification (Data Deletion §7)",
  purge_not_before_day_30: "No account purged before day 30 of its window, nor while a legal hold lasts",
  purge_at_day_30:
    "Every account purge started when due (day 30, or the hold's release), within the reconciliation bound",
  account_erasure_completed:
    "Every purged account's erasure completed once the backups holding it rotated out (within backupRotation) and every partner settled",
  breach_board_72h: "Every breach reported to the Board within 72 hours of discovery",
  partner_confirmed_or_escalated:
    "Every partner task confirmed by its deadline, or escalated (overdue) at it and then settled: never forgotten",
  erasure_leaves_nothing:
    "After every completed erasure, no record of the tenant or number outside the categories the law keeps (store scan)",
  backups_rotated: "No backup set (or an erased subject's blob in one) kept past its rotation",
  certificate_verifies: "Every deletion certificate verifies offline against its chain and the stored anchor",
  chain_verifies: "Every audit chain verifies, and against its anchors",
  reactivation_loses_nothing: "No reactivated account lost a record",
  restore_repairs: "A damaged tenant restored from a backup has its records back",
  retention_swept:
    "No usage record kept past its retention (90 days), no payment retained for tax law past its seven years (swept daily)",
  retention_not_early: "No payment retained for tax law deleted before its seven years were over",
  faults_recovered: "Every injected fault recovered by the service's own mechanisms",
  nothing_dead_lettered: "No scheduled work dead-lettered",
  api_answered: "Every simulated request answered as documented (no unexpected status)",
};
