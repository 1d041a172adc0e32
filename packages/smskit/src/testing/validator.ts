/**
 * Request validation against an OpenAPI 3.1 spec, for the fake gateways.
 *
 * The checking is done by Ajv (`Ajv2020`, JSON Schema 2020-12, which OpenAPI 3.1 schemas are) with
 * ajv-formats; this file only maps a request onto schemas: it routes the request to its operation,
 * turns query, path and form values into objects typed by their parameter schemas, and hands body
 * and parameters to Ajv. Why this thin mapping instead of an OpenAPI validator package: measured on
 * our four specs (shared notes, toolchain-2 §2), openapi-backend and openapi-request-validator use
 * draft-07 semantics (they ignore `unevaluatedProperties`, reject valid tuples, skip
 * `format: email`) and reject every SmartSwitch request for its credentials in the query;
 * express-openapi-validator is correct but runs only inside Express on Node. Ajv2020 was the only
 * correct option that also runs in browsers and Deno. Ajv compiles validators with `new Function`,
 * so runtimes that forbid it (a strict Content-Security-Policy, Cloudflare Workers) cannot run it.
 *
 * Pitfalls handled here (all from that measurement): JSON bodies are validated without type
 * coercion (a number sent for a string is an error), query, path and form values with it (they are
 * strings on the wire); Ajv's `discriminator` rejects `mapping`, so it is removed (the `const` of
 * each branch decides just the same); credentials sent as query apiKeys are not unknown parameters;
 * validators are compiled once per operation, on first use, and shared by every fake of a gateway.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import type {
  JsonSchema,
  MediaType,
  OpenApiDocument,
  Operation,
  Parameter,
  Reference,
  RequestBody,
  SecurityRequirement,
  SecurityScheme,
} from "./openapi.js";

export type ProblemLocation = "body" | "query" | "path" | "header";

/** One way a request breaks its spec. */
export interface RequestProblem {
  location: ProblemLocation;
  /** Where inside the location: `["messages", 0, "msg"]`, or `["limit"]` for a query parameter. */
  path: Array<string | number>;
  /**
   * What is wrong: the JSON Schema keyword that failed (`required`, `maxLength`, `pattern`,
   * `additionalProperties`, `type`, …) or one of `unknownParameter`, `contentType`, `json`, `body`.
   */
  keyword: string;
  /** The problem in words, without the location: `must NOT have more than 1600 characters`. */
  message: string;
}

/** `body.messages[0].msg: must NOT have more than 1600 characters`. */
export function describeProblem(problem: RequestProblem): string {
  return `${[problem.location, ...problem.path.map(String)].join(".").replace(/\.(\d+)(?=\.|$)/g, "[$1]")}: ${problem.message}`;
}

export interface Route {
  method: string;
  /** The spec's path template, `/api/v1/companies/{orgNr}`. */
  template: string;
  operationId: string;
  operation: Operation;
}

export interface MatchedRoute extends Route {
  pathParams: Record<string, string>;
}

export interface ValidatedRequest {
  problems: RequestProblem[];
  /** Query parameters by name, typed by their schemas (arrays as arrays, numbers as numbers). */
  query: Record<string, unknown>;
  pathParams: Record<string, unknown>;
  /** The parsed body: JSON as sent, a form typed by its schema; undefined without a body. */
  body: unknown;
  /** The body's media type, without parameters. */
  mediaType: string | undefined;
}

export interface SecurityCheck {
  satisfied: boolean;
  /** The credentials of the satisfied requirement by scheme name (HTTP Basic as `user:password`). */
  credentials: Record<string, string>;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;
const SPEC_ID = "https://smskit.invalid/openapi.json";
const addFormats = formats.default;

function isReference(value: unknown): value is Reference {
  return typeof value === "object" && value !== null && typeof (value as Reference).$ref === "string";
}

function mediaTypeOf(contentType: string | null): string | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  return type === "" ? undefined : type;
}

function charsetOf(contentType: string | null): string {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? "");
  return (match?.[1] ?? "utf-8").toLowerCase();
}

/** A deep copy in which Ajv can compile the spec: `discriminator.mapping` removed. */
function withoutDiscriminatorMappings(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDiscriminatorMappings);
  if (node === null || typeof node !== "object") return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "discriminator" && value && typeof value === "object") {
      const { mapping: _mapping, ...rest } = value as Record<string, unknown>;
      copy[key] = rest;
    } else {
      copy[key] = withoutDiscriminatorMappings(value);
    }
  }
  return copy;
}

