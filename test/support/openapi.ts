/**
 * Validates responses against the schemas of apikeys.openapi.json with Ajv (JSON Schema 2020-12, as
 * OpenAPI 3.1 uses). The file was generated from ASP.NET, whose generator writes inheritance as
 * `allOf: [Base]` while both sides keep `additionalProperties: false`; read literally, that makes
 * ApiKeyCreatedResponse unsatisfiable (`token` and `name` would exclude each other), and
 * `oneOf: [ProblemDetails, HttpValidationProblemDetails]` matches both for every problem. We apply
 * the generator's intent, and nothing else: an `allOf` base is merged into the derived schema, and a
 * `oneOf` between a base and its derived type becomes `anyOf`. Every other keyword stays as written.
 */
import fs from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

type Schema = Record<string, unknown>;

const specFile = new URL('./apikeys.openapi.json', import.meta.url);
export const SPEC = JSON.parse(fs.readFileSync(specFile, 'utf8')) as {
  components: { schemas: Record<string, Schema> };
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
};

function resolve(ref: string): Schema {
  return SPEC.components.schemas[ref.replace('#/components/schemas/', '')]!;
}

/** Merges `allOf` bases into the schema (inheritance), recursively. */
function flatten(schema: Schema): Schema {
  if (typeof schema.$ref === 'string') return flatten({ ...resolve(schema.$ref), ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref')) });
  const result: Schema = { ...schema };
  if (Array.isArray(schema.allOf)) {
    delete result.allOf;
    for (const part of schema.allOf as Schema[]) {
      const base = flatten(part);
      result.properties = { ...(base.properties as Schema), ...(result.properties as Schema) };
      result.required = [...new Set([...((base.required as string[]) ?? []), ...((result.required as string[]) ?? [])])];
      result.type ??= base.type;
      if (base.additionalProperties === false && result.additionalProperties === undefined) result.additionalProperties = false;
    }
  }
  if (Array.isArray(schema.oneOf)) {
    delete result.oneOf;
    result.anyOf = (schema.oneOf as Schema[]).map(flatten);
  }
  if (schema.items && typeof schema.items === 'object') result.items = flatten(schema.items as Schema);
  if (result.properties) result.properties = Object.fromEntries(Object.entries(result.properties as Record<string, Schema>).map(([k, v]) => [k, flatten(v)]));
  return result;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('int32', { type: 'number', validate: (value: number) => Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31 });

/** The flattened schema of a response, as the spec gives it for `application/json`. */
export function responseSchema(specPath: string, method: string, status: number): Schema | null {
  const response = SPEC.paths[specPath]?.[method.toLowerCase()]?.responses[String(status)];
  if (!response) throw new Error(`${method} ${specPath} documents no ${status} response`);
  const schema = response.content?.['application/json']?.schema;
  return schema ? flatten(schema) : null;
}

/** The flattened ProblemDetails schema, for statuses the spec leaves undocumented (401, 403, 429 …). */
export function problemSchema(): Schema {
  return flatten({ $ref: '#/components/schemas/ProblemDetails' });
}

/** Validation errors of `body` against `schema`, or [] when it conforms. */
export function violations(schema: Schema, body: unknown): string[] {
  const validate = ajv.compile(schema);
  return validate(body) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}
