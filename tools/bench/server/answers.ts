/**
 * What the loopback gateway server answers: for every gateway's send operation, a body of the
 * shape its spec (`specs/<gateway>/openapi.yaml`) promises, one result per message or recipient,
 * built from the request that arrived. A canned body for one message would let a client that
 * mismatches results to messages pass unseen in `sendMany`; answers sized to the request do not.
 *
 * twilio and Vonage are answered in the shape of their own documented resources, so that their
 * SDKs parse what they would parse in production.
 */

export interface Answer {
  status: number;
  body: string;
}

export interface IncomingSend {
  method: string;
  /** Path and query, as received. */
  url: string;
  /** The request body, read to its end. */
  body: string;
}

let nextId = 100_000;

const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value) });

/** A rough segment count: the server only has to answer plausibly, not count like a gateway. */
const segmentsOf = (text: string): number => (text.length <= 160 ? 1 : Math.ceil(text.length / 153));

const hex = (length: number): string => {
  let out = "";
  for (let index = 0; index < length; index++) out += ((nextId * 7 + index * 13) % 16).toString(16);
  return out;
};

const uuid = (): string => {
  const digits = hex(32);
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-4${digits.slice(13, 16)}-a${digits.slice(17, 20)}-${digits.slice(20)}`;
};

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const invalid = (why: string): Answer => json(400, { error: "bench server: invalid request", why });

/** Digify `POST /api/v1/messages/send`: one entry of `results` per message, in request order. */
function digify(request: IncomingSend): Answer {
  const messages = parseJson(request.body)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) return invalid("no messages[]");
  let sms = 0;
  let credits = 0;
  const results = messages.map((message: Record<string, unknown>) => {
    nextId++;
    if (message.type === "email") return { type: "email", status: "queued", emailId: nextId };
    sms++;
    const msgCount = segmentsOf(String(message.msg ?? ""));
    credits += msgCount;
    return {
      ...(typeof message.id === "string" ? { id: message.id } : {}),
      type: "sms",
      status: "queued",
      messageId: nextId,
      msgCount,
    };
  });
  return json(200, {
    status: "success",
    simulationMode: false,
    results,
    summary: { total: messages.length, sms, email: messages.length - sms, creditsUsed: credits },
  });
}

/** websms `POST /smsmessaging/text`: one transfer for all recipients, `statusCode` 2000. */
function websms(request: IncomingSend): Answer {
  const body = parseJson(request.body);
  const recipients = body?.recipientAddressList;
  if (!Array.isArray(recipients) || recipients.length === 0) return invalid("no recipientAddressList");
  nextId++;
  return json(200, {
    statusCode: 2000,
    statusMessage: "OK",
    transferId: hex(20),
    clientMessageId: typeof body?.clientMessageId === "string" ? body.clientMessageId : null,
    smsCount: recipients.length * segmentsOf(String(body?.messageContent ?? "")),
  });
}

/** F24 `POST /SendSMSExt`: one entry of `Recipients` per message, in order, and a `BatchId`. */
function f24(request: IncomingSend): Answer {
  const messages = parseJson(request.body)?.Messages;
  if (!Array.isArray(messages) || messages.length === 0) return invalid("no Messages[]");
  nextId++;
  return json(200, {
    Recipients: messages.map((message: Record<string, unknown>) => ({
      Status: "Queued",
      Valid: true,
      Recipient: String(message.Recipient ?? ""),
    })),
    Status: `${messages.length} messages queued`,
    BatchId: uuid().toUpperCase(),
  });
}

/**
 * SmartSwitch `POST /api/message?…`: a JSON:API document, `data` one resource for one recipient and
 * an array in request order for several. The query is read group by group, as the gateway reads it.
 */
function smartSwitch(request: IncomingSend): Answer {
  const query = new URLSearchParams(request.url.slice(request.url.indexOf("?") + 1));
  const destinations = query.getAll("destination_number");
  if (destinations.length === 0) return invalid("no destination_number");
  if (!query.get("_login") || !query.get("_password")) return invalid("no _login/_password");
  const bodies = query.getAll("body");
  const requestIds = query.getAll("request_id");
  const data = destinations.map((destination, index) => {
    nextId++;
    return {
      id: String(1_561_370_000_000 + nextId),
      type: "message",
      attributes: {
        destination_number: destination,
        segments: segmentsOf(bodies[index] ?? ""),
        status: "ok",
      },
      ...(requestIds[index] === undefined ? {} : { meta: { request_id: requestIds[index] } }),
    };
  });
  return json(200, { data: data.length === 1 ? data[0] : data });
}

/** twilio `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`: 201 with the Message resource. */
function twilio(request: IncomingSend): Answer {
  const form = new URLSearchParams(request.body);
  const accountSid = /\/Accounts\/([^/]+)\//.exec(request.url)?.[1] ?? "";
  if (!form.get("To") || !form.get("Body")) return invalid("no To/Body");
  nextId++;
  const sid = `SM${hex(32)}`;
  const now = new Date(0).toUTCString();
  return json(201, {
    account_sid: accountSid,
    api_version: "2010-04-01",
    body: form.get("Body"),
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: "outbound-api",
    error_code: null,
    error_message: null,
    from: form.get("From"),
    messaging_service_sid: null,
    num_media: "0",
    num_segments: String(segmentsOf(form.get("Body") ?? "")),
    price: null,
    price_unit: "USD",
    sid,
    status: "queued",
    subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
    to: form.get("To"),
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
  });
}

/** Vonage `POST /sms/json` (the SMS API): `message-count` and one entry per part, status "0". */
function vonage(request: IncomingSend): Answer {
  const body = parseJson(request.body);
  if (typeof body?.to !== "string" || typeof body?.text !== "string") return invalid("no to/text");
  const parts = segmentsOf(body.text);
  return json(200, {
    "message-count": String(parts),
    messages: Array.from({ length: parts }, () => {
      nextId++;
      return {
        to: body.to,
        "message-id": hex(16).toUpperCase(),
        status: "0",
        "remaining-balance": "3.14159265",
        "message-price": "0.03330000",
        network: "24201",
        ...(typeof body["client-ref"] === "string" ? { "client-ref": body["client-ref"] } : {}),
      };
    }),
  });
}

/** Path prefix → gateway answer. Matching on the path only, as a gateway's router would. */
export const ROUTES: ReadonlyArray<{
  name: string;
  matches: (path: string) => boolean;
  answer: (request: IncomingSend) => Answer;
}> = [
  { name: "digify", matches: (path) => path === "/api/v1/messages/send", answer: digify },
  { name: "websms", matches: (path) => path === "/smsmessaging/text", answer: websms },
  { name: "f24", matches: (path) => path === "/SendSMSExt", answer: f24 },
  { name: "smartswitch", matches: (path) => path === "/api/message", answer: smartSwitch },
  {
    name: "twilio",
    matches: (path) => /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(path),
    answer: twilio,
  },
  { name: "vonage", matches: (path) => path === "/sms/json", answer: vonage },
];

export function answer(request: IncomingSend): { route: string; answer: Answer } {
  const path = request.url.split("?")[0] ?? "";
  const route = ROUTES.find((candidate) => candidate.matches(path));
  if (!route || request.method !== "POST") {
    return { route: "unknown", answer: json(404, { error: `bench server: no ${request.method} ${path}` }) };
  }
  return { route: route.name, answer: route.answer(request) };
}