/** Points the spec's local `#/…` references at the registered spec, for schemas built outside it. */
function anchored(schema: JsonSchema): JsonSchema {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== "object") return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        key === "$ref" && typeof value === "string" && value.startsWith("#")
          ? `${SPEC_ID}${value}`
          : visit(value),
      ]),
    );
  };
  return visit(schema) as JsonSchema;
}

function pathOf(instancePath: string): Array<string | number> {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function problemsOf(errors: readonly ErrorObject[], location: ProblemLocation): RequestProblem[] {
  const problems: RequestProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const path = pathOf(error.instancePath);
    const params = error.params as Record<string, unknown>;
    let problem: RequestProblem;
    if (error.keyword === "required") {
      problem = {
        location,
        path: [...path, String(params.missingProperty)],
        keyword: "required",
        message: "is required",
      };
    } else if (error.keyword === "additionalProperties" || error.keyword === "unevaluatedProperties") {
      const name = String(params.additionalProperty ?? params.unevaluatedProperty);
      problem = {
        location,
        path: [...path, name],
        keyword: error.keyword,
        message: "is not a known property",
      };
    } else if (error.keyword === "discriminator") {
      problem = {
        location,
        path: [...path, String(params.tag)],
        keyword: "discriminator",
        message:
          params.error === "mapping"
            ? `${JSON.stringify(params.tagValue)} is not one of the allowed kinds`
            : "is required and must be a string",
      };
    } else if (error.keyword === "enum") {
      const allowed = (params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ");
      problem = { location, path, keyword: "enum", message: `must be one of ${allowed}` };
    } else if (error.keyword === "const") {
      problem = {
        location,
        path,
        keyword: "const",
        message: `must be ${JSON.stringify(params.allowedValue)}`,
      };
    } else {
      problem = { location, path, keyword: error.keyword, message: error.message ?? "is invalid" };
    }
    const key = describeProblem(problem);
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

const isLatin1 = (charset: string) => ["iso-8859-1", "latin1", "us-ascii"].includes(charset);

/** Percent-decoding of one form value in the body's charset; `+` is a space. */
function decodeFormValue(raw: string, charset: string): string | undefined {
  const spaced = raw.replace(/\+/g, " ");
  if (isLatin1(charset)) {
    return spaced.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/** The validation side of one spec; build it with {@link validatorFor}, which shares it. */
export class RequestValidator {
  readonly spec: OpenApiDocument;
  private readonly routes: Route[];
  /** Path prefixes of the documented servers (`/rest` for websms), stripped before matching. */
  private readonly prefixes: string[];
  private readonly jsonAjv: Ajv2020;
  private readonly coercingAjv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(spec: OpenApiDocument) {
    this.spec = spec;
    this.routes = this.collectRoutes();
    this.prefixes = this.serverPrefixes();
    const registered = { ...(withoutDiscriminatorMappings(spec) as object), $id: SPEC_ID };
    // validateSchema off: the registered document is an OpenAPI document, not a JSON Schema to be checked against the meta-schema.
    const options = { strict: false, allErrors: true, discriminator: true, validateSchema: false } as const;
    this.jsonAjv = new Ajv2020(options);
    // Query, path and form values are strings on the wire; only they are coerced ("array" also
    // wraps a single value in an array where the schema wants one).
    this.coercingAjv = new Ajv2020({ ...options, coerceTypes: "array" });
    for (const ajv of [this.jsonAjv, this.coercingAjv]) {
      addFormats(ajv);
      ajv.addSchema(registered);
    }
  }

  private collectRoutes(): Route[] {
    const routes: Route[] = [];
    for (const [template, item] of Object.entries(this.spec.paths)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (operation?.operationId === undefined) continue;
        const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])];
        routes.push({
          method: method.toUpperCase(),
          template,
          operationId: operation.operationId,
          operation: { ...operation, parameters },
        });
      }
    }
    // A literal segment wins over a template (`/companies/search` before `/companies/{orgNr}`).
    const templated = (route: Route) => (route.template.match(/\{/g) ?? []).length;
    return routes.sort((a, b) => templated(a) - templated(b));
  }

  private serverPrefixes(): string[] {
    const prefixes = new Set<string>([""]);
    for (const server of this.spec.servers ?? []) {
      const withDefaults = server.url.replace(
        /\{([^}]+)\}/g,
        (_, name: string) => server.variables?.[name]?.default ?? "",
      );
      try {
        const pathname = new URL(withDefaults).pathname.replace(/\/+$/, "");
        if (pathname !== "") prefixes.add(pathname);
      } catch {
        // a server URL that is not absolute contributes no prefix
      }
    }
    return [...prefixes].sort((a, b) => b.length - a.length);
  }

  /** The operation a request is for, by method and path (after any documented server prefix). */
  match(method: string, pathname: string): MatchedRoute | undefined {
    for (const prefix of this.prefixes) {
      if (prefix !== "" && !(pathname === prefix || pathname.startsWith(`${prefix}/`))) continue;
      const rest = pathname.slice(prefix.length) || "/";
      for (const route of this.routes) {
        if (route.method !== method.toUpperCase()) continue;
        const pathParams = matchTemplate(route.template, rest);
        if (pathParams) return { ...route, pathParams };
      }
    }
    return undefined;
  }

  /** The operations of the spec, for tests and tools. */
  operations(): readonly Route[] {
    return this.routes;
  }

  resolve<T>(value: T | Reference): T {
    let current: unknown = value;
    for (let depth = 0; isReference(current) && depth < 16; depth++) {
      const pointer = current.$ref;
      if (!pointer.startsWith("#/")) throw new TypeError(`unsupported $ref ${pointer}`);
      current = pointer
        .slice(2)
        .split("/")
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], this.spec);
    }
    if (current === undefined) throw new TypeError(`unresolvable $ref in the spec`);
    return current as T;
  }

  private isArraySchema(schema: JsonSchema | undefined): boolean {
    if (schema === undefined || typeof schema === "boolean") return false;
    const resolved = this.resolve(schema as JsonSchema | Reference) as Record<string, unknown>;
    const { type } = resolved;
    return type === "array" || (Array.isArray(type) && type.includes("array"));
  }

  /** The schema of one property of an object schema, looking through `$ref` and `allOf`. */
  private propertySchema(schema: JsonSchema | undefined, name: string): JsonSchema | undefined {
    if (schema === undefined || typeof schema === "boolean") return undefined;
    const resolved = this.resolve(schema as JsonSchema | Reference) as Record<string, unknown>;
    const own = (resolved.properties as Record<string, JsonSchema> | undefined)?.[name];
    if (own !== undefined) return own;
    for (const part of (resolved.allOf as JsonSchema[] | undefined) ?? []) {
      const found = this.propertySchema(part, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private compile(key: string, ajv: Ajv2020, schema: () => JsonSchema): ValidateFunction {
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      validate = ajv.compile(anchored(schema()));
      this.compiled.set(key, validate);
    }
    return validate;
  }

  private parametersOf(route: Route): Parameter[] {
    const byKey = new Map<string, Parameter>();
    for (const entry of route.operation.parameters ?? []) {
      const parameter = this.resolve(entry);
      byKey.set(`${parameter.in}:${parameter.name}`, parameter);
    }
    return [...byKey.values()];
  }

  private requirementsOf(route: Route): SecurityRequirement[] {
    return route.operation.security ?? this.spec.security ?? [];
  }

  private scheme(name: string): SecurityScheme | undefined {
    return this.spec.components?.securitySchemes?.[name];
  }

  /** Names of query parameters that carry credentials, which are not unknown parameters. */
  private credentialQueryNames(route: Route): Set<string> {
    const names = new Set<string>();
    for (const requirement of this.requirementsOf(route)) {
      for (const schemeName of Object.keys(requirement)) {
        const scheme = this.scheme(schemeName);
        if (scheme?.type === "apiKey" && scheme.in === "query") names.add(scheme.name);
      }
    }
    return names;
  }

  /** Whether the request carries one complete set of the credentials the operation requires. */
  checkSecurity(route: Route, request: Request): SecurityCheck {
    const requirements = this.requirementsOf(route);
    if (requirements.length === 0) return { satisfied: true, credentials: {} };
    const url = new URL(request.url);
    const authorization = request.headers.get("authorization") ?? "";
    for (const requirement of requirements) {
      const credentials: Record<string, string> = {};
      let complete = true;
      for (const schemeName of Object.keys(requirement)) {
        const value = this.credentialFor(this.scheme(schemeName), url, request.headers, authorization);
        if (value === undefined || value === "") complete = false;
        else credentials[schemeName] = value;
      }
      if (complete) return { satisfied: true, credentials };
    }
    return { satisfied: false, credentials: {} };
  }

  private credentialFor(
    scheme: SecurityScheme | undefined,
    url: URL,
    headers: Headers,
    authorization: string,
  ): string | undefined {
    if (scheme === undefined) return undefined;
    if (scheme.type === "apiKey") {
      if (scheme.in === "query") return url.searchParams.get(scheme.name as string) ?? undefined;
      if (scheme.in === "header") return headers.get(scheme.name as string) ?? undefined;
      return undefined;
    }
    if (scheme.type === "http") {
      const [kind, value] = [
        authorization.slice(0, authorization.indexOf(" ")),
        authorization.slice(authorization.indexOf(" ") + 1).trim(),
      ];
      if (String(scheme.scheme).toLowerCase() === "bearer" && kind.toLowerCase() === "bearer") return value;
      if (String(scheme.scheme).toLowerCase() === "basic" && kind.toLowerCase() === "basic") {
        try {
          const bytes = Uint8Array.from(atob(value), (char) => char.charCodeAt(0));
          const decoded = new TextDecoder().decode(bytes);
          return decoded.includes(":") ? decoded : undefined;
        } catch {
          return undefined;
        }
      }
    }
    return undefined;
  }

  /**
   * Validates query, path and body of a request routed to `route`. Reads the body. `queryCharset`
   * is how percent-escapes in the query decode (UTF-8 unless a gateway documents another).
   */
  async validate(route: MatchedRoute, request: Request, queryCharset = "utf-8"): Promise<ValidatedRequest> {
    const url = new URL(request.url);
    const problems: RequestProblem[] = [];
    const parameters = this.parametersOf(route);

    const search = queryValues(url.search, queryCharset);
    if (search === undefined) {
      problems.push({
        location: "query",
        path: [],
        keyword: "encoding",
        message: `is not valid ${queryCharset}`,
      });
    }
    const query = this.queryObject(route, parameters, search ?? new Map(), problems);
    const queryValidator = this.compile(`${route.operationId}:query`, this.coercingAjv, () =>
      this.objectSchema(parameters.filter((parameter) => parameter.in === "query")),
    );
    if (!queryValidator(query)) problems.push(...problemsOf(queryValidator.errors ?? [], "query"));

    const pathParams: Record<string, unknown> = { ...route.pathParams };
    const pathValidator = this.compile(`${route.operationId}:path`, this.coercingAjv, () =>
      this.objectSchema(parameters.filter((parameter) => parameter.in === "path")),
    );
    if (!pathValidator(pathParams)) problems.push(...problemsOf(pathValidator.errors ?? [], "path"));

    const { body, mediaType } = await this.validateBody(route, request, problems);
    return { problems, query, pathParams, body, mediaType };
  }

  private objectSchema(parameters: readonly Parameter[]): JsonSchema {
    return {
      type: "object",
      properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema ?? {}])),
      required: parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
    };
  }

  private queryObject(
    route: Route,
    parameters: readonly Parameter[],
    search: ReadonlyMap<string, string[]>,
    problems: RequestProblem[],
  ): Record<string, unknown> {
    const declared = new Map(parameters.filter((p) => p.in === "query").map((p) => [p.name, p]));
    const credentials = this.credentialQueryNames(route);
    const query: Record<string, unknown> = {};
    for (const [name, values] of search) {
      const parameter = declared.get(name);
      if (parameter === undefined) {
        if (!credentials.has(name)) {
          problems.push({
            location: "query",
            path: [name],
            keyword: "unknownParameter",
            message: "is not a parameter of this operation",
          });
        }
        continue;
      }
      if (this.isArraySchema(parameter.schema)) {
        // OpenAPI's default for query parameters is style form, explode true: one key per value.
        query[name] = parameter.explode === false ? values.flatMap((value) => value.split(",")) : values;
      } else if (values[0] !== "") {
        // `limit=` counts as not given, as Prism (and most servers) read it.
        query[name] = values[0];
      }
    }
    return query;
  }

  private async validateBody(
    route: MatchedRoute,
    request: Request,
    problems: RequestProblem[],
  ): Promise<{ body: unknown; mediaType: string | undefined }> {
    const declared = route.operation.requestBody
      ? this.resolve<RequestBody>(route.operation.requestBody)
      : undefined;
    const bytes = new Uint8Array(await request.arrayBuffer());
    const contentType = request.headers.get("content-type");
    const mediaType = mediaTypeOf(contentType);
    if (declared === undefined) {
      if (bytes.length > 0) {
        problems.push({
          location: "body",
          path: [],
          keyword: "body",
          message: "this operation takes no request body",
        });
      }
      return { body: undefined, mediaType };
    }
    if (bytes.length === 0) {
      if (declared.required) {
        problems.push({
          location: "body",
          path: [],
          keyword: "required",
          message: "a request body is required",
        });
      }
      return { body: undefined, mediaType };
    }
    const media: MediaType | undefined =
      mediaType === undefined ? undefined : (declared.content[mediaType] ?? declared.content["*/*"]);
    if (media === undefined) {
      problems.push({
        location: "body",
        path: [],
        keyword: "contentType",
        message: `content type ${JSON.stringify(mediaType ?? "(none)")} is not accepted; send ${Object.keys(declared.content).join(" or ")}`,
      });
      return { body: undefined, mediaType };
    }
    const key = `${route.operationId}:body:${mediaType}`;
    const schema = () => media.schema ?? {};
    if (mediaType === "application/json" || mediaType?.endsWith("+json")) {
      let body: unknown;
      try {
        body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      } catch {
        problems.push({ location: "body", path: [], keyword: "json", message: "is not valid JSON" });
        return { body: undefined, mediaType };
      }
      const validate = this.compile(key, this.jsonAjv, schema);
      if (!validate(body)) problems.push(...problemsOf(validate.errors ?? [], "body"));
      return { body, mediaType };
    }
    if (mediaType === "application/x-www-form-urlencoded") {
      const body = this.formObject(media, bytes, charsetOf(contentType), problems);
      if (body === undefined) return { body: undefined, mediaType };
      const validate = this.compile(key, this.coercingAjv, schema);
      if (!validate(body)) problems.push(...problemsOf(validate.errors ?? [], "body"));
      return { body, mediaType };
    }
    // No other media type appears in the specs; such a body is passed on as text, unchecked.
    return { body: new TextDecoder().decode(bytes), mediaType };
  }

  private formObject(
    media: MediaType,
    bytes: Uint8Array,
    charset: string,
    problems: RequestProblem[],
  ): Record<string, unknown> | undefined {
    let text: string;
    try {
      text = isLatin1(charset) ? latin1Text(bytes) : new TextDecoder(charset, { fatal: true }).decode(bytes);
    } catch {
      problems.push({
        location: "body",
        path: [],
        keyword: "encoding",
        message: `is not valid ${charset} text`,
      });
      return undefined;
    }
    const values = formValues(text, charset);
    if (values === undefined) {
      problems.push({
        location: "body",
        path: [],
        keyword: "encoding",
        message: `is not valid ${charset} form data`,
      });
      return undefined;
    }
    const body: Record<string, unknown> = {};
    for (const [name, list] of values) {
      const property = this.propertySchema(media.schema, name);
      if (this.isArraySchema(property)) {
        const encoding = media.encoding?.[name];
        body[name] = encoding?.explode === false ? list.flatMap((value) => value.split(",")) : list;
      } else {
        body[name] = list[0];
      }
    }
    return body;
  }
}

