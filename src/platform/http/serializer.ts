import fastJson from 'fast-json-stringify';
import { z } from 'zod';

/**
 * Responses are described by zod schemas (one schema gives types, validation and the OpenAPI
 * document), but serialized by fast-json-stringify from the schema's JSON Schema: several times
 * faster than parsing the response with zod, and it still writes only the declared fields.
 */
export const zodSerializerCompiler = ({ schema }: { schema: unknown }) => {
  if (!(schema instanceof z.ZodType)) throw new Error('Response schemas must be zod schemas');
  return fastJson(z.toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'any' }) as Parameters<typeof fastJson>[0]);
};
