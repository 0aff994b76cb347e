import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { loadConfig } from '../../common/config';
import { generateKeySpec, loadKeyring, MISSING_KEY_MESSAGE } from '../../common/encryption';
import { sqsClient } from '../../common/sqs';
import { workerTuning } from '../../worker/create-worker';
import { WORKER_NODE_FLAGS } from '../../worker/memory';

// Production settings, checked where they are turned into client and worker options.

describe('Temporal Cloud through @temporalio/envconfig', () => {
  it('API key: TLS on, the key sent, namespace and address from the environment', () => {
    const { connectionOptions, namespace } = loadClientConnectConfig({
      disableFile: true,
      overrideEnvVars: {
        TEMPORAL_ADDRESS: 'compound.a1b2c.tmprl.cloud:7233',
        TEMPORAL_NAMESPACE: 'compound.a1b2c',
        TEMPORAL_API_KEY: 'tmprl-api-key',
      },
    });
    expect(connectionOptions.address).toBe('compound.a1b2c.tmprl.cloud:7233');
    expect(namespace).toBe('compound.a1b2c');
    expect(connectionOptions.apiKey).toBe('tmprl-api-key');
    expect(connectionOptions.tls).toBeTruthy();
  });

  it('mTLS: the client certificate and key files are loaded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compound-tls-'));
    writeFileSync(join(dir, 'client.pem'), 'CERT');
    writeFileSync(join(dir, 'client.key'), 'KEY');
    const { connectionOptions } = loadClientConnectConfig({
      disableFile: true,
      overrideEnvVars: {
        TEMPORAL_ADDRESS: 'compound.a1b2c.tmprl.cloud:7233',
        TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'client.pem'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'client.key'),
      },
    });
    const tls = connectionOptions.tls as { clientCertPair?: { crt: Buffer; key: Buffer } };
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe('CERT');
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toBe('KEY');
  });
});

describe('AWS SQS', () => {
  it('uses the default credential chain and the region when no endpoint is set', async () => {
    const config = loadConfig({
      AWS_REGION: 'eu-west-1',
      COMPOUND_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123/extraction',
    });
    expect(config.sqsEndpoint).toBeUndefined();
    expect(config.queueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123/extraction');
    const sqs = sqsClient(config);
    expect(await sqs.config.region()).toBe('eu-west-1');
    expect(sqs.config.endpoint).toBeUndefined();
    sqs.destroy();
  });

  it('takes a custom endpoint (ElasticMQ) and the message size limit from the environment', () => {
    const config = loadConfig({
      COMPOUND_SQS_ENDPOINT: 'http://elasticmq:9324',
      COMPOUND_SQS_MAX_MESSAGE_BYTES: '262144',
    });
    expect(config.sqsEndpoint).toBe('http://elasticmq:9324');
    expect(config.sqsMaxMessageBytes).toBe(262144);
  });

  it('refuses nonsense with the variable name', () => {
    expect(() => loadConfig({ COMPOUND_SQS_MAX_MESSAGE_BYTES: 'lots' })).toThrow(
      /COMPOUND_SQS_MAX_MESSAGE_BYTES must be a number/,
    );
    expect(() => loadConfig({ COMPOUND_RATE_HEADROOM: '1.5' })).toThrow(/COMPOUND_RATE_HEADROOM must be in/);
  });
});

describe('codec keys', () => {
  it('come from the environment or a file; the first key encrypts, the others still decrypt', () => {
    const [a, b] = [generateKeySpec('new'), generateKeySpec('old')];
    expect(loadKeyring({ COMPOUND_ENCRYPTION_KEYS: `${a},${b}` })).toMatchObject({ activeKeyId: 'new' });
    const file = join(mkdtempSync(join(tmpdir(), 'compound-keys-')), 'keys');
    writeFileSync(file, `${b}\n${a}\n`, { mode: 0o600 });
    const ring = loadKeyring({ COMPOUND_ENCRYPTION_KEY_FILE: file });
    expect(ring.activeKeyId).toBe('old');
    expect([...ring.keys.keys()].sort()).toEqual(['new', 'old']);
  });

  it('are required: without one nothing starts', () => {
    expect(() => loadKeyring({})).toThrow(MISSING_KEY_MESSAGE);
  });
});

describe('several workers on one task queue', () => {
  it('cap the task queue’s activities per second when COMPOUND_TASK_QUEUE_ACTIVITIES_PER_SECOND is set', () => {
    expect(workerTuning(loadConfig({ COMPOUND_TASK_QUEUE_ACTIVITIES_PER_SECOND: '23' }))).toMatchObject({
      maxTaskQueueActivitiesPerSecond: 23,
    });
    expect(workerTuning(loadConfig({}))).not.toHaveProperty('maxTaskQueueActivitiesPerSecond');
  });

  it('size each worker from Little’s law unless told otherwise', () => {
    expect(workerTuning(loadConfig({})).maxConcurrentActivityTaskExecutions).toBe(80);
    expect(
      workerTuning(loadConfig({ COMPOUND_MAX_CONCURRENT_ACTIVITIES: '8' }))
        .maxConcurrentActivityTaskExecutions,
    ).toBe(8);
  });

  it('leave the workflow cache to the SDK (sized from the heap) unless told otherwise', () => {
    expect(workerTuning(loadConfig({}))).not.toHaveProperty('maxCachedWorkflows');
    expect(workerTuning(loadConfig({ COMPOUND_MAX_CACHED_WORKFLOWS: '50' })).maxCachedWorkflows).toBe(50);
  });
});

describe('worker memory flags', () => {
  const root = join(__dirname, '..', '..');
  const flags = WORKER_NODE_FLAGS.join(' ');

  it('npm run worker passes the same V8 flags as npm start, the tests and the benchmark', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.worker).toContain(`node ${flags} `);
  });

  it('the Dockerfile sets them in NODE_OPTIONS, and the README states them', () => {
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toContain(`NODE_OPTIONS="${flags}"`);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(`\`${flags}\``);
  });
});
