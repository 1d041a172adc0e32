/**
 * The fake Digify Unified Messaging API: sends (SMS and e-mail), the SMS and e-mail logs filled
 * from what it accepted, the company register, and health. Errors use Digify's envelope
 * `{ status: "error", error: { code, message, details? } }`.
 */
import { estimateSegments } from "@smskit/core";
import type {
  components,
  DigifyCompanyResponse,
  DigifyCompanySearchResponse,
  DigifyEmailLogResponse,
  DigifySendRequest,
  DigifySendResponse,
  DigifySmsLogResponse,
} from "@smskit/digify";
import { digifySpec } from "../generated/digify.openapi.js";
import type {
  ErrorContext,
  FakeCommonOptions,
  GatewayDefinition,
  HandlerContext,
  SentMessage,
} from "./core.js";
import { e164Of, json } from "./respond.js";
import type { RequestProblem } from "./validator.js";

type Schemas = components["schemas"];
export type DigifyCompany = Schemas["CompanyDetails"];

export interface DigifyFakeOptions extends FakeCommonOptions {
  /** Only this AccessToken is accepted; any other gets `401 AUTHENTICATION_FAILED`. Default: any. */
  accessToken?: string;
  /** The account is in simulation mode: results are `simulated` and no credits are used. */
  simulationMode?: boolean;
  /** SMS credits on the account; a batch needing more gets `402 INSUFFICIENT_CREDIT`. Default: unlimited. */
  credits?: number;
  /** The company register behind the company endpoints. Default: the one record of Digify's documentation (DNB). */
  companies?: readonly DigifyCompany[];
  /** `sourceAddr` the SMS log shows for an SMS sent without one. Default `"smskit"`. */
  defaultSender?: string;
}

const DNB: DigifyCompany = {
  orgnr: 984851006,
  navn: "DNB BANK ASA",
  organisasjonsform: "ASA",
  forretningsadr: "Dronning Eufemias gate 30",
  forradrpostnr: "0191",
  forradrpoststed: "OSLO",
  forradrkommnr: 301,
  forradrkommnavn: "OSLO",
  forradrland: "Norge",
  postadresse: "Postboks 1600 Sentrum",
  ppostnr: "0021",
  ppoststed: "OSLO",
  ppostland: "Norge",
  regifr: true,
  regimva: true,
  nkode1: "64.190",
  nkode2: null,
  nkode3: null,
  sektorkode: 3200,
  konkurs: false,
  avvikling: false,
  tvangsavvikling: false,
  regiaa: false,
  regifriv: false,
  regdato: "2002-09-12T00:00:00.000Z",
  stiftelsesdato: "2002-09-10T00:00:00.000Z",
  tlf: null,
  tlf_mobil: "4791504800",
  url: "www.dnb.no",
  regnskap: 2023,
  hovedenhet: null,
  ansatte_antall: 8343,
  ansatte_dato: "2025-02-12T00:00:00.000Z",
  Slettet: false,
  Hidden: false,
};

const SMS_ID_BASE = 100_000;
const EMAIL_ID_BASE = 500_000;
const CREDITS_USED = "creditsUsed";

function failure(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers = {},
) {
  return json(status, { status: "error", error: { code, message, ...extra } }, headers);
}

/** Digify's validation issues are Zod's (`code`, `message`, `path`); the codes are Zod's for the same fault. */
function zodCode(problem: RequestProblem): string {
  switch (problem.keyword) {
    case "maxLength":
    case "maxItems":
    case "maximum":
      return "too_big";
    case "minLength":
    case "minItems":
    case "minimum":
      return "too_small";
    case "pattern":
    case "format":
      return "invalid_string";
    case "additionalProperties":
    case "unknownParameter":
      return "unrecognized_keys";
    case "enum":
    case "const":
      return "invalid_enum_value";
    case "discriminator":
      return "invalid_union_discriminator";
    default:
      return "invalid_type";
  }
}

function issuesOf(problems: readonly RequestProblem[]) {
  return problems.map((problem) => ({
    code: zodCode(problem),
    message: `${problem.path.join(".") || problem.location} ${problem.message}`,
    path: problem.path,
  }));
}

