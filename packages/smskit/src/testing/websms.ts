/**
 * The fake websms REST API: text, binary and simple sends. As websms does, it answers HTTP 200 for
 * success and failure alike and puts the outcome in `statusCode` (JSON on the text and binary
 * endpoints, form-encoded on the simple ones), and answers missing credentials with an empty 401.
 */
import { estimateSegments } from "@smskit/core";
import type {
  WebsmsBinaryRequest,
  WebsmsDeliveryReport,
  WebsmsSendResponse,
  WebsmsStatusCode,
  WebsmsTextRequest,
} from "@smskit/websms";
import { websmsSpec } from "../generated/websms.openapi.js";
import type { ErrorContext, FakeCommonOptions, GatewayDefinition, HandlerContext } from "./core.js";
import { e164Of, empty, form, json } from "./respond.js";
import { describeProblem, type RequestProblem } from "./validator.js";

export type WebsmsDeliveryStatus = WebsmsDeliveryReport["deliveryReportMessageStatus"];

export interface WebsmsFakeOptions extends FakeCommonOptions {
  /** Only this access token (Bearer or `access_token`) is accepted. Default: any credentials. */
  accessToken?: string;
  /** Only this user name and password (HTTP Basic) are accepted. Default: any credentials. */
  username?: string;
  password?: string;
}

const SIMPLE = new Set(["sendSimpleSmsGet", "sendSimpleSmsPost"]);

/** websms's own words for each status (the texts of its documentation's examples). */
const STATUS_MESSAGES: Partial<Record<WebsmsStatusCode, string>> = {
  4002: "One or more recipients are not in the correct format or are containing invalid MSISDNs.",
  4003: "Invalid Sender. Sender address or type is invalid.",
  4004: "Invalid message type.",
  4008: "Invalid clientMessageId.",
  4009: "Invalid message content.",
  4015: "message priority is invalid",
  4016: "Invalid notificationCallbackUrl.",
  4023: "Request limit exceeded for this IP address.",
  4025: "Too many recipients in this request (1000).",
  4026: "The message content results in too many (automatically generated) sms segments.",
  4027: "A messageContent segment is invalid",
  4040: "Invalid contentCategory.",
  4041: "Invalid validityPeriode.",
  5000: "Internal error.",
  5003: "Service unavailable.",
};

/** The documented `statusCode` for a problem with a field; undefined where websms documents none. */
function statusCodeFor(problem: RequestProblem, binary: boolean): WebsmsStatusCode | undefined {
  if (problem.keyword === "required" && problem.path.length === 1) return 4019;
  const field = problem.path[0];
  if (problem.keyword === "additionalProperties" || problem.keyword === "unevaluatedProperties")
    return undefined;
  if (problem.keyword === "unknownParameter") return undefined;
  switch (field) {
    case "recipientAddressList":
      return problem.keyword === "maxItems" ? 4025 : 4002;
    case "senderAddress":
    case "senderAddressType":
      return 4003;
    case "messageType":
      return 4004;
    case "clientMessageId":
      return 4008;
    case "messageContent":
      return binary ? 4027 : 4009;
    case "priority":
      return 4015;
    case "notificationCallbackUrl":
      return 4016;
    case "contentCategory":
      return 4040;
    case "validityPeriode":
      return 4041;
    default:
      return undefined;
  }
}

function statusAnswer(
  context: { route: ErrorContext["route"] },
  statusCode: WebsmsStatusCode,
  statusMessage: string,
): Response {
  const body: WebsmsSendResponse = {
    statusCode,
    statusMessage,
    transferId: null,
    clientMessageId: null,
    smsCount: 0,
  };
  if (context.route !== undefined && SIMPLE.has(context.route.operationId)) {
    return form(200, { statusCode, statusMessage, transferId: null, smsCount: 0 });
  }
  return json(200, body);
}

const transferIdOf = (sequence: number) => `0051949fe7${sequence.toString(16).padStart(10, "0")}`;

