import {
  type Answer,
  type AnswerClassifier,
  errorFromHttpStatus,
  isRecord,
  malformedAnswer,
} from "@smskit/core";

const textOf = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;

/**
 * F24 answers every failure as `{ Errors: [{ Title, Details, Code }] }`, `Code` repeating the HTTP
 * status. Besides standard statuses it uses its own: 460 (invalid or missing data), 461 (duplicate
 * entity), 462 (entity in use) and 520 (database read/write error). The status picks the error
 * class (4xx → `ValidationError` unless 401/404, 5xx → `ServerError`), `code` is the first error's
 * `Code`, and `providerMessage` is its Title and Details. Bodies of another shape (a proxy page, a
 * mock's problem+json) still get the class of their status.
 */
function failure(answer: Answer) {
  const body = isRecord(answer.json) ? answer.json : {};
  const errors = Array.isArray(body.Errors) ? body.Errors.filter(isRecord) : [];
  const [first] = errors;
  if (first) {
    const title = textOf(first.Title);
    const details = textOf(first.Details);
    // From the redacted body: an error's Title or Details may quote the credentials F24 saw.
    const redacted = isRecord(answer.redactedBody) ? answer.redactedBody : {};
    return errorFromHttpStatus(answer, {
      code: typeof first.Code === "number" || typeof first.Code === "string" ? first.Code : undefined,
      message: title && details ? `${title}: ${details}` : (title ?? details),
      details: Array.isArray(redacted.Errors) ? redacted.Errors.filter(isRecord) : undefined,
    });
  }
  const title = textOf(body.title);
  const detail = textOf(body.detail);
  return errorFromHttpStatus(answer, {
    message: title && detail ? `${title}: ${detail}` : (title ?? detail),
  });
}

/** The spec's required fields of a 200 from `SendSMSExt`. */
function isSendResponse(body: unknown): boolean {
  return (
    isRecord(body) &&
    typeof body.BatchId === "string" &&
    body.BatchId.trim() !== "" &&
    typeof body.Status === "string" &&
    Array.isArray(body.Recipients) &&
    body.Recipients.every(
      (item) =>
        isRecord(item) &&
        typeof item.Valid === "boolean" &&
        typeof item.Recipient === "string" &&
        typeof item.Status === "string",
    )
  );
}

/** Every F24 answer: an `Errors[]` envelope, or a 200 with the documented `Recipients` and `BatchId`. */
export const classifyF24Answer: AnswerClassifier = (answer) => {
  if (answer.status < 200 || answer.status > 299) return failure(answer);
  if (answer.operation.path === "/SendSMSExt" && !isSendResponse(answer.json)) {
    return malformedAnswer(answer, "the answer lacks the documented Recipients, Status and BatchId");
  }
  return undefined;
};
