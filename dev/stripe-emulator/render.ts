import { API_VERSION, type Account } from './account';
import { asciiJson, mergeFields, type JsonObject } from './json';
import { base62, between, pick, rng32, unit, type Rng } from './random';
import { genericRenderer, type Renderer } from './render-generic';
import { COLLECTIONS, type MutableResource, type ResourceName, type StoredRecord } from './types';

// Builds the JSON of a stored record when it is served. Generated records hold only a hash `h`; all
// other fields are drawn from rng32(h) in a fixed order, so a record renders identically every time.
// Objects are written straight to JSON text with template strings (no intermediate object, no
// JSON.stringify) because rendering 100 objects per list call is the hot path of the emulator.
// Every vocabulary string below is JSON-safe as written.
// Charges, products and subscriptions (the benchmark's resources) are written by hand here, with
// realistic values; every other registry resource is rendered from its stripe-mock fixture
// (render-generic.ts).

// module constants instead of globals in the hot path (see random.ts)
const { floor, min, max } = Math;
const toStr = String;

const CURRENCIES = ['usd', 'usd', 'usd', 'usd', 'usd', 'usd', 'eur', 'eur', 'gbp', 'cad', 'aud', 'jpy'];
const BRANDS = ['visa', 'visa', 'visa', 'mastercard', 'mastercard', 'amex', 'discover'];
const COUNTRIES = ['US', 'US', 'US', 'GB', 'DE', 'FR', 'CA', 'AU', 'NL', 'IE'];
const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Linus',
  'Margaret',
  'Ken',
  'Barbara',
  'Dennis',
  'Radia',
  'Edsger',
  'Frances',
  'John',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
  'Perlman',
  'Dijkstra',
  'Allen',
  'Backus',
];
const FIRST_LOWER = FIRST.map((s) => s.toLowerCase());
const LAST_LOWER = LAST.map((s) => s.toLowerCase());
const DESCRIPTIONS = [
  'Subscription creation',
  'Subscription update',
  'Payment for invoice',
  'One-time purchase',
  'Order payment',
  'Top-up',
  null,
];
const ADJECTIVES = [
  'Basic',
  'Pro',
  'Premium',
  'Team',
  'Enterprise',
  'Starter',
  'Growth',
  'Ultimate',
  'Lite',
  'Plus',
];
const NOUNS = [
  'Plan',
  'Seat',
  'Storage',
  'Support',
  'Analytics',
  'Backup',
  'Hosting',
  'Workspace',
  'License',
  'Add-on',
];
const INTERVAL_SECONDS = { week: 7 * 86400, month: 30 * 86400, year: 365 * 86400 } as const;
const YEAR_SECONDS = 31556952;

const str = (s: string | null): string => (s === null ? 'null' : `"${s}"`);
const idOf = (prefix: string, rng: Rng, n = 24): string => prefix + base62(rng, n);

