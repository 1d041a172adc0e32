/** The delivery-receipt callback SmartSwitch POSTs, well-formed and malformed. */
import { ValidationError } from "@smskit/core";
import { describe, expect, it } from "vitest";
import { parseSmartSwitchDeliveryReceipt, SMARTSWITCH_DELIVERY_STATES } from "../src/index.js";

describe("parseSmartSwitchDeliveryReceipt", () => {
  it.each(SMARTSWITCH_DELIVERY_STATES)("reads state %s from a form body", (state) => {
    expect(parseSmartSwitchDeliveryReceipt(`message_id=42&message_state=${state}`)).toEqual({
      messageId: "42",
      state,
    });
  });

  it("knows exactly the seven documented states", () => {
    expect([...SMARTSWITCH_DELIVERY_STATES].sort()).toEqual(
      ["accepted", "delivered", "enroute", "expired", "rejected", "undeliverable", "unknown"].sort(),
    );
  });

  it("takes URLSearchParams and plain objects", () => {
    const params = new URLSearchParams({ message_id: "7", message_state: "expired" });
    expect(parseSmartSwitchDeliveryReceipt(params)).toEqual({ messageId: "7", state: "expired" });
    expect(parseSmartSwitchDeliveryReceipt({ message_id: "8", message_state: "rejected" })).toEqual({
      messageId: "8",
      state: "rejected",
    });
  });

  it.each([
    ["an empty body", ""],
    ["a missing message_id", "message_state=delivered"],
    ["an empty message_id", "message_id=&message_state=delivered"],
    ["a missing message_state", "message_id=1"],
    ["an unknown state", "message_id=1&message_state=deleted"],
    ["two different ids", "message_id=1&message_id=2&message_state=delivered"],
    ["an empty object", {}],
    ["null", null],
  ])("refuses %s with a typed error", (_, body) => {
    let error: unknown;
    try {
      parseSmartSwitchDeliveryReceipt(body as string);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ provider: "smartswitch", code: "INVALID_DELIVERY_RECEIPT" });
  });
});
