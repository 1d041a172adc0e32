import { type ErrorClassifier, errorFromHttpStatus } from "@smskit/core";

interface ErrorDetailLike {
  Title?: unknown;
  Details?: unknown;
  Code?: unknown;
}

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
export const classifyF24Error: ErrorClassifier = (failure) => {
  const body = (failure.body ?? {}) as { Errors?: unknown; title?: unknown; detail?: unknown };
  const errors = Array.isArray(body.Errors)
    ? body.Errors.filter((item): item is ErrorDetailLike => item !== null && typeof item === "object")
    : [];
  const [first] = errors;
  if (first) {
    const title = textOf(first.Title);
    const details = textOf(first.Details);
    return errorFromHttpStatus(failure, {
      code: typeof first.Code === "number" || typeof first.Code === "string" ? first.Code : undefined,
      message: title && details ? `${title}: ${details}` : (title ?? details),
      details: errors,
    });
  }
  const title = textOf(body.title);
  const detail = textOf(body.detail);
  return errorFromHttpStatus(failure, {
    message: title && detail ? `${title}: ${detail}` : (title ?? detail),
  });
};