function send(context: HandlerContext<WebsmsFakeOptions>): Response {
  const binary = context.route.operationId === "sendBinarySms";
  const fields = (
    SIMPLE.has(context.route.operationId) && context.route.method === "GET" ? context.query : context.body
  ) as WebsmsTextRequest | WebsmsBinaryRequest;
  const recipients = fields.recipientAddressList;
  if (recipients.some((recipient) => context.rejects(e164Of(recipient)))) {
    return statusAnswer(context, 4002, STATUS_MESSAGES[4002] as string);
  }
  const segments = binary
    ? (fields as WebsmsBinaryRequest).messageContent.length
    : estimateSegments((fields as WebsmsTextRequest).messageContent).segments;
  const limit = binary ? 0 : ((fields as WebsmsTextRequest).maxSmsPerMessage ?? 0);
  if (limit > 0 && segments > limit) {
    return statusAnswer(
      context,
      4026,
      `${STATUS_MESSAGES[4026]} (${segments} needed, maxSmsPerMessage is ${limit})`,
    );
  }
  const test = fields.test === true;
  const transferId = transferIdOf(context.nextId());
  const text = binary
    ? (fields as WebsmsBinaryRequest).messageContent.join(" ")
    : (fields as WebsmsTextRequest).messageContent;
  for (const recipient of recipients) {
    context.accept({
      type: "sms",
      to: e164Of(recipient),
      text,
      from: fields.senderAddress,
      clientRef: fields.clientMessageId,
      id: transferId,
      segments,
      simulated: test,
      raw: fields,
    });
  }
  const answer: WebsmsSendResponse = {
    statusCode: 2000,
    statusMessage: "OK",
    transferId,
    clientMessageId: fields.clientMessageId ?? null,
    smsCount: test ? 0 : segments * recipients.length,
  };
  if (SIMPLE.has(context.route.operationId)) {
    return form(200, { ...answer, clientMessageId: fields.clientMessageId });
  }
  return json(200, answer);
}

/** A URL's `user:password@` moved into an `Authorization` header, as an HTTP client sends it. */
function requestTo(target: string, init: RequestInit): Request {
  const url = new URL(target);
  const headers = new Headers(init.headers);
  if (url.username !== "" || url.password !== "") {
    const basic = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.set("authorization", `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(basic)))}`);
    url.username = "";
    url.password = "";
  }
  return new Request(url, { ...init, headers });
}

export const websmsGateway: GatewayDefinition<"websms", WebsmsFakeOptions> = {
  provider: "websms",
  spec: websmsSpec,
  sendOperations: ["sendTextSms", "sendBinarySms", "sendSimpleSmsGet", "sendSimpleSmsPost"],
  handlers: {
    sendTextSms: send,
    sendBinarySms: send,
    sendSimpleSmsGet: send,
    sendSimpleSmsPost: send,
  },
  queryCharsets: { sendSimpleSmsGet: "iso-8859-1" },
  credentialsAccepted(credentials, options) {
    if (options.accessToken === undefined && options.username === undefined) return true;
    const token = credentials.BearerAuth ?? credentials.AccessTokenQuery;
    if (token !== undefined) return token === options.accessToken;
    return credentials.BasicAuth === `${options.username}:${options.password}`;
  },
  invalid(problems, context) {
    const binary = context.route?.operationId === "sendBinarySms";
    const codes = problems.map((problem) => statusCodeFor(problem, binary));
    const [first] = codes;
    if (first !== undefined && codes.every((code) => code !== undefined)) {
      const reasons = problems.map(describeProblem).join("; ");
      const message =
        first === 4019 ? `parameter missing: ${String(problems[0]?.path[0])}` : STATUS_MESSAGES[first];
      return statusAnswer(context, first, `${message} (${reasons})`);
    }
    // websms documents no answer for an unknown field, a body that is not JSON or a wrong content
    // type; the fake answers 400 with the problems listed, which the client reports as a ValidationError.
    return json(
      400,
      {
        title: "Bad Request",
        status: 400,
        detail: problems.map(describeProblem).join("; "),
        validation: problems.map((problem) => ({
          message: describeProblem(problem),
          keyword: problem.keyword,
        })),
      },
      { "content-type": "application/problem+json" },
    );
  },
  unauthorized: () => empty(401),
  notFound: () => empty(404),
  refuse(fault, context) {
    if (fault === "throttle") return statusAnswer(context, 4023, STATUS_MESSAGES[4023] as string);
    if (fault === "unavailable") return statusAnswer(context, 5003, STATUS_MESSAGES[5003] as string);
    return statusAnswer(context, 5000, STATUS_MESSAGES[5000] as string);
  },
  deliveryReport(message, status, options) {
    const raw = message.raw as WebsmsTextRequest;
    const delivered = status === "delivered";
    const body: WebsmsDeliveryReport = {
      messageType: "deliveryReport",
      notificationId: options.nextId().toString(16).padStart(20, "0"),
      transferId: message.id,
      ...(message.clientRef === undefined ? {} : { clientMessageId: message.clientRef }),
      // Real reports name the recipient in senderAddress (see the spec's DeliveryReportNotification).
      senderAddress: message.to.replace(/^\+/, ""),
      deliveryReportMessageStatus: status as WebsmsDeliveryStatus,
      sentOn: message.at.toISOString(),
      deliveredOn: delivered ? options.at.toISOString() : null,
      ...(delivered ? { deliveredAs: "sms" as const } : {}),
    };
    return requestTo(
      options.url ?? raw.notificationCallbackUrl ?? "https://your-app.smskit.invalid/webhooks/websms",
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    );
  },
};