/** `a=1&b=2&a=3` as name → values, in order; undefined when an escape is not valid in `charset`. */
function formValues(text: string, charset: string): Map<string, string[]> | undefined {
  const values = new Map<string, string[]>();
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const name = decodeFormValue(at === -1 ? pair : pair.slice(0, at), charset);
    const value = decodeFormValue(at === -1 ? "" : pair.slice(at + 1), charset);
    if (name === undefined || value === undefined) return undefined;
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return values;
}

function queryValues(search: string, charset: string): Map<string, string[]> | undefined {
  return formValues(search.replace(/^\?/, ""), charset);
}

/** ISO-8859-1 bytes as text; TextDecoder's "latin1" is windows-1252, which differs at 0x80–0x9F. */
function latin1Text(bytes: Uint8Array): string {
  let text = "";
  for (let start = 0; start < bytes.length; start += 8192) {
    text += String.fromCharCode(...bytes.subarray(start, start + 8192));
  }
  return text;
}

function matchTemplate(template: string, pathname: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(name);
      return "([^/]+)";
    })
    .join("");
  const match = new RegExp(`^${pattern}/?$`).exec(pathname);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  names.forEach((name, index) => {
    const raw = match[index + 1] as string;
    try {
      params[name] = decodeURIComponent(raw);
    } catch {
      params[name] = raw;
    }
  });
  return params;
}

const validators = new WeakMap<OpenApiDocument, RequestValidator>();

/** The validator of a spec, built once and shared, so each operation is compiled only once per process. */
export function validatorFor(spec: OpenApiDocument): RequestValidator {
  let validator = validators.get(spec);
  if (validator === undefined) {
    validator = new RequestValidator(spec);
    validators.set(spec, validator);
  }
  return validator;
}
