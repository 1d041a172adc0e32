/**
 * The fake SmartSwitch HTTP API (`POST /api/message`, every argument in the query): one JSON:API
 * resource per recipient group, in order, and JSON:API `errors` documents for failures. Delivery
 * receipts are the default form post, `message_id=…&message_state=…`.
 */
import { estimateSegments } from "@smskit/core";
import type {
  SmartSwitchDeliveryState,
  SmartSwitchErrorsDocument,
  SmartSwitchMessageDataDocument,
  SmartSwitchMessageResource,
  SmartSwitchSendQuery,
} from "@smskit/smartswitch";
import { smartswitchSpec } from "../generated/smartswitch.openapi.js";
import type { FakeCommonOptions, GatewayDefinition, HandlerContext } from "./core.js";
import { e164Of, json } from "./respond.js";
import { describeProblem } from "./validator.js";

export type SmartSwitchDeliveryStatus = SmartSwitchDeliveryState;

export interface SmartSwitchFakeOptions extends FakeCommonOptions {
  /** Only this `_login` and `_password` are accepted. Default: any. */
  login?: string;
  password?: string;
}

const GROUP = ["body", "source_name", "source_number", "require_dlr", "stealth_ping", "request_id"] as const;
const MESSAGE_ID_BASE = 1_561_370_632_500;

function errors(
  status: number,
  entries: Array<{ code: string; title: string; detail: string }>,
  headers: Record<string, string> = {},
): Response {
  const body: SmartSwitchErrorsDocument = { errors: entries as SmartSwitchErrorsDocument["errors"] };
  return json(status, body, headers);
}

const invalidArgument = (detail: string) => ({ code: "validation", title: "Invalid argument", detail });

function send(context: HandlerContext<SmartSwitchFakeOptions>): Response {
  const query = context.query as SmartSwitchSendQuery;
  const destinations = query.destination_number;
  // The documentation has the server pair the n-th value of each argument with the n-th recipient,
  // and does not say what it does when the counts differ; the fake refuses such a request, so a
  // client that misaligns the groups finds out in its tests rather than by a text going to the wrong number.
  const misaligned = GROUP.filter((name) => {
    const values = query[name];
    return values !== undefined && values.length !== destinations.length;
  });
  if (misaligned.length > 0) {
    return errors(
      400,
      misaligned.map((name) =>
        invalidArgument(
          `${name} has ${query[name]?.length} values for ${destinations.length} recipients; give one per recipient`,
        ),
      ),
    );
  }
  const resources = destinations.map((destination, index): SmartSwitchMessageResource => {
    const id = String(MESSAGE_ID_BASE + context.nextId());
    const text = query.body?.[index] ?? "";
    const segments = estimateSegments(text).segments;
    const requestId = query.request_id?.[index];
    const refused = context.rejects(e164Of(destination));
    if (!refused) {
      context.accept({
        type: "sms",
        to: e164Of(destination),
        text,
        from: query.source_name?.[index] || query.source_number?.[index] || undefined,
        clientRef: requestId,
        id,
        segments,
        simulated: false,
        raw: Object.fromEntries(
          ["destination_number", ...GROUP].flatMap((name) => {
            const value = (query as Record<string, unknown[] | undefined>)[name]?.[index];
            return value === undefined ? [] : [[name, value]];
          }),
        ),
      });
    }
    return {
      id,
      type: "message",
      attributes: { destination_number: destination, segments, status: refused ? "error" : "ok" },
      ...(requestId === undefined ? {} : { meta: { request_id: requestId } }),
    };
  });
  const document: SmartSwitchMessageDataDocument = {
    data: resources.length === 1 ? (resources[0] as SmartSwitchMessageResource) : resources,
  };
  return json(200, document);
}

export const smartSwitchGateway: GatewayDefinition<"smartswitch", SmartSwitchFakeOptions> = {
  provider: "smartswitch",
  spec: smartswitchSpec,
  sendOperations: ["sendMessage"],
  handlers: { sendMessage: send },
  credentialsAccepted: (credentials, options) =>
    (options.login === undefined || credentials.Login === options.login) &&
    (options.password === undefined || credentials.Password === options.password),
  // SmartSwitch does not document the statuses of its errors documents; 400 for bad arguments is the
  // fake's choice (the client classifies by the body first).
  invalid: (problems) =>
    errors(
      400,
      problems.map((problem) => invalidArgument(describeProblem(problem))),
    ),
  unauthorized: () =>
    errors(401, [
      {
        code: "authentication",
        title: "Authentication error",
        detail: "Please check your login and password",
      },
    ]),
  notFound: (context) =>
    errors(404, [
      {
        code: "not_found",
        title: "Not found",
        detail: `No such endpoint: ${new URL(context.request.url).pathname}`,
      },
    ]),
  refuse(fault, context) {
    if (fault === "throttle") {
      return errors(
        429,
        [
          {
            code: "throttled",
            title: "Too many requests",
            detail: `Try again in ${context.retryAfterSeconds} seconds`,
          },
        ],
        { "retry-after": String(context.retryAfterSeconds) },
      );
    }
    if (fault === "unavailable") {
      return errors(503, [{ code: "unavailable", title: "Service unavailable", detail: "Try again later" }]);
    }
    return errors(500, [
      { code: "internal", title: "Internal error", detail: "The message was not processed" },
    ]);
  },
  deliveryReport(message, status, options) {
    const body = new URLSearchParams({ message_id: message.id, message_state: status });
    return new Request(options.url ?? "https://your-app.smskit.invalid/webhooks/smartswitch", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    });
  },
};
