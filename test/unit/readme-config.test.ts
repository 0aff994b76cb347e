import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Every environment variable the code reads is in the README's configuration reference.

const ROOT = join(__dirname, '..', '..');
const CODE_DIRS = ['common', 'stripe', 'activities', 'workflows', 'worker', 'client', 'dev', 'bin', 'bench'];
// How our code reads the environment: env.X / env['X'] / process.env.X, numberFrom(env, 'X') / num('X')
// in TypeScript; $X / ${X} in shell scripts (minus the script's own variables).
const TS_READS = [
  /\benv(?:\.|\[['"])([A-Z][A-Z0-9_]+)/g,
  /\b(?:numberFrom\(env, |num\()'([A-Z][A-Z0-9_]+)'/g,
];
const SH_READ = /\$\{?([A-Z][A-Z0-9_]+)/g;
const SH_ASSIGN = /^\s*(?:local\s+)?([A-Z][A-Z0-9_]+)=/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'results' ? [] : sourceFiles(path);
    return /\.(ts|js|sh)$/.test(name) ? [path] : [];
  });
}

function namesReadByCode(): Set<string> {
  const names = new Set<string>();
  for (const file of CODE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d)))) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sh')) {
      const own = new Set([...text.matchAll(SH_ASSIGN)].map((m) => m[1]));
      for (const m of text.matchAll(SH_READ))
        if (!own.has(m[1]) && !['HOME', 'PATH', 'PWD'].includes(m[1])) names.add(m[1]);
    } else {
      for (const pattern of TS_READS) for (const m of text.matchAll(pattern)) names.add(m[1]);
    }
  }
  return names;
}

function configurationReference(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Configuration reference');
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

it('lists every environment variable the code reads', () => {
  const names = namesReadByCode();
  expect(names).toContain('COMPOUND_ENCRYPTION_KEYS'); // the scan finds what it should
  expect(names).toContain('TEMPORAL_PROFILE');
  expect(names).toContain('COMPOUND_SQS_MAX_MESSAGE_BYTES');
  expect(names).toContain('COMPOUND_TOOLS_CACHE');
  const reference = configurationReference();
  const missing = [...names].filter((name) => !reference.includes(`\`${name}\``));
  expect(missing).toEqual([]);
});
