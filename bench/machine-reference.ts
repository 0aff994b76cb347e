import { buildMessages, type EnvelopeContext } from '../common/envelope';
import { emulatorAdmin } from '../dev/stripe-emulator/admin-client';

// The same code measured 6.6 worker ms a page in one session and 10.9 in another: this 2-core machine's
// speed swings between days. So each run also times a fixed piece of the page path in the bench process,
// the JSON work of one page of 100 charges, and reports CPU per page as a ratio to it as well: that ratio
// compares across runs where milliseconds do not.

const ROUNDS = 7;
const PAGES_PER_ROUND = 60;

export interface MachineReference {
  /** Median CPU ms (process.cpuUsage) to parse, pack and wrap one page of 100 emulator charges. */
  pageJsonMs: number;
  /** The rounds it is the median of. */
  roundsMs: number[];
}

/**
 * Parses a page of 100 charges as Stripe's client receives it, packs it into its message (the envelope
 * code the worker runs) and wraps that in an SQS SendMessageBatch request, as bytes: no I/O, no
 * Temporal, one thread.
 */
export async function measureMachineReference(emulatorUrl: string): Promise<MachineReference> {
  const account = await emulatorAdmin(emulatorUrl).createAccount({
    mode: 'test',
    seed: 11,
    counts: { charges: 100, products: 0, subscriptions: 0 },
  });
  const res = await fetch(`${emulatorUrl}/v1/charges?limit=100`, {
    headers: { authorization: `Bearer ${account.keys.secret}` },
  });
  if (!res.ok) throw new Error(`reference page: the emulator answered ${res.status}`);
  const pageText = await res.text();
  const onePage = () => {
    const page = JSON.parse(pageText) as { data: { id: string }[] };
    const [message] = buildMessages(REFERENCE_CONTEXT, page.data, 'reference', 1024 * 1024);
    const request = JSON.stringify({
      QueueUrl: 'http://localhost/queue/reference',
      Entries: [{ Id: '0', MessageBody: message.body }],
    });
    return Buffer.byteLength(request);
  };
  for (let i = 0; i < PAGES_PER_ROUND; i++) onePage(); // warm up the JIT
  const roundsMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < PAGES_PER_ROUND; i++) onePage();
    const used = process.cpuUsage(start);
    roundsMs.push(round3((used.user + used.system) / 1000 / PAGES_PER_ROUND));
  }
  return { pageJsonMs: [...roundsMs].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)], roundsMs };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

const REFERENCE_CONTEXT: EnvelopeContext = {
  interaction: { id: 'reference', name: 'reference', resource: 'charges' },
  run: { kind: 'scheduled', workflowId: 'reference', runId: 'reference' },
  page: {
    slice: { id: 0, createdGte: 0, createdLt: 1 },
    index: 0,
    startingAfter: null,
    objectCount: 100,
  },
  fetchedAt: '2026-01-01T00:00:00.000Z',
  livemode: false,
};
