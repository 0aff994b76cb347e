import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { ServiceAddresses } from '../dev/local-services';

// CPU time of the processes a scenario runs on, read from /proc (user + system), so the benchmark can
// say what a page costs the worker and the Temporal server (issue 16: ≤ 8 ms of worker CPU per page).

/** Clock ticks per second of /proc's CPU times (100 on Linux nearly always; getconf says for sure). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  processGroup: number;
  /** utime + stime, plus cutime + cstime: children that exited and were waited for stay counted. */
  ticks: number;
}

/** A /proc `stat` file (of a process or one of its threads): its name and the fields after it. */
function statFields(path: string): { name: string; fields: string[] } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // exited
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  const close = text.lastIndexOf(')');
  return { name: text.slice(text.indexOf('(') + 1, close), fields: text.slice(close + 2).split(' ') };
}

function procStat(pid: number): ProcStat | undefined {
  const f = statFields(`/proc/${pid}/stat`)?.fields;
  if (!f) return undefined;
  return { processGroup: Number(f[2]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
}

const ticksToMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;

/**
 * What each kind of thread in a worker does, by the thread names Node, V8 and Temporal's core give them
 * (Node 26 prefixes its own with `node-`):
 * the activities and the SDK's bridge run on Node's main thread, workflow code on a worker thread,
 * garbage collection and compilation on V8's helper threads, polling and history processing in Rust.
 */
const THREAD_KINDS: [RegExp, WorkerThreadKind][] = [
  [/^(node-)?MainThread$|^node$/, 'main'],
  [/^WorkerThread$/, 'workflows'],
  [/^(node-)?V8Worker$/, 'v8Helpers'],
  [/^tokio-|^workflow-proces|^temporal/, 'core'],
];

export const WORKER_THREAD_KINDS = ['main', 'workflows', 'v8Helpers', 'core', 'other'] as const;
export type WorkerThreadKind = (typeof WORKER_THREAD_KINDS)[number];

/** CPU ms the processes' threads have used so far, by kind (threads that exited are no longer counted). */
export function threadCpuMs(pids: number[]): Record<WorkerThreadKind, number> {
  const ms: Record<WorkerThreadKind, number> = { main: 0, workflows: 0, v8Helpers: 0, core: 0, other: 0 };
  for (const pid of pids) addThreadCpuMs(pid, ms);
  return ms;
}

function addThreadCpuMs(pid: number, ms: Record<WorkerThreadKind, number>): void {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return; // exited
  }
  for (const task of tasks) {
    const stat = statFields(`/proc/${pid}/task/${task}/stat`);
    if (!stat) continue;
    const kind = THREAD_KINDS.find(([pattern]) => pattern.test(stat.name))?.[1] ?? 'other';
    ms[kind] += ticksToMs(Number(stat.fields[11]) + Number(stat.fields[12]));
  }
}

/** CPU ms the process has used so far (all its threads). */
export function processCpuMs(pid: number): number {
  return ticksToMs(procStat(pid)?.ticks ?? 0);
}

/**
 * CPU ms used so far by every live process of a process group. Services start detached, each leading
 * its own group, and some are more than one process (tsx runs the emulator in a child node).
 */
export function groupCpuMs(group: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.processGroup === group) ticks += stat.ticks;
  }
  return ticksToMs(ticks);
}

/** Named readers of CPU ms so far. */
export type CpuProbes = Record<string, () => number>;

/** The local services' processes (Temporal dev server, emulator, ElasticMQ), by name. */
export function serviceCpuProbes(services: ServiceAddresses): CpuProbes {
  const probes: CpuProbes = {};
  for (const p of services.processes) probes[p.name] = () => groupCpuMs(p.pid);
  return probes;
}

/** Starts measuring; the function returned gives each probe's CPU ms since. */
export function cpuMeter(probes: CpuProbes): () => Record<string, number> {
  const before = Object.fromEntries(Object.entries(probes).map(([name, read]) => [name, read()]));
  return () =>
    Object.fromEntries(Object.entries(probes).map(([name, read]) => [name, read() - before[name]]));
}

/** CPU ms per page of the worker(s) and each service, from a meter's reading. */
export function cpuMsPerPage(used: Record<string, number>, pages: number): CpuPerPage {
  const per = (name: string) => Math.round(((used[name] ?? 0) / Math.max(1, pages)) * 100) / 100;
  return {
    worker: per('worker'),
    temporal: per('temporal'),
    emulator: per('stripe-emulator'),
    elasticmq: per('elasticmq'),
  };
}

export interface CpuPerPage {
  /** All worker processes of the scenario together. */
  worker: number;
  /** The Temporal dev server (frontend, history, matching and the UI in one process). */
  temporal: number;
  emulator: number;
  elasticmq: number;
}
