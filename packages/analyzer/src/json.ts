/** Reading untyped JSON (model files) without `any`: narrow with these, fail with the caller's message. */

export type JsonObject = { readonly [key: string]: unknown };

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export const field = (o: JsonObject, key: string): unknown => (Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined);

export function objectField(o: JsonObject, key: string): JsonObject | undefined {
  const v = field(o, key);
  return isObject(v) ? v : undefined;
}

export function stringField(o: JsonObject, key: string): string | undefined {
  const v = field(o, key);
  return typeof v === 'string' ? v : undefined;
}

export function arrayField(o: JsonObject, key: string): readonly unknown[] | undefined {
  const v = field(o, key);
  return Array.isArray(v) ? v : undefined;
}
