import type { FastifyDynamicSwaggerOptions, SwaggerTransform } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * The OpenAPI 3.1 document of /api/v1, served at /api/openapi.json. @fastify/swagger collects the
 * routes; fastify-type-provider-zod turns their zod schemas (./schema.ts) into JSON Schema. Only
 * the /api/v1 routes are described: the pages are not an API.
 */

const onlyTheApi: SwaggerTransform = (route) => (route.url.startsWith('/api/v1/') ? jsonSchemaTransform(route) : { schema: { hide: true }, url: route.url });

interface Document {
  paths?: unknown;
  components?: { schemas?: Record<string, unknown> };
}
const schemaRef = (name: string) => `"#/components/schemas/${name}"`;

/**
 * The provider adds an input and an output variant of every named schema (`NewConcernInput`,
 * `NewConcern`). Only those the paths use are kept, and a request schema used only as input keeps
 * its own name.
 */
function tidyComponents(generated: ReturnType<typeof jsonSchemaTransformObject>): ReturnType<typeof jsonSchemaTransformObject> {
  const document = generated as Document;
  const schemas = document.components?.schemas ?? {};
  const used = new Set<string>();
  const pending = [JSON.stringify(document.paths ?? {})];
  while (pending.length > 0) {
    for (const [, name] of pending.pop()!.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (used.has(name!)) continue;
      used.add(name!);
      pending.push(JSON.stringify(schemas[name!] ?? {}));
    }
  }
  // A request schema's input variant (`NewConcernInput`) takes the plain name when that is free.
  const names = new Map(
    [...used].map((name) => {
      const plain = name.replace(/Input$/, '');
      return [name, plain !== name && !used.has(plain) ? plain : name];
    }),
  );
  let text = JSON.stringify({
    ...document,
    components: { ...document.components, schemas: Object.fromEntries([...names].map(([name, shown]) => [shown, schemas[name]])) },
  });
  for (const [name, shown] of names) if (shown !== name) text = text.replaceAll(schemaRef(name), schemaRef(shown));
  return JSON.parse(text) as typeof generated;
}

export const apiDocumentOptions: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: {
      title: 'Lantern partner API',
      version: '1.0.0',
      description:
        'For partner systems of a safeguarding partnership. Every call acts with the roles, partnership and agency of its API token, ' +
        'is limited by the same permissions and row-level security as the web pages, and is written to the audit trail. ' +
        'Names are searched by POST so that no personal data appears in a URL.',
    },
    security: [{ bearerToken: [] }],
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'A token created by a partnership administrator under /admin/api-tokens.' },
      },
    },
  },
  transform: onlyTheApi,
  transformObject: (document) => tidyComponents(jsonSchemaTransformObject(document)),
};
