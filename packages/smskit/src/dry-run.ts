import {
  type EmailResult,
  estimateSegments,
  type OutgoingEmail,
  type OutgoingSms,
  type SendResult,
  type SmsProvider,
} from "@smskit/core";

export interface DryRunOptions<Name extends string = "dry-run"> {
  /** Default `"dry-run"`; give each dry-run provider its own name when you configure several. */
  name?: Name;
  /** Receives one line per message (e.g. `console.log`); silent when absent. */
  log?: (line: string) => void;
  /** Largest batch it pretends to take. Default 1000. */
  maxRecipientsPerRequest?: number;
}

export interface DryRunProvider<Name extends string = "dry-run"> extends SmsProvider<Name> {
  /** Everything "sent", in order: assert on it in tests. */
  readonly sent: readonly OutgoingSms[];
  readonly emails: readonly OutgoingEmail[];
}

/** A provider that sends nothing: it records and (optionally) logs each message. For tests and local development. */
export function dryRun<const Name extends string = "dry-run">(
  options: DryRunOptions<Name> = {},
): DryRunProvider<Name> {
  const name = (options.name ?? "dry-run") as Name;
  const sent: OutgoingSms[] = [];
  const emails: OutgoingEmail[] = [];
  let counter = 0;

  const send = async (message: OutgoingSms): Promise<SendResult> => {
    const estimate = estimateSegments(message.text);
    sent.push(message);
    counter += 1;
    options.log?.(
      `[${name}] to ${message.to}${message.from ? ` from ${message.from}` : ""}: ${estimate.segments} ${estimate.encoding} segment(s): ${message.text}`,
    );
    return {
      provider: name,
      to: message.to,
      status: "simulated",
      providerMessageId: `${name}-${counter}`,
      clientRef: message.clientRef,
      segments: estimate.segments,
      encoding: estimate.encoding,
      raw: { dryRun: true },
    };
  };

  return {
    name,
    capabilities: {
      email: true,
      maxRecipientsPerRequest: options.maxRecipientsPerRequest ?? 1000,
      distinctTextsPerRequest: true,
    },
    sent,
    emails,
    send,
    async sendBatch(messages) {
      const outcomes = [];
      for (const message of messages) outcomes.push({ ok: true as const, result: await send(message) });
      return outcomes;
    },
    async sendEmail(email): Promise<EmailResult> {
      emails.push(email);
      counter += 1;
      options.log?.(`[${name}] e-mail to ${email.to}: ${email.subject}`);
      return {
        provider: name,
        to: email.to,
        status: "simulated",
        providerMessageId: `${name}-${counter}`,
        raw: { dryRun: true },
      };
    },
  };
}
