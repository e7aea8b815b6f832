// Reasons for a refusal quote what was sent, so a person can find it; they must never carry it.
// A reason travels as a NATS header next to the original bytes (docs/wire.md, "Invalid reads"): a
// reason quoting a 600 KB plate in full pushed that copy over max_payload, its publish failed on
// every redelivery and the pipeline's batch was never acked. These keep every reason short.

/** The longest reason, in characters; a longer one is cut and ends in `…`. */
export const MAX_REASON_LENGTH = 256;
/** The most characters of someone else's text a reason quotes; a longer text is cut and its length said. */
export const MAX_QUOTED_LENGTH = 32;

/** `text` in double quotes, or its first MAX_QUOTED_LENGTH characters, `…` and how long it was. */
export function quoted(text: string): string {
  if (text.length <= MAX_QUOTED_LENGTH) return `"${text}"`;
  return `"${headOf(text, MAX_QUOTED_LENGTH)}…" (${text.length} characters)`;
}

/** The reason itself when short enough, else its head and `…`, MAX_REASON_LENGTH characters in all. */
export function boundedReason(reason: string): string {
  return reason.length <= MAX_REASON_LENGTH ? reason : `${headOf(reason, MAX_REASON_LENGTH - 1)}…`;
}

/** The first `n` UTF-16 units (all of a shorter text), one fewer if the cut would split a surrogate pair. */
export function headOf(text: string, n: number): string {
  const last = text.charCodeAt(n - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? n - 1 : n);
}
