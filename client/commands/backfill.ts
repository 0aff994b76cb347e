import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import {
  backfillProgress,
  backfillRetrying,
  cancelBackfill,
  formatFinished,
  formatProgress,
  pauseBackfill,
  requestBackfill,
  resumeBackfill,
  waitForBackfill,
} from '../backfill';
import { withClient } from '../cli-client';
import { formatRetrying, watchRetrying } from '../retrying';
import { backfillWorkflowId } from '../../common/interaction';
import { resolveInteractionId } from '../interactions';
import { UsageError } from '../errors';
import { toJson } from '../output';
import { describeRange } from '../../common/backfill-request';
import { requestIdsInclude } from '../../workflows/backfill-queue';

interface BackfillOptions {
  from?: string;
  to?: string;
  wait?: boolean;
  status?: boolean;
  pause?: boolean;
  resume?: boolean;
  cancel?: boolean;
  all?: boolean;
  json?: boolean;
}

const out = (text: string): void => void process.stdout.write(`${text}\n`);

export function registerBackfillCommand(program: Command): void {
  program
    .command('backfill <interaction>')
    .description(
      "Sync a created-date range of an interaction's history (its backfill workflow), or manage the backfill",
    )
    .option('--from <date>', 'start of the range: 2023-01-01, 2023-01-01T12:00:00Z or unix seconds')
    .option('--to <date>', 'end of the range (a date includes that whole day, UTC); default now')
    .option('--wait', 'show progress until the range is done, then a summary')
    .option(
      '--status',
      'show the backfill state: running and queued ranges, finished ones, rejected requests',
    )
    .option('--pause', 'pause after the pages in flight')
    .option('--resume', 'resume a paused backfill')
    .option('--cancel', 'stop the running range (queued ranges still run)')
    .option('--all', 'with --cancel: drop the queued ranges too')
    .option('--json', 'machine-readable output')
    .action((interaction: string, o: BackfillOptions) =>
      withClient(async (client) => {
        const actions = [o.from !== undefined, o.status, o.pause, o.resume, o.cancel].filter(Boolean).length;
        if (actions !== 1)
          throw new UsageError('give exactly one of --from <date>, --status, --pause, --resume or --cancel');
        if (o.status) {
          const progress = await backfillProgress(client, interaction);
          const retrying = await backfillRetrying(client, interaction);
          if (o.json) return out(toJson({ ...progress, ...(retrying && { retrying }) }));
          out(formatProgress(progress));
          if (retrying) out(formatRetrying(retrying));
          return;
        }
        if (o.pause)
          return void (
            await pauseBackfill(client, interaction),
            out(`paused the backfill of ${interaction}`)
          );
        if (o.resume)
          return void (
            await resumeBackfill(client, interaction),
            out(`resumed the backfill of ${interaction}`)
          );
        if (o.cancel) {
          await cancelBackfill(client, interaction, o.all);
          return out(
            o.all
              ? `cancelled the running range and dropped the queue of ${interaction}`
              : `cancelled the running range of ${interaction}; queued ranges run next`,
          );
        }
        const accepted = await requestBackfill(client, interaction, {
          from: o.from!,
          ...(o.to !== undefined && { to: o.to }),
        });
        if (!o.wait) {
          if (o.json) return out(toJson(accepted));
          out(
            `queued backfill ${accepted.requestId} of ${interaction}: ${accepted.ranges.map(describeRange).join(', ') || 'already running'}${accepted.merged ? ' (merged with ranges already queued or running)' : ''}`,
          );
          if (accepted.note) out(`note: ${accepted.note}`);
          return;
        }
        const bar = new cliProgress.SingleBar(
          {
            format: '{bar} {percentage}% | {objects} objects | {rate}/s | ETA {eta_s}s',
            hideCursor: true,
            noTTYOutput: false,
          },
          cliProgress.Presets.shades_classic,
        );
        let started = false;
        const stopWatching = watchRetrying(
          client,
          backfillWorkflowId(resolveInteractionId(interaction)),
          (r) => {
            if (r) process.stderr.write(`\n${formatRetrying(r)}\n`);
          },
        );
        const finished = await waitForBackfill(client, interaction, accepted.requestId, (p) => {
          if (!p.current || !requestIdsInclude(p.current.requests, accepted.requestId)) return;
          const payload = {
            objects: p.current.objects,
            rate: p.current.objectsPerSecond,
            eta_s: p.current.etaSeconds ?? '?',
          };
          if (!started) {
            bar.start(100, 0, payload);
            started = true;
          }
          bar.update(Math.round(p.current.walked * 100), payload);
        });
        stopWatching();
        if (started) {
          bar.update(100);
          bar.stop();
        }
        out(
          o.json
            ? toJson({ ...accepted, finished })
            : formatFinished(interaction, accepted.requestId, finished),
        );
        if (finished.some((f) => f.status === 'failed')) process.exitCode = 1;
      }),
    );
}
