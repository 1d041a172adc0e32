/**
 * Test helpers for the fake gateways: the full spec (from specs/, not the embedded request half),
 * a check that an answer matches the spec's response schema, and raw requests.
 */
import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { parse } from "yaml";
import { digifySpec } from "../../src/generated/digify.openapi.js";
import { f24Spec } from "../../src/generated/f24.openapi.js";
import { smartswitchSpec } from "../../src/generated/smartswitch.openapi.js";
import { websmsSpec } from "../../src/generated/websms.openapi.js";
import type { FakeGateway, GatewayName } from "../../src/testing/index.js";
import { validatorFor } from "../../src/testing/validator.js";

export const EMBEDDED = {
  digify: digifySpec,
  websms: websmsSpec,
  f24: f24Spec,
  smartswitch: smartswitchSpec,
};

type Document = Record<string, unknown>;

const documents = new Map<GatewayName, Document>();
export function specDocument(gateway: GatewayName): Document {
  let document = documents.get(gateway);
  if (document === undefined) {
    const url = new URL(`../../../../specs/${gateway}/openapi.yaml`, import.meta.url);
    document = parse(readFileSync(url, "utf8")) as Document;
    documents.set(gateway, document);
  }
  return document;
}

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

function stripMappings(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripMappings);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === "discriminator" && value && typeof value === "object") {
        const { mapping: _mapping, ...rest } = value as Record<string, unknown>;
        return [key, rest];
      }
      return [key, stripMappings(value)];
    }),
  );
}

const ajvs = new Map<GatewayName, Ajv2020>();
function ajvFor(gateway: GatewayName): Ajv2020 {
  let ajv = ajvs.get(gateway);
  if (ajv === undefined) {
    ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: true, validateSchema: false });
    formats.default(ajv);
    ajv.addSchema({
      ...(stripMappings(specDocument(gateway)) as object),
      $id: `https://smskit.invalid/${gateway}/full.json`,
    });
    ajvs.set(gateway, ajv);
  }
  return ajv;
}

function resolveRef(document: Document, value: unknown): Record<string, unknown> | undefined {
  let current = value as Record<string, unknown> | undefined;
  for (let depth = 0; current && typeof current.$ref === "string" && depth < 8; depth++) {
    current = (current.$ref as string)
      .slice(2)
      .split("/")
      .reduce<unknown>(
        (node, part) => (node as Document | undefined)?.[part.replace(/~1/g, "/")],
        document,
      ) as Record<string, unknown> | undefined;
  }
  return current;
}

const compiled = new Map<string, ValidateFunction>();

/** Problems of an answer against the spec's response for its operation and status; [] when it conforms. */
export async function responseProblems(
  gateway: GatewayName,
  request: Request,
  response: Response,
): Promise<string[]> {
  const route = validatorFor(EMBEDDED[gateway]).match(request.method, new URL(request.url).pathname);
  if (route === undefined) return [`no operation for ${request.method} ${request.url}`];
  const document = specDocument(gateway);
  const method = request.method.toLowerCase();
  const operation = ((document.paths as Document)[route.template] as Document)[method] as Document;
  const responses = operation.responses as Document;
  const status = String(response.status);
  const key = status in responses ? status : `${status[0]}XX` in responses ? `${status[0]}XX` : undefined;
  if (key === undefined) return [`status ${status} is not declared for ${route.operationId}`];
  const declared = resolveRef(document, responses[key]) as Document;
  const content = declared.content as Document | undefined;
  const text = await response.clone().text();
  if (content === undefined)
    return text === "" ? [] : [`${route.operationId} ${status} declares no body, got ${text}`];
  const mediaType = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
  if (!(mediaType in content))
    return [`${route.operationId} ${status}: content type ${mediaType} is not declared`];
  let body: unknown;
  if (mediaType === "application/x-www-form-urlencoded") {
    // The decoded view of websms's simple answers, numbers as numbers (see SimpleSmsSendResponse).
    const fields = Object.fromEntries(new URLSearchParams(text));
    body = {
      ...fields,
      statusCode: Number(fields.statusCode),
      smsCount: Number(fields.smsCount),
      transferId: fields.transferId || null,
    };
  } else {
    body = JSON.parse(text);
  }
  const keyPath = `${gateway}:${route.template}:${method}:${key}:${mediaType}`;
  let validate = compiled.get(keyPath);
  if (validate === undefined) {
    const base =
      typeof (responses[key] as Document).$ref === "string"
        ? ((responses[key] as Document).$ref as string)
        : `#/${pointer("paths", route.template, method, "responses", key)}`;
    validate = ajvFor(gateway).compile({
      $ref: `https://smskit.invalid/${gateway}/full.json${base}/${pointer("content", mediaType, "schema")}`,
    });
    compiled.set(keyPath, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (error) => `${route.operationId} ${status}: ${error.instancePath} ${error.message}`,
  );
}

/** Validates a body against a webhook's request schema in the full spec. */
export function webhookProblems(
  gateway: GatewayName,
  webhook: string,
  mediaType: string,
  body: unknown,
): string[] {
  const validate = ajvFor(gateway).compile({
    $ref: `https://smskit.invalid/${gateway}/full.json#/${pointer("webhooks", webhook, "post", "requestBody", "content", mediaType, "schema")}`,
  });
  return validate(body)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

/**
 * The fake's fetch, checking every answer against the spec's responses; `problems` collects what
 * did not conform.
 */
export function conformingFetch(fake: FakeGateway) {
  const problems: string[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const copy = request.clone();
    const response = await fake.fetch(request);
    problems.push(...(await responseProblems(fake.provider, copy, response)));
    return response;
  };
  return { fetch, problems };
}