function logWindow(query: Record<string, unknown>) {
  const limit = (query.limit as number | undefined) ?? 50;
  const offset = (query.offset as number | undefined) ?? 0;
  const start = typeof query.startDate === "string" ? Date.parse(query.startDate) : Number.NEGATIVE_INFINITY;
  // A plain date as the end means the whole of that day.
  const endText = typeof query.endDate === "string" ? query.endDate : undefined;
  const end =
    endText === undefined
      ? Number.POSITIVE_INFINITY
      : Date.parse(endText) + (/^\d{4}-\d{2}-\d{2}$/.test(endText) ? 86_400_000 - 1 : 0);
  return { limit, offset, start, end, status: query.status as string | undefined };
}

function page<Entry>(entries: Entry[], window: { limit: number; offset: number }) {
  const data = entries.slice(window.offset, window.offset + window.limit);
  return {
    data,
    pagination: {
      total: entries.length,
      limit: window.limit,
      offset: window.offset,
      hasMore: window.offset + data.length < entries.length,
    },
  };
}

function inWindow(message: SentMessage, window: ReturnType<typeof logWindow>, status: string): boolean {
  const at = message.at.getTime();
  return at >= window.start && at <= window.end && (window.status === undefined || window.status === status);
}

const statusOf = (message: SentMessage) => (message.simulated ? "simulated" : "queued");

function send(context: HandlerContext<DigifyFakeOptions>): Response {
  const { messages } = context.body as DigifySendRequest;
  const rejected = messages.findIndex(
    (message) => message.type === "sms" && context.rejects(e164Of(message.destAddr)),
  );
  if (rejected !== -1) {
    return failure(400, "VALIDATION_ERROR", "Invalid request data", {
      details: [
        { code: "invalid_string", message: "Invalid phone number", path: ["messages", rejected, "destAddr"] },
      ],
    });
  }
  const simulated = context.options.simulationMode === true;
  const segmentsOf = messages.map((message) =>
    message.type === "sms" ? estimateSegments(message.msg).segments : 0,
  );
  const needed = simulated ? 0 : segmentsOf.reduce((sum, count) => sum + count, 0);
  const { credits } = context.options;
  if (credits !== undefined) {
    const used = (context.store.get(CREDITS_USED) as number | undefined) ?? 0;
    const available = Math.max(0, credits - used);
    if (needed > available) {
      return failure(
        402,
        "INSUFFICIENT_CREDIT",
        `Insufficient SMS credits. Required: ${needed}, Available: ${available}`,
        {
          details: { creditsNeeded: needed, creditsAvailable: available },
        },
      );
    }
    context.store.set(CREDITS_USED, used + needed);
  }
  const status = simulated ? "simulated" : "queued";
  const results = messages.map((message, index): DigifySendResponse["results"][number] => {
    const sequence = context.nextId();
    if (message.type === "sms") {
      const messageId = SMS_ID_BASE + sequence;
      context.accept({
        type: "sms",
        to: /^\+?\d+$/.test(message.destAddr) ? e164Of(message.destAddr) : message.destAddr,
        text: message.msg,
        from: message.sourceAddr,
        clientRef: message.id,
        id: String(messageId),
        segments: segmentsOf[index] as number,
        simulated,
        raw: message,
      });
      return {
        ...(message.id === undefined ? {} : { id: message.id }),
        type: "sms",
        status,
        messageId,
        msgCount: segmentsOf[index] as number,
      };
    }
    const emailId = EMAIL_ID_BASE + sequence;
    context.accept({
      type: "email",
      to: message.destAddr,
      text: message.body,
      subject: message.subject,
      from: message.sourceAddr,
      id: String(emailId),
      segments: 0,
      simulated,
      raw: message,
    });
    return { type: "email", status, emailId };
  });
  const sms = messages.filter((message) => message.type === "sms").length;
  const body: DigifySendResponse = {
    status: "success",
    simulationMode: simulated,
    results,
    summary: { total: messages.length, sms, email: messages.length - sms, creditsUsed: needed },
  };
  return json(200, body);
}

function smsLog(context: HandlerContext<DigifyFakeOptions>): Response {
  const window = logWindow(context.query);
  const entries = context.sent
    .filter((message) => message.type === "sms" && inWindow(message, window, statusOf(message)))
    .reverse()
    .map((message): DigifySmsLogResponse["data"][number] => {
      const raw = message.raw as Schemas["SmsMessage"];
      const createdAt = message.at.toISOString();
      return {
        messageId: Number(message.id),
        destAddr: raw.destAddr,
        msg: raw.msg,
        msgCount: message.segments,
        status: statusOf(message),
        createdAt,
        sendWhen: raw.sendWhen ?? createdAt,
        sourceAddr: raw.sourceAddr ?? context.options.defaultSender ?? "smskit",
      };
    });
  const body: DigifySmsLogResponse = { status: "success", ...page(entries, window) };
  return json(200, body);
}

