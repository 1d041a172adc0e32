/**
 * The part of an OpenAPI 3.1 document the fake gateways read: enough to route a request to its
 * operation and validate it. The embedded specs in `../generated/` have this shape.
 */

/** A JSON Schema 2020-12 schema (OpenAPI 3.1 schemas are plain JSON Schema). */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

export interface Reference {
  $ref: string;
}

export interface Parameter {
  name: string;
  in: "query" | "path" | "header" | "cookie";
  required?: boolean;
  style?: string;
  explode?: boolean;
  schema?: JsonSchema;
}

export interface Encoding {
  style?: string;
  explode?: boolean;
  allowReserved?: boolean;
}

export interface MediaType {
  schema?: JsonSchema;
  encoding?: Record<string, Encoding>;
}

export interface RequestBody {
  required?: boolean;
  content: Record<string, MediaType>;
}

export type SecurityRequirement = Record<string, string[]>;

export interface Operation {
  operationId?: string;
  parameters?: Array<Parameter | Reference>;
  requestBody?: RequestBody | Reference;
  security?: SecurityRequirement[];
}

export interface PathItem {
  parameters?: Array<Parameter | Reference>;
  get?: Operation;
  put?: Operation;
  post?: Operation;
  delete?: Operation;
  patch?: Operation;
  head?: Operation;
  options?: Operation;
}

export type SecurityScheme =
  | { type: "apiKey"; in: "query" | "header" | "cookie"; name: string }
  | { type: "http"; scheme: string; bearerFormat?: string }
  | { type: "oauth2" | "openIdConnect" | "mutualTLS"; [key: string]: unknown };

export interface OpenApiDocument {
  openapi: string;
  jsonSchemaDialect?: string;
  servers?: Array<{ url: string; variables?: Record<string, { default: string; enum?: string[] }> }>;
  security?: SecurityRequirement[];
  paths: Record<string, PathItem>;
  webhooks?: Record<string, PathItem>;
  components?: {
    schemas?: Record<string, JsonSchema>;
    parameters?: Record<string, Parameter>;
    securitySchemes?: Record<string, SecurityScheme>;
    requestBodies?: Record<string, RequestBody>;
  };
}
