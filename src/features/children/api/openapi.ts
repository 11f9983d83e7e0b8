import { z } from 'zod';
import { apiConcernSchema, closingOutcomes, decisions, riskLevels } from '../schema.ts';

/** Request bodies come from the zod schemas the routes parse with, so the document cannot drift from them. */
const inputSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

export const childSearchBody = z.object({
  name: z.string().max(200).optional(),
  dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  postcode: z.string().max(10).optional(),
  includeClosed: z.boolean().optional(),
}).strict();

const uuid = { type: 'string', format: 'uuid' } as const;
const date = { type: 'string', format: 'date' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const error = { $ref: '#/components/schemas/Error' };
const errors = {
  400: { description: 'Invalid request', content: { 'application/json': { schema: error } } },
  401: { description: 'No valid API token', content: { 'application/json': { schema: error } } },
  403: { description: 'The token’s roles do not allow this', content: { 'application/json': { schema: error } } },
};
const secured = [{ bearerToken: [] }];

/** OpenAPI 3.1 description of /api/v1, served at /api/openapi.json. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lantern partner API',
      version: '1.0.0',
      description: 'For partner systems of a safeguarding partnership. Every call acts with the roles, partnership and agency of its API token, '
        + 'is limited by the same permissions and row-level security as the web pages, and is written to the audit trail. '
        + 'Names are searched by POST so that no personal data appears in a URL.',
    },
    servers: [{ url: '/' }],
    security: secured,
    components: {
      securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer', description: 'A token created by a partnership administrator under /admin/api-tokens.' } },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code', 'message'],
          properties: { code: { type: 'string', example: 'LANTERN_E_NOT_FOUND' }, message: { type: 'string' }, issues: { type: 'array', items: { type: 'object' } } } } } },
        ChildSummary: {
          type: 'object', required: ['id', 'reference', 'given_name', 'family_name', 'status'],
          properties: {
            id: uuid, reference: { type: 'string' }, given_name: { type: 'string' }, family_name: { type: 'string' },
            date_of_birth: nullable(date), status: { enum: ['open', 'closed'] }, risk_level: nullable({ enum: [...riskLevels] }),
            flag_cse: { type: 'boolean' }, looked_after: { type: 'boolean' }, restricted: { type: 'boolean' }, aliases: { type: 'array', items: { type: 'string' } },
          },
        },
        ChildMatch: {
          type: 'object', properties: { id: uuid, reference: { type: 'string' }, given_name: { type: 'string' }, family_name: { type: 'string' },
            date_of_birth: nullable(date), status: { enum: ['open', 'closed'] }, strength: { enum: ['likely', 'possible', 'none'] } },
        },
        Child: {
          allOf: [{ $ref: '#/components/schemas/ChildSummary' }, { type: 'object', properties: {
            gender: nullable({ type: 'string' }), flag_cce: { type: 'boolean' }, flag_trafficking: { type: 'boolean' },
            child_protection_plan: { type: 'boolean' }, child_in_need: { type: 'boolean' }, youth_justice: { type: 'boolean' },
            education_status: nullable({ type: 'string' }), owning_agency_id: uuid, closed_at: nullable(dateTime),
            closing_outcome: nullable({ enum: [...closingOutcomes] }),
          } }],
        },
        Concern: {
          type: 'object', required: ['id', 'reference', 'received_at', 'deadline_at'],
          properties: { id: uuid, reference: { type: 'string', example: 'CN-7K4M-9QXD' }, source: { type: 'string' }, received_at: dateTime,
            deadline_at: dateTime, decision: nullable({ enum: [...decisions] }), risk_level: nullable({ enum: [...riskLevels] }),
            acting_agency_id: nullable(uuid), child_id: nullable(uuid), decided_at: nullable(dateTime) },
        },
        NewConcern: inputSchema(apiConcernSchema),
        ChildSearch: inputSchema(childSearchBody),
      },
    },
    paths: {
      '/api/v1/children': {
        get: {
          summary: 'Children the token may see, by family name', operationId: 'listChildren',
          parameters: [
            { name: 'status', in: 'query', schema: { enum: ['open', 'closed', 'all'], default: 'open' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
          ],
          responses: { 200: { description: 'A page of children', content: { 'application/json': { schema: { type: 'object',
            properties: { children: { type: 'array', items: { $ref: '#/components/schemas/ChildSummary' } }, hasNext: { type: 'boolean' } } } } } }, ...errors },
        },
      },
      '/api/v1/children/search': {
        post: {
          summary: 'Search by name, date of birth or postcode, with near-duplicate strength', operationId: 'searchChildren',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ChildSearch' } } } },
          responses: { 200: { description: 'Matches, strongest first', content: { 'application/json': { schema: { type: 'object',
            properties: { matches: { type: 'array', items: { $ref: '#/components/schemas/ChildMatch' } },
              restrictedMatch: { type: 'boolean', description: 'A restricted record the token cannot read matches the names and date of birth '
                + 'strongly. Nothing identifies it: ask the designated safeguarding lead or the DPO before creating a new record.' } } } } } }, ...errors },
        },
      },
      '/api/v1/children/{id}': {
        get: {
          summary: 'One child’s core record', operationId: 'getChild',
          parameters: [{ name: 'id', in: 'path', required: true, schema: uuid }],
          responses: { 200: { description: 'The child', content: { 'application/json': { schema: { $ref: '#/components/schemas/Child' } } } },
            404: { description: 'No such child, or not visible to this token', content: { 'application/json': { schema: error } } }, ...errors },
        },
      },
      '/api/v1/concerns': {
        get: {
          summary: 'Concerns the token may see, newest first', operationId: 'listConcerns',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
          ],
          responses: { 200: { description: 'Concerns', content: { 'application/json': { schema: { type: 'object',
            properties: { concerns: { type: 'array', items: { $ref: '#/components/schemas/Concern' } } } } } } }, ...errors },
        },
        post: {
          summary: 'Raise a concern into the partnership’s triage queue', operationId: 'raiseConcern',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewConcern' } } } },
          responses: { 201: { description: 'Raised', content: { 'application/json': { schema: { type: 'object',
            properties: { id: uuid, reference: { type: 'string' }, deadline_at: dateTime } } } } }, ...errors },
        },
      },
    },
  };
}
