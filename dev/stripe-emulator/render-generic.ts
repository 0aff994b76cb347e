import type { Account } from './account';
import { SERVED } from './catalog';
import { FIXTURE_TIME, fixtureObject } from './fixtures';
import { asciiJson } from './json';
import { rng32 } from './random';
import type { MutableResource, StoredRecord } from './types';

// Objects of the resources without a hand-written renderer, in their stripe-mock fixture's shape.
// Each object type's fixture is turned once into a template: literal JSON text with holes for the
// record's id, its time, the account's livemode and a few amounts. Rendering is then one string
// concatenation per hole, as cheap as the hand renderers.
//   - the id: every occurrence of the fixture's id (also in nested urls and back references)
//   - the time: the registry's createdField when the fixture has it (payment links have no created
//     field and get none), and every other value stripe-mock set to its placeholder time, so
//     expires_at, period_end and the like are not in 2009
//   - livemode: every `livemode` field, nested ones included (they belong to the same account)
//   - amounts: top-level positive amounts (amount, amount_*, unit_amount, subtotal*, total*, net,
//     fee and their *_decimal strings) times one factor in 1..50 drawn from the record's hash, so
//     objects differ and sums within an object still add up

const ID = 0;
const TIME = 1;
const LIVEMODE = 2;
const AMOUNT = 3;

interface Template {
  /** literal text around the holes: lits[0] hole[0] lits[1] … hole[n-1] lits[n] */
  lits: string[];
  kinds: number[];
  /** AMOUNT holes: the fixture's amount, multiplied by the record's factor */
  bases: number[];
  scaled: boolean;
}

const AMOUNT_FIELD = /^(amount|unit_amount|subtotal|total|net|fee)(_[a-z_]+)?$/;
// stripe-mock fills some amounts with random 9-10 digit numbers; those are left as they are
const MAX_AMOUNT = 10_000_000;

function buildTemplate(object: string, createdField: string): Template {
  const obj = fixtureObject(object);
  const fixtureId = String(obj.id);
  const holes: { kind: number; base: number }[] = [];
  // a number hole is marked `#` so its JSON quotes can be dropped; a string hole keeps them
  const hole = (kind: number, base = 0, inString = false) => {
    holes.push({ kind, base });
    return inString ? `@@${holes.length - 1}@@` : `@@#${holes.length - 1}@@`;
  };
  if (createdField in obj) obj[createdField] = hole(TIME);
  for (const [k, v] of Object.entries(obj)) {
    if (!AMOUNT_FIELD.test(k) || k.endsWith('_decimal')) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v >= MAX_AMOUNT) continue;
    obj[k] = hole(AMOUNT, v);
    if (obj[`${k}_decimal`] === String(v)) obj[`${k}_decimal`] = hole(AMOUNT, v, true);
  }
  const idHole = hole(ID, 0, true);
  const timeHole = hole(TIME);
  const liveHole = hole(LIVEMODE);
  const text = asciiJson(obj)
    .split(`"${fixtureId}"`)
    .join(`"${idHole}"`)
    .split(fixtureId)
    .join(idHole)
    .replace(/"livemode":(true|false)/g, `"livemode":"${liveHole}"`)
    .replace(new RegExp(`([:\\[,])${FIXTURE_TIME}(?=[,}\\]])`, 'g'), `$1"${timeHole}"`)
    .replace(/"@@#(\d+)@@"/g, '@@$1@@');
  const pieces = text.split(/@@(\d+)@@/);
  const t: Template = { lits: [], kinds: [], bases: [], scaled: false };
  for (let i = 0; i < pieces.length; i++) {
    if (i % 2 === 0) t.lits.push(pieces[i]);
    else {
      const h = holes[Number(pieces[i])];
      t.kinds.push(h.kind);
      t.bases.push(h.base);
      if (h.kind === AMOUNT) t.scaled = true;
    }
  }
  return t;
}

// module constants instead of globals in the hot path (see random.ts)
const toStr = String;

function render(t: Template, rec: StoredRecord, acct: Account): string {
  const factor = t.scaled ? 1 + (rng32(rec.h)() % 50) : 1;
  const live = acct.mode === 'live' ? 'true' : 'false';
  const created = toStr(rec.created);
  const { lits, kinds, bases } = t;
  let s = lits[0];
  for (let i = 0; i < kinds.length; i++) {
    const k = kinds[i];
    s += k === ID ? rec.id : k === TIME ? created : k === LIVEMODE ? live : toStr(bases[i] * factor);
    s += lits[i + 1];
  }
  return s;
}

export type Renderer = (rec: StoredRecord, acct: Account) => string;

/** The renderer of a registry resource from its fixture (its template is built here, once). */
export function genericRenderer(resource: MutableResource): Renderer {
  const t = buildTemplate(SERVED[resource].object, SERVED[resource].createdField);
  return (rec, acct) => render(t, rec, acct);
}
