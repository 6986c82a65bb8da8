/**
 * Validates a document against Swagger 2 definitions (the subset KubeVirt's spec uses: $ref, type,
 * required, properties, additionalProperties, items, enum). Objects that list properties take no
 * others, as the Kubernetes API server does with strict field validation. Returns the problems.
 */
type Schema = {
  $ref?: string;
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
};

export function swaggerProblems(defs: Record<string, Schema>, root: string, doc: unknown): string[] {
  const out: string[] = [];
  const walk = (s: Schema, v: unknown, path: string, depth: number): void => {
    if (depth > 64) return;
    if (s.$ref) return walk(defs[s.$ref.replace('#/definitions/', '')], v, path, depth + 1);
    if (s.enum && !s.enum.includes(v)) out.push(`${path}: ${JSON.stringify(v)} not one of ${s.enum.join(', ')}`);
    const t = s.type;
    const isObj = v !== null && typeof v === 'object' && !Array.isArray(v);
    if (t === 'object' || (!t && s.properties)) {
      if (!isObj) return void out.push(`${path}: expected an object`);
      const o = v as Record<string, unknown>;
      for (const r of s.required ?? []) if (!(r in o)) out.push(`${path}.${r}: required`);
      for (const [k, x] of Object.entries(o)) {
        const p = s.properties?.[k];
        if (p) walk(p, x, `${path}.${k}`, depth + 1);
        else if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, x, `${path}.${k}`, depth + 1);
        else if (s.properties || s.additionalProperties === false) out.push(`${path}.${k}: unknown field`);
      }
    } else if (t === 'array') {
      if (!Array.isArray(v)) return void out.push(`${path}: expected an array`);
      v.forEach((x, i) => s.items && walk(s.items, x, `${path}[${i}]`, depth + 1));
    } else if (t === 'string' && typeof v !== 'string') out.push(`${path}: expected a string`);
    else if (t === 'boolean' && typeof v !== 'boolean') out.push(`${path}: expected a boolean`);
    else if (t === 'integer' && !Number.isInteger(v)) out.push(`${path}: expected an integer`);
    else if (t === 'number' && typeof v !== 'number') out.push(`${path}: expected a number`);
  };
  walk({ $ref: `#/definitions/${root}` }, doc, '', 0);
  return out;
}