function chargeJson(rec: StoredRecord, acct: Account): string {
  const r = rng32(rec.h);
  const livemode = acct.mode === 'live';
  const amount = between(r, 1, 500) * 100 - (r() % 4 === 0 ? 1 : 0);
  const currency = pick(r, CURRENCIES);
  const roll = unit(r);
  const status = roll < 0.9 ? 'succeeded' : roll < 0.97 ? 'failed' : 'pending';
  const succeeded = status === 'succeeded';
  const refundRoll = unit(r);
  const amountRefunded =
    succeeded && refundRoll < 0.08 ? (refundRoll < 0.05 ? amount : floor(amount / 2)) : 0;
  const customer = r() % 20 === 0 ? null : acct.customers[r() % acct.customers.length];
  const description = pick(r, DESCRIPTIONS);
  const brand = pick(r, BRANDS);
  const last4 = toStr(between(r, 0, 9999)).padStart(4, '0');
  const expMonth = between(r, 1, 12);
  const expYear = 1970 + floor(rec.created / YEAR_SECONDS) + between(r, 1, 5);
  const country = pick(r, COUNTRIES);
  const n = r() % FIRST.length;
  const m = r() % LAST.length;
  const email = `${FIRST_LOWER[n]}.${LAST_LOWER[m]}${r() % 1000}@example.com`;
  const riskScore = between(r, 0, 99);
  const funding = r() % 5 === 0 ? 'debit' : 'credit';
  // related ids are rotations of the charge id's random part: unique, stable and much cheaper
  // than drawing fresh ones (rendering is the emulator's hot path)
  const tail = rec.id.slice(rec.id.indexOf('_') + 1);
  const paymentIntent = 'pi_' + tail.slice(6) + tail.slice(0, 6);
  const paymentMethod = 'pm_' + tail.slice(12) + tail.slice(0, 12);
  const txn = 'txn_' + tail.slice(18) + tail.slice(0, 18);
  const fingerprint = tail.slice(3, 19);
  const receipt = tail + tail.slice(2, 18);
  const first = FIRST[n];
  const last = LAST[m];
  const failed = status === 'failed';
  const outcome = failed
    ? `{"advice_code":null,"network_advice_code":null,"network_decline_code":null,"network_status":"declined_by_network","reason":"generic_decline","risk_level":"normal","risk_score":${riskScore},"seller_message":"The bank did not return any further details with this decline.","type":"issuer_declined"}`
    : `{"advice_code":null,"network_advice_code":null,"network_decline_code":null,"network_status":"approved_by_network","reason":null,"risk_level":"normal","risk_score":${riskScore},"seller_message":"Payment complete.","type":"authorized"}`;
  return (
    `{"id":"${rec.id}","object":"charge","amount":${amount},"amount_captured":${succeeded ? amount : 0},` +
    `"amount_refunded":${amountRefunded},"application":null,"application_fee":null,"application_fee_amount":null,` +
    `"balance_transaction":${failed ? 'null' : `"${txn}"`},` +
    `"billing_details":{"address":{"city":null,"country":"${country}","line1":null,"line2":null,"postal_code":"${between(r, 10000, 99999)}","state":null},"email":"${email}","name":"${first} ${last}","phone":null,"tax_id":null},` +
    `"calculated_statement_descriptor":"COMPOUND","captured":${status !== 'failed'},"created":${rec.created},` +
    `"currency":"${currency}","customer":${str(customer)},"description":${str(description)},"destination":null,"dispute":null,"disputed":false,` +
    `"failure_balance_transaction":null,"failure_code":${failed ? '"card_declined"' : 'null'},` +
    `"failure_message":${failed ? '"Your card was declined."' : 'null'},"fraud_details":{},"invoice":null,` +
    `"livemode":${livemode},"metadata":{},"on_behalf_of":null,"order":null,"outcome":${outcome},` +
    `"paid":${succeeded},"payment_intent":"${paymentIntent}","payment_method":"${paymentMethod}",` +
    `"payment_method_details":{"card":{"amount_authorized":${failed ? 'null' : amount},"authorization_code":null,"brand":"${brand}",` +
    `"checks":{"address_line1_check":null,"address_postal_code_check":"pass","cvc_check":"pass"},"country":"${country}",` +
    `"exp_month":${expMonth},"exp_year":${expYear},"fingerprint":"${fingerprint}","funding":"${funding}",` +
    `"installments":null,"last4":"${last4}","mandate":null,"network":"${brand}","network_token":{"used":false},` +
    `"three_d_secure":null,"wallet":null},"type":"card"},` +
    `"receipt_email":${str(customer ? email : null)},"receipt_number":null,` +
    `"receipt_url":"https://pay.stripe.com/receipts/payment/${receipt}",` +
    `"refunded":${amountRefunded > 0 && amountRefunded === amount},"review":null,"shipping":null,"source":null,` +
    `"source_transfer":null,"statement_descriptor":null,"statement_descriptor_suffix":null,"status":"${status}",` +
    `"transfer_data":null,"transfer_group":null}`
  );
}

