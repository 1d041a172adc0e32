/**
 * BullMQ refuses custom job ids that look like integers (`"42"`) or contain `:`, while a `clientRef`
 * may be anything up to 128 characters. A fixed prefix rules out integers; `%` and `:` are
 * percent-encoded, so the mapping is reversible and ids stay readable in Bull Board.
 */
const PREFIX = "sms-";

export function jobIdFor(clientRef: string): string {
  return PREFIX + clientRef.replace(/[%:]/g, (character) => (character === "%" ? "%25" : "%3A"));
}

/** The `clientRef` of a job id made by {@link jobIdFor}; any other id (a job written by hand) as it is. */
export function clientRefOf(jobId: string): string {
  if (!jobId.startsWith(PREFIX)) return jobId;
  return jobId.slice(PREFIX.length).replace(/%3A|%25/g, (code) => (code === "%25" ? "%" : ":"));
}
