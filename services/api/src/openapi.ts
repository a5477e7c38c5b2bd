import { z } from 'zod';
import type { Endpoint } from './endpoint.ts';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const PROBLEM = {
  description: 'a problem (RFC 9457): what went wrong and what to do',
  content: {
    'application/problem+json': {
      schema: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
        },
      },
    },
  },
};

/** OpenAPI 3.1 of the API, from the same zod schemas that validate the requests. */
export function openApiDocument(endpoints: readonly Endpoint[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of endpoints) {
    const path = endpoint.path.replace(/:([a-z_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['query', endpoint.query],
      ['path', endpoint.params],
    ] as const) {
      const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, property] of Object.entries(json.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (json.required ?? []).includes(name),
          schema: property,
        });
      }
    }
    const jsonContent = { 'application/json': { schema: toSchema(endpoint.response, 'output') } };
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[endpoint.method.toLowerCase()] = {
      operationId: endpoint.id,
      summary: endpoint.summary,
      description: endpoint.description,
      'x-scope': endpoint.scope,
      parameters,
      ...(endpoint.body === undefined
        ? {}
        : {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(endpoint.body, 'input') } },
            },
          }),
      responses: {
        200: {
          description: 'the answer',
          content:
            endpoint.csvRows === undefined
              ? jsonContent
              : { ...jsonContent, 'text/csv': { schema: { type: 'string', description: 'UTF-8 with BOM' } } },
        },
        400: PROBLEM,
        401: PROBLEM,
        403: PROBLEM,
        404: PROBLEM,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'commune-pulse API',
      version: '1.0.0',
      description:
        "Read-only figures of commune-pulse: where front-line staff are overloaded, commune by commune and week by week. Every request needs a token (Authorization: Bearer …); a province's token sees only that province.",
    },
    components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
    security: [{ token: [] }],
    paths,
  };
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** A browsable reference of the document, self-contained (no script, no network). */
export function referencePage(document: ReturnType<typeof openApiDocument>): string {
  const sections = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, raw]) => {
      const operation = raw as {
        operationId: string;
        summary: string;
        description: string;
        parameters: { name: string; in: string; required: boolean; schema: JsonSchema }[];
        requestBody?: unknown;
        responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
        'x-scope': string;
      };
      const rows = operation.parameters
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : ''}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`,
        )
        .join('');
      const response = operation.responses['200']?.content?.['application/json']?.schema;
      return `<section id="${operation.operationId}"><h2><span class="method">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>
<p><strong>${escapeHtml(operation.summary)}</strong> — ${escapeHtml(operation.description)}</p>
<p>Scope: ${escapeHtml(operation['x-scope'])}</p>
${rows ? `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${rows}</table>` : ''}
${operation.requestBody ? `<details><summary>request body</summary><pre>${escapeHtml(JSON.stringify(operation.requestBody, null, 2))}</pre></details>` : ''}
<details><summary>response</summary><pre>${escapeHtml(JSON.stringify(response, null, 2))}</pre></details></section>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(document.info.title)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:12px ui-monospace,monospace}pre{background:#f5f5f5;padding:.5rem;overflow:auto}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
.method{background:#1565c0;color:#fff;padding:0 .4rem;border-radius:3px;font-size:12px}section{border-top:1px solid #ddd;padding:.5rem 0}</style>
</head><body><h1>${escapeHtml(document.info.title)} ${escapeHtml(document.info.version)}</h1><p>${escapeHtml(document.info.description)}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${document.openapi}). Errors are <code>application/problem+json</code>.</p>
<nav><ul>${Object.values(document.paths)
    .flatMap((ops) => Object.values(ops) as { operationId: string; summary: string }[])
    .map((op) => `<li><a href="#${op.operationId}">${escapeHtml(op.summary)}</a></li>`)
    .join('')}</ul></nav>${sections.join('\n')}</body></html>`;
}