function productJson(rec: StoredRecord, acct: Account): string {
  const r = rng32(rec.h);
  const name = `${pick(r, ADJECTIVES)} ${pick(r, NOUNS)}`;
  const tier = r() % 100;
  const updated = min(acct.generatedAt, rec.created + (r() % 90) * 86400);
  const price = acct.prices[rec.ref];
  return (
    `{"id":"${rec.id}","object":"product","active":${rec.active !== false},"attributes":[],"created":${rec.created},` +
    `"default_price":${price ? `"${price.id}"` : 'null'},"description":"${name} tier ${tier}","images":[],` +
    `"livemode":${acct.mode === 'live'},"marketing_features":[],"metadata":{},"name":"${name} ${tier}",` +
    `"package_dimensions":null,"shippable":null,"statement_descriptor":null,"tax_code":null,"type":"service",` +
    `"unit_label":null,"updated":${max(updated, rec.created)},"url":null}`
  );
}

export interface SubscriptionTimes {
  periodStart: number;
  periodEnd: number;
  canceledAt: number | null;
}

/** Period and cancellation times of a generated subscription, shared by rendering and event generation. */
export function subscriptionTimes(rec: StoredRecord, acct: Account): SubscriptionTimes {
  const price = acct.prices[rec.ref];
  const interval = INTERVAL_SECONDS[price?.interval ?? 'month'];
  // a separate stream from the render one so the two can evolve independently
  const r = rng32(rec.h ^ 0x5bd1e995);
  const now = max(acct.generatedAt, rec.created);
  const canceledAt = rec.status === 'canceled' ? rec.created + floor(unit(r) * (now - rec.created)) : null;
  const at = canceledAt ?? now;
  const k = floor((at - rec.created) / interval);
  const periodStart = rec.created + k * interval;
  return { periodStart, periodEnd: periodStart + interval, canceledAt };
}

