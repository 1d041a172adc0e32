import { type ErrorClassifier, errorFromHttpStatus } from "@smskit/core";

/**
 * Digify answers errors as `{ status: "error", error: { code, message, details?, retryAfter? } }`
 * with an HTTP status that matches the code; `/health` answers 503 with `{ status, error: "…" }`.
 */
export const classifyDigifyError: ErrorClassifier = (failure) => {
  const envelope = (failure.body ?? {}) as { error?: unknown };
  const error = envelope.error;
  if (error && typeof error === "object") {
    const { code, message, details, retryAfter } = error as {
      code?: unknown;
      message?: unknown;
      details?: unknown;
      retryAfter?: unknown;
    };
    return errorFromHttpStatus(failure, {
      code: typeof code === "string" ? code : undefined,
      message: typeof message === "string" ? message : undefined,
      details,
      retryAfterMs: typeof retryAfter === "number" ? retryAfter * 1000 : undefined,
    });
  }
  return errorFromHttpStatus(failure, { message: typeof error === "string" ? error : undefined });
};
