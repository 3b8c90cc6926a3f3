import type { Policy } from "../policy/periods";

/** The one notice that carries a one-time code (src/domain/notices/types.ts). */
const CODE_TEMPLATE = "verification_code";

/** How long a notice may wait in the notifications queue, by what it carries. */
export type NoticeTimeToLive = (notice: { template: string }) => number;

/**
 * A notice with a code expires before the code does (codeNoticeTimeToLive); any other notice waits at
 * most noticeTimeToLive, which is also the queue's own default in Bicep (a message's time-to-live above
 * the queue's default is cut to it by Service Bus, so the default must be the longer of the two).
 */
export function noticeTimeToLive(policy: Policy): NoticeTimeToLive {
  const code = policy.periodMs(new Date(0), "codeNoticeTimeToLive");
  const other = policy.periodMs(new Date(0), "noticeTimeToLive");
  return (notice) => (notice.template === CODE_TEMPLATE ? code : other);
}
