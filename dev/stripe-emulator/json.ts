// JSON helpers shared by rendering and the admin mutations.

export type JsonObject = Record<string, unknown>;

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Merges admin-set fields over a generated object. `metadata` merges key by key like Stripe's update
 * (an empty string or null value removes a key); every other field is replaced whole.
 */
export function mergeFields(base: JsonObject, fields: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'metadata' && isPlainObject(v)) {
      const meta: JsonObject = isPlainObject(out.metadata) ? { ...out.metadata } : {};
      for (const [mk, mv] of Object.entries(v)) {
        if (mv === '' || mv === null) delete meta[mk];
        else meta[mk] = mv;
      }
      out.metadata = meta;
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * JSON.stringify with every non-ASCII character escaped (\uXXXX). All served JSON is kept ASCII so a
 * page can be copied into the response buffer as latin1, a plain byte copy (see list.ts).
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}
