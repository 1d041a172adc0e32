import {
  AuthenticationError,
  type ErrorClassifier,
  errorFromHttpStatus,
  type HttpFailure,
  httpFailureInit,
  MessageRejectedError,
} from "@smskit/core";

/** One entry of a JSON:API `errors` array as SmartSwitch documents it. */
export interface SmartSwitchErrorObject {
  code: string;
  title: string;
  detail: string;
}

/** The only error code SmartSwitch documents; the full list is not published. */
const AUTHENTICATION_CODE = "authentication";

/** The `errors` array of a JSON:API document, or undefined when the body is something else. */
export function errorObjectsOf(body: unknown): SmartSwitchErrorObject[] | undefined {
  if (!body || typeof body !== "object") return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors.map((entry) => {
    const { code, title, detail } = (entry && typeof entry === "object" ? entry : {}) as Record<
      string,
      unknown
    >;
    return {
      code: typeof code === "string" || typeof code === "number" ? String(code) : "",
      title: typeof title === "string" ? title : "",
      detail: typeof detail === "string" ? detail : "",
    };
  });
}

/**
 * SmartSwitch answers errors as a JSON:API document, `{ errors: [{ code, title, detail }] }`, and
 * does not document the HTTP status that comes with it: the one documented example (wrong
 * credentials) shows none. So the body decides before the status does:
 *
 * - code `authentication` → {@link AuthenticationError}, whatever the status;
 * - any other code under a 4xx/5xx status → the class of that status (`errorFromHttpStatus`);
 * - any other code under a 2xx status → {@link MessageRejectedError}: an errors document carries no
 *   `data`, so the gateway refused the whole request and sent nothing;
 * - no errors document → the class of the status (a bare 401/403 is an {@link AuthenticationError}).
 *
 * `code` is the first error's code (the `authentication` one when present), `providerMessage` is
 * "title: detail" of every error, and `details` holds all error objects.
 */
export const classifySmartSwitchError: ErrorClassifier = (failure: HttpFailure) => {
  const errors = errorObjectsOf(failure.body);
  if (!errors) return errorFromHttpStatus(failure);
  const primary =
    errors.find((error) => error.code.toLowerCase() === AUTHENTICATION_CODE) ??
    (errors[0] as SmartSwitchErrorObject);
  const message = errors
    .map((error) => [error.title, error.detail].filter((part) => part !== "").join(": "))
    .filter((text) => text !== "")
    .join("; ");
  const fields = {
    code: primary.code === "" ? undefined : primary.code,
    message: message === "" ? undefined : message,
    details: errors,
  };
  if (primary.code.toLowerCase() === AUTHENTICATION_CODE)
    return new AuthenticationError(httpFailureInit(failure, fields));
  if (failure.status < 300) return new MessageRejectedError(httpFailureInit(failure, fields));
  return errorFromHttpStatus(failure, fields);
};