function emailLog(context: HandlerContext<DigifyFakeOptions>): Response {
  const window = logWindow(context.query);
  const entries = context.sent
    .filter((message) => message.type === "email" && inWindow(message, window, statusOf(message)))
    .reverse()
    .map((message): DigifyEmailLogResponse["data"][number] => {
      const raw = message.raw as Schemas["EmailMessage"];
      return {
        emailId: Number(message.id),
        sourceAddr: raw.sourceAddr,
        destAddr: raw.destAddr,
        subject: raw.subject,
        status: statusOf(message),
        createdAt: message.at.toISOString(),
        bodyFormat: raw.bodyFormat ?? "html",
      };
    });
  const body: DigifyEmailLogResponse = { status: "success", ...page(entries, window) };
  return json(200, body);
}

const register = (options: DigifyFakeOptions) => options.companies ?? [DNB];

function searchCompanies(context: HandlerContext<DigifyFakeOptions>): Response {
  const search = String(context.query.search);
  const byNumber = /^\d{9}$/.test(search);
  const companies = register(context.options)
    .filter((company) =>
      byNumber
        ? String(company.orgnr) === search
        : !company.Hidden && !company.Slettet && company.navn.toLowerCase().startsWith(search.toLowerCase()),
    )
    .slice(0, 5)
    .map((company) => ({
      orgNr: String(company.orgnr),
      navn: company.navn,
      forrAdrPostSted: company.forradrpoststed,
    }));
  const body: DigifyCompanySearchResponse = { status: "success", companies };
  return json(200, body);
}

function getCompany(context: HandlerContext<DigifyFakeOptions>): Response {
  const orgNr = String(context.pathParams.orgNr);
  const company = register(context.options).find((candidate) => String(candidate.orgnr) === orgNr);
  // Digify documents no answer for a well-formed number that is not registered; its NOT_FOUND is assumed.
  if (company === undefined) return failure(404, "NOT_FOUND", `No company with organisation number ${orgNr}`);
  const body: DigifyCompanyResponse = { status: "success", companies: [company] };
  return json(200, body);
}

export const digifyGateway: GatewayDefinition<"digify", DigifyFakeOptions> = {
  provider: "digify",
  spec: digifySpec,
  sendOperations: ["sendMessages"],
  handlers: {
    sendMessages: send,
    listSmsLogs: smsLog,
    listEmailLogs: emailLog,
    searchCompanies,
    getCompany,
    getHealth: (context) =>
      json(200, {
        status: "healthy",
        timestamp: context.now().toISOString(),
        environment: "development",
        database: "connected",
      }),
    getReadiness: (context) => json(200, { status: "ready", timestamp: context.now().toISOString() }),
  },
  credentialsAccepted: (credentials, options) =>
    options.accessToken === undefined || Object.values(credentials).includes(options.accessToken),
  invalid(problems, context: ErrorContext) {
    if (
      context.route?.operationId === "getCompany" &&
      problems.every((problem) => problem.location === "path")
    ) {
      return failure(400, "VALIDATION_ERROR", "Invalid organization number", {
        details: [
          {
            code: "invalid_string",
            message: "Organization number must be exactly 9 digits",
            path: ["orgNr"],
          },
        ],
      });
    }
    return failure(400, "VALIDATION_ERROR", "Invalid request data", { details: issuesOf(problems) });
  },
  unauthorized: () => failure(401, "AUTHENTICATION_FAILED", "Invalid AccessToken"),
  notFound: () => failure(404, "NOT_FOUND", "Endpoint not found"),
  refuse(fault, context) {
    if (fault === "throttle") {
      const wait = context.retryAfterSeconds;
      return failure(
        429,
        "RATE_LIMIT_EXCEEDED",
        `Rate limit exceeded for SMS. Limit: 6. Current: 6. Try again in ${wait} seconds.`,
        { retryAfter: wait, details: { messageType: "SMS", limit: 6, currentCount: 6 } },
        { "retry-after": String(wait) },
      );
    }
    // Digify's error table has no 503; the envelope is kept so a client reads it on its usual path.
    if (fault === "unavailable")
      return failure(503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable");
    return failure(500, "INTERNAL_SERVER_ERROR", "Unexpected server error");
  },
};
