import type { AppContext } from "../context";

/** At most this many per run: a timer run stays short; the next run takes the rest. */
const MAX_PER_RUN = 2_000;

/**
 * Dead-lettered notices (a consumer gave up: a poison message, a sender that kept failing) still hold an
 * address and perhaps a code. Nothing delivers them any more, so they are dropped; the count is all that
 * is kept (the log). Expired notices never get here: the `notifications` queue drops them on expiry.
 */
export async function dropDeadLetteredNotices(app: AppContext): Promise<{ dropped: number }> {
  const deadLetters = app.ports.notifier.deadLetters;
  if (!deadLetters) return { dropped: 0 };
  return { dropped: await deadLetters.drop(MAX_PER_RUN) };
}
