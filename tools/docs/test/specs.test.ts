import { describe, expect, test } from "vitest";
import { listApis, operationsOf } from "../workspace.ts";

const MARKDOWN = /[`*_[\]<>]|^#/m;

describe.each(listApis().map((api) => [api.id, api] as const))("%s", (_id, api) => {
  test("server descriptions are plain text (Redoc shows them unrendered)", () => {
    const servers = (api.spec as { servers?: Array<Record<string, unknown>> }).servers ?? [];
    const texts = servers.flatMap((server) => [
      String(server.description ?? ""),
      ...Object.values((server.variables ?? {}) as Record<string, { description?: string }>).map(
        (variable) => variable.description ?? "",
      ),
    ]);
    expect(texts.filter((text) => MARKDOWN.test(text))).toEqual([]);
  });

  test("every operation has the operationId, summary and tag the docs navigate by", () => {
    const incomplete = operationsOf(api.spec).filter(
      (operation) => !operation.operationId || !operation.summary || operation.tags.length === 0,
    );
    expect(incomplete.map((operation) => operation.where)).toEqual([]);
  });
});
