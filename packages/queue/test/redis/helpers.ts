import { inject } from "vitest";
import { createSmsQueue, type QueuedSmsInput, type SmsQueue } from "../../src/index.js";

let counter = 0;
/** A fresh queue name per test, so tests sharing one Redis never see each other's messages. */
export function queueName(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}`;
}

export function redisUrl(): string {
  return inject("redisUrl");
}

export function messages(count: number, prefix: string): QueuedSmsInput[] {
  return Array.from({ length: count }, (_, index) => ({
    to: `+47${String(40_000_000 + index)}`,
    text: `Message ${index} of ${prefix}`,
    clientRef: `${prefix}-${index}`,
  }));
}

export async function enqueueAll(queue: SmsQueue, list: readonly QueuedSmsInput[]): Promise<void> {
  for (let start = 0; start < list.length; start += 1_000) {
    const outcomes = await queue.enqueueMany(list.slice(start, start + 1_000));
    const refused = outcomes.filter((outcome) => !outcome.ok);
    if (refused.length > 0) throw new Error(`${refused.length} messages were refused`);
  }
}

export function producer(
  url: string,
  name: string,
  extra: Parameters<typeof createSmsQueue>[0] = {},
): SmsQueue {
  return createSmsQueue({ connection: url, name, backoffMs: 100, ...extra });
}
