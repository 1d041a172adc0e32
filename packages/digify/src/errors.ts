import {
  type Answer,
  type AnswerClassifier,
  errorFromHttpStatus,
  isRecord,
  malformedAnswer,
} from "@smskit/core";

/**
 * Digify answers errors as `{ status: "error", error: { code, message, details?, retryAfter? } }`
 * with an HTTP status that matches the code; `/health` answers 503 with `{ status, error: "…" }`.
 */
function failure(answer: Answer) {
  const envelope = answer.json;
  const error = isRecord(envelope) ? envelope.error : undefined;
  if (isRecord(error)) {
    const { code, message, details, retryAfter } = error;
    return errorFromHttpStatus(answer, {
      code: typeof code === "string" ? code : undefined,
      message: typeof message === "string" ? message : undefined,
      details,
      retryAfterMs: typeof retryAfter === "number" && retryAfter >= 0 ? retryAfter * 1000 : undefined,
    });
  }
  return errorFromHttpStatus(answer, { message: typeof error === "string" ? error : undefined });
}

const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);

function isMessageResult(item: unknown): boolean {
  if (!isRecord(item) || typeof item.status !== "string") return false;
  if (item.type === "sms") return isInteger(item.messageId) && isInteger(item.msgCount) && item.msgCount >= 0;
  if (item.type === "email") return isInteger(item.emailId);
  return false;
}

/** What each operation's 200 must look like (the spec's required fields); anything less is malformed. */
const SUCCESS_SHAPES: Record<string, (body: unknown) => boolean> = {
  "/api/v1/messages/send": (body) =>
    isRecord(body) &&
    body.status === "success" &&
    typeof body.simulationMode === "boolean" &&
    Array.isArray(body.results) &&
    body.results.length > 0 &&
    body.results.every(isMessageResult) &&
    isRecord(body.summary),
  "/api/v1/logs/sms": (body) => isRecord(body) && Array.isArray(body.data) && isRecord(body.pagination),
  "/api/v1/logs/email": (body) => isRecord(body) && Array.isArray(body.data) && isRecord(body.pagination),
  "/api/v1/companies/search": (body) => isRecord(body) && Array.isArray(body.companies),
  "/api/v1/companies/{orgNr}": (body) => isRecord(body) && Array.isArray(body.companies),
  "/health": isRecord,
  "/ready": isRecord,
};

/** Every Digify answer: an error envelope, or a 200 that must have its operation's documented shape. */
export const classifyDigifyAnswer: AnswerClassifier = (answer) => {
  if (answer.status < 200 || answer.status > 299) return failure(answer);
  const shape = SUCCESS_SHAPES[answer.operation.path];
  if (shape !== undefined && !shape(answer.json)) {
    return malformedAnswer(answer, "the answer does not have the documented shape");
  }
  return undefined;
};