function subscriptionJson(rec: StoredRecord, acct: Account): string {
  const r = rng32(rec.h);
  const livemode = acct.mode === 'live';
  const price = acct.prices[rec.ref];
  const { periodStart, periodEnd, canceledAt } = subscriptionTimes(rec, acct);
  const customer = acct.customers[r() % acct.customers.length];
  const quantity = r() % 5 === 0 ? between(r, 2, 10) : 1;
  const status = rec.status ?? 'active';
  const cancelAtPeriodEnd = status === 'active' && r() % 20 === 0;
  const trial = status === 'trialing' || r() % 10 === 0;
  const trialEnd = rec.created + 14 * 86400;
  const itemId = idOf('si_', r, 14);
  const invoice = idOf('in_', r);
  const paymentMethod = idOf('pm_', r);
  const ended = canceledAt ?? (status === 'incomplete_expired' ? rec.created + 86400 : null);
  const priceJson =
    `{"id":"${price.id}","object":"price","active":true,"billing_scheme":"per_unit","created":${price.created},` +
    `"currency":"${price.currency}","custom_unit_amount":null,"livemode":${livemode},"lookup_key":null,"metadata":{},` +
    `"nickname":null,"product":"${price.product}","recurring":{"interval":"${price.interval}","interval_count":1,` +
    `"meter":null,"usage_type":"licensed"},"tax_behavior":"unspecified","tiers_mode":null,"transform_quantity":null,` +
    `"type":"recurring","unit_amount":${price.unitAmount},"unit_amount_decimal":"${price.unitAmount}"}`;
  return (
    `{"id":"${rec.id}","object":"subscription","application":null,"application_fee_percent":null,` +
    `"automatic_tax":{"disabled_reason":null,"enabled":false,"liability":null},"billing_cycle_anchor":${rec.created},` +
    `"billing_cycle_anchor_config":null,"billing_thresholds":null,` +
    `"cancel_at":${cancelAtPeriodEnd ? periodEnd : 'null'},"cancel_at_period_end":${cancelAtPeriodEnd},` +
    `"canceled_at":${canceledAt ?? 'null'},` +
    `"cancellation_details":{"comment":null,"feedback":null,"reason":${canceledAt ? '"cancellation_requested"' : 'null'}},` +
    `"collection_method":"charge_automatically","created":${rec.created},"currency":"${price.currency}",` +
    `"current_period_end":${periodEnd},"current_period_start":${periodStart},"customer":"${customer}",` +
    `"days_until_due":null,"default_payment_method":"${paymentMethod}","default_source":null,"default_tax_rates":[],` +
    `"description":null,"discounts":[],"ended_at":${ended ?? 'null'},"invoice_settings":{"account_tax_ids":null,"issuer":{"type":"self"}},` +
    `"items":{"object":"list","data":[{"id":"${itemId}","object":"subscription_item","billing_thresholds":null,` +
    `"created":${rec.created},"current_period_end":${periodEnd},"current_period_start":${periodStart},"discounts":[],` +
    `"metadata":{},"price":${priceJson},"quantity":${quantity},"subscription":"${rec.id}","tax_rates":[]}],` +
    `"has_more":false,"total_count":1,"url":"/v1/subscription_items?subscription=${rec.id}"},` +
    `"latest_invoice":"${invoice}","livemode":${livemode},"metadata":{},"next_pending_invoice_item_invoice":null,` +
    `"on_behalf_of":null,"pause_collection":null,"payment_settings":{"payment_method_options":null,"payment_method_types":null,` +
    `"save_default_payment_method":"off"},"pending_invoice_item_interval":null,"pending_setup_intent":null,` +
    `"pending_update":null,"schedule":null,"start_date":${rec.created},"status":"${status}","test_clock":null,` +
    `"transfer_data":null,"trial_end":${trial ? trialEnd : 'null'},` +
    `"trial_settings":{"end_behavior":{"missing_payment_method":"create_invoice"}},"trial_start":${trial ? rec.created : 'null'}}`
  );
}

function eventJson(rec: StoredRecord, acct: Account): string {
  const ev = rec.event;
  if (!ev) throw new Error(`event ${rec.id} has no payload`);
  const object = ev.snapshot ?? (ev.source ? renderObject(ev.source.resource, ev.source.record, acct) : '{}');
  const previous = ev.previousAttributes ? `,"previous_attributes":${ev.previousAttributes}` : '';
  return (
    `{"id":"${rec.id}","object":"event","api_version":"${API_VERSION}","created":${rec.created},` +
    `"data":{"object":${object}${previous}},"livemode":${acct.mode === 'live'},"pending_webhooks":0,` +
    `"request":{"id":null,"idempotency_key":null},"type":"${ev.type}"}`
  );
}

const HAND: Partial<Record<ResourceName, Renderer>> = {
  charges: chargeJson,
  products: productJson,
  subscriptions: subscriptionJson,
  events: eventJson,
};

const RENDERERS = Object.fromEntries(
  COLLECTIONS.map((r) => [r, HAND[r] ?? genericRenderer(r as MutableResource)]),
) as Record<ResourceName, Renderer>;

/** The object's JSON text as the API serves it (always ASCII). */
export function renderObject(resource: ResourceName, rec: StoredRecord, acct: Account): string {
  if (!rec.ov) return RENDERERS[resource](rec, acct);
  if (rec.json === undefined) {
    const base = JSON.parse(RENDERERS[resource](rec, acct)) as JsonObject;
    rec.json = asciiJson(mergeFields(base, rec.ov));
  }
  return rec.json;
}

export function renderParsed(resource: MutableResource, rec: StoredRecord, acct: Account): JsonObject {
  return JSON.parse(renderObject(resource, rec, acct)) as JsonObject;
}
