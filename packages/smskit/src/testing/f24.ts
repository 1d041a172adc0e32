/**
 * The fake F24 Message API (`POST /SendSMSExt`). Failures carry F24's `{ Errors: [{ Title, Details,
 * Code }] }` with `Code` repeating the HTTP status, 460 for invalid data as F24 documents it.
 */
import { estimateSegments } from "@smskit/core";
import type { F24ErrorResponse, F24SendRequest, F24SendResponse } from "@smskit/f24";
import { f24Spec } from "../generated/f24.openapi.js";
import type { FakeCommonOptions, GatewayDefinition, HandlerContext } from "./core.js";
import { json } from "./respond.js";
import type { RequestProblem } from "./validator.js";

export interface F24FakeOptions extends FakeCommonOptions {
  /** Only this AccessKey and AccessToken pair is accepted. Default: any. */
  accessKey?: string;
  accessToken?: string;
}

function errors(status: number, ...entries: Array<{ Title: string; Details: string }>): Response {
  const body: F24ErrorResponse = { Errors: entries.map((entry) => ({ ...entry, Code: status })) };
  return json(status, body);
}

/** `Messages[0].Recipient`, the way F24's own example names a field. */
function fieldOf(problem: RequestProblem): string {
  return problem.path.reduce<string>(
    (name, part) => (typeof part === "number" ? `${name}[${part}]` : name === "" ? part : `${name}.${part}`),
    "",
  );
}

function detailOf(problem: RequestProblem): string {
  const field = fieldOf(problem) || "The request body";
  if (problem.keyword === "required") return `${field} is missing.`;
  if (problem.keyword === "additionalProperties") return `${field} is not a known property.`;
  return `${field} ${problem.message}.`;
}

/** F24 documents no per-recipient refusal beyond `Valid: false`; the `Status` text is the fake's. */
const REFUSED_STATUS = "Invalid recipient";

const batchIdOf = (sequence: number) =>
  `F24FA4E0-0000-4000-8000-${sequence.toString(16).toUpperCase().padStart(12, "0")}`;

function send(context: HandlerContext<F24FakeOptions>): Response {
  const { Messages } = context.body as F24SendRequest;
  const batchId = batchIdOf(context.nextId());
  const Recipients = Messages.map((message): F24SendResponse["Recipients"][number] => {
    if (context.rejects(message.Recipient)) {
      return { Status: REFUSED_STATUS, Valid: false, Recipient: message.Recipient };
    }
    context.accept({
      type: "sms",
      to: message.Recipient,
      text: message.Content,
      from: message.Sender,
      id: batchId,
      segments: estimateSegments(message.Content).segments,
      simulated: false,
      raw: message,
    });
    return { Status: "Queued", Valid: true, Recipient: message.Recipient };
  });
  const queued = Recipients.filter((entry) => entry.Valid).length;
  const body: F24SendResponse = { Recipients, Status: `${queued} messages queued`, BatchId: batchId };
  return json(200, body);
}

export const f24Gateway: GatewayDefinition<"f24", F24FakeOptions> = {
  provider: "f24",
  spec: f24Spec,
  sendOperations: ["sendSmsExt"],
  handlers: { sendSmsExt: send },
  credentialsAccepted: (credentials, options) =>
    (options.accessKey === undefined || credentials.AccessKey === options.accessKey) &&
    (options.accessToken === undefined || credentials.AccessToken === options.accessToken),
  invalid(problems) {
    const unreadable = problems.find((problem) =>
      ["json", "contentType", "encoding"].includes(problem.keyword),
    );
    if (unreadable !== undefined) {
      return errors(400, {
        Title: "Invalid JSON format in request",
        Details:
          unreadable.keyword === "json"
            ? "The request body could not be parsed as JSON."
            : unreadable.message,
      });
    }
    return errors(
      460,
      ...problems.map((problem) => ({
        Title: "Invalid or missing data in JSON request",
        Details: detailOf(problem),
      })),
    );
  },
  unauthorized: () => errors(401, { Title: "Not authorized", Details: "" }),
  notFound: (context) =>
    errors(404, {
      Title: "Not found",
      Details: `F24 has no method ${new URL(context.request.url).pathname}`,
    }),
  refuse(fault, context) {
    // F24 documents no throttling or 503 answer; the fake gives the HTTP statuses with F24's body.
    if (fault === "throttle") {
      const response = errors(429, {
        Title: "Too many requests",
        Details: `Try again in ${context.retryAfterSeconds} seconds.`,
      });
      response.headers.set("retry-after", String(context.retryAfterSeconds));
      return response;
    }
    if (fault === "unavailable") return errors(503, { Title: "Service unavailable", Details: "" });
    return errors(500, { Title: "System error", Details: "An exception occurred." });
  },
};
