import { ValidationError } from "@smskit/core";
import type { components, webhooks } from "./generated/schema.js";

const PROVIDER = "smartswitch";

export type SmartSwitchDeliveryState = components["schemas"]["MessageState"];

/** The receipt's form fields as the spec's `deliveryReceipt` webhook declares them. */
export type SmartSwitchDeliveryReceiptBody =
  webhooks["deliveryReceipt"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"];

export interface SmartSwitchDeliveryReceipt {
  /** Equals the `id` that `sendMessages` returned for the recipient. */
  messageId: string;
  state: SmartSwitchDeliveryState;
}

const DELIVERY_STATES: Record<SmartSwitchDeliveryState, true> = {
  enroute: true,
  delivered: true,
  expired: true,
  undeliverable: true,
  accepted: true,
  unknown: true,
  rejected: true,
};

/** The seven `message_state` values a SmartSwitch delivery receipt can carry. */
export const SMARTSWITCH_DELIVERY_STATES = Object.freeze(
  Object.keys(DELIVERY_STATES) as SmartSwitchDeliveryState[],
);

function invalidReceipt(reason: string): ValidationError {
  return new ValidationError({
    provider: PROVIDER,
    code: "INVALID_DELIVERY_RECEIPT",
    message: `[smartswitch] invalid delivery receipt: ${reason}`,
  });
}

function receiptFields(body: unknown): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const add = (name: string, value: string) => fields.set(name, [...(fields.get(name) ?? []), value]);
  if (typeof body === "string" || body instanceof URLSearchParams) {
    const params = typeof body === "string" ? new URLSearchParams(body.trim()) : body;
    for (const [name, value] of params) add(name, value);
    return fields;
  }
  if (body && typeof body === "object" && !Array.isArray(body)) {
    for (const [name, value] of Object.entries(body)) {
      if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) {
        add(name, String(value));
      }
    }
    return fields;
  }
  throw invalidReceipt(
    `expected the form body as a string, URLSearchParams or an object, got ${body === null ? "null" : typeof body}`,
  );
}

/**
 * Parses the default (form-encoded) delivery receipt SmartSwitch POSTs to the URL your operator
 * configured: `message_id=1561371433517&message_state=delivered`. Also takes the parsed fields as
 * an object, e.g. when the operator switched the callback to JSON. Several receipts for one
 * `message_id` can arrive (`enroute` first, a final state later).
 *
 * @throws {ValidationError} code `INVALID_DELIVERY_RECEIPT` when the body is empty, `message_id` is
 * missing or repeated, or `message_state` is not one of {@link SMARTSWITCH_DELIVERY_STATES}.
 */
export function parseSmartSwitchDeliveryReceipt(
  formBody: string | URLSearchParams | Record<string, string>,
): SmartSwitchDeliveryReceipt {
  const fields = receiptFields(formBody);
  if (fields.size === 0) throw invalidReceipt("the body is empty");
  const single = (name: string): string => {
    const values = [...new Set(fields.get(name) ?? [])];
    if (values.length === 0 || values[0]?.trim() === "") throw invalidReceipt(`${name} is missing`);
    if (values.length > 1) throw invalidReceipt(`${name} has ${values.length} different values`);
    return (values[0] as string).trim();
  };
  const messageId = single("message_id");
  const state = single("message_state");
  if (!Object.hasOwn(DELIVERY_STATES, state)) {
    throw invalidReceipt(
      `message_state ${JSON.stringify(state.slice(0, 40))} is not one of ${SMARTSWITCH_DELIVERY_STATES.join(", ")}`,
    );
  }
  return { messageId, state: state as SmartSwitchDeliveryState };
}
