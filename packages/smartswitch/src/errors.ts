import {
  type Answer,
  type AnswerClassifier,
  AuthenticationError,
  errorFromHttpStatus,
  httpFailureInit,
  isRecord,
  MessageRejectedError,
  malformedAnswer,
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
  if (!isRecord(body) || !Array.isArray(body.errors) || body.errors.length === 0) return undefined;
  return body.errors.map((entry: unknown) => {
    const { code, title, detail } = isRecord(entry) ? entry : {};
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
 * - any other code under a 4xx/5xx status → the class of that status;
 * - any other code under a 2xx status → {@link MessageRejectedError}: an errors document carries no
 *   `data`, so the gateway refused the whole request and sent nothing;
 * - no errors document → the class of the status (a bare 401/403 is an {@link AuthenticationError}).
 */
function errorsDocument(answer: Answer, errors: SmartSwitchErrorObject[]) {
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
    return new AuthenticationError(httpFailureInit(answer, fields));
  if (answer.status < 300) return new MessageRejectedError(httpFailureInit(answer, fields));
  return errorFromHttpStatus(answer, fields);
}

/** Every SmartSwitch answer: an errors document, or a 2xx whose `data` is a resource or a list of them. */
export const classifySmartSwitchAnswer: AnswerClassifier = (answer) => {
  const errors = errorObjectsOf(answer.json);
  if (errors) return errorsDocument(answer, errors);
  if (answer.status < 200 || answer.status > 299) return errorFromHttpStatus(answer);
  const data = isRecord(answer.json) ? answer.json.data : undefined;
  if (!isRecord(data) && !(Array.isArray(data) && data.length > 0)) {
    return malformedAnswer(answer, "the answer has neither `data` nor `errors`");
  }
  return undefined;
};
