import { invalidRequest } from './errors';

// Stripe's form encoding of parameters: `created[gte]=1`, `expand[0]=data.customer`, `expand[]=x`.
// Arrays are kept as objects keyed by index; the list code only needs to read them.

export type Param = string | ParamObject;
export interface ParamObject {
  [key: string]: Param;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw invalidRequest(400, `Invalid URL encoding: ${s}`);
  }
}

/** `a[b][c]` → ['a', 'b', 'c']; a malformed name stays one segment (and is then reported as unknown). */
function segments(name: string): string[] {
  const open = name.indexOf('[');
  if (open <= 0 || !name.endsWith(']')) return [name];
  const inner = name.slice(open + 1, -1).split('][');
  return [name.slice(0, open), ...inner];
}

export function parseQuery(search: string): ParamObject {
  const out: ParamObject = {};
  if (!search) return out;
  for (const pair of search.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1));
    const path = segments(name);
    let node: ParamObject = out;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i];
      const existing = node[key];
      if (existing === undefined) node = node[key] = {};
      else if (typeof existing === 'string')
        throw invalidRequest(400, `Invalid hash`, path.slice(0, i + 1).join('.'));
      else node = existing;
    }
    let last = path[path.length - 1];
    // `x[]=a&x[]=b`: append
    if (last === '' && path.length > 1) last = String(Object.keys(node).length);
    if (typeof node[last] === 'object') throw invalidRequest(400, `Invalid ${name}: must be a string`, name);
    node[last] = value;
  }
  return out;
}
