import { RESOURCE_NAMES, RESOURCES, hasEvents } from '../stripe/resources';
import { formatTable } from './output';

// The registry as users read it: `compound resources` prints it, and the README's resource table is
// this same text (test/unit/readme-resources.test.ts keeps the two equal).

export interface ResourceRow {
  resource: string;
  label: string;
  frequencies: string;
  permission: string;
  createdFilter: boolean;
  events: boolean;
}

export function resourceRows(): ResourceRow[] {
  return RESOURCE_NAMES.map((name) => {
    const r = RESOURCES[name];
    return {
      resource: name,
      label: r.label,
      frequencies: r.frequencies.join(', '),
      permission: r.permission,
      createdFilter: r.createdFilter,
      events: hasEvents(name),
    };
  });
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

export function formatResourceTable(rows = resourceRows()): string {
  return formatTable(
    ['RESOURCE', 'FREQUENCIES', 'PERMISSION', 'CREATED FILTER', 'EVENTS'],
    rows.map((r) => [r.resource, r.frequencies, r.permission, yesNo(r.createdFilter), yesNo(r.events)]),
  );
}

export function resourceTableMarkdown(rows = resourceRows()): string {
  const lines = [
    '| Resource | Stripe object | Frequencies | Restricted-key permission | `created` filter | Events |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| \`${r.resource}\` | ${r.label} | ${r.frequencies} | \`${r.permission}\` | ${yesNo(r.createdFilter)} | ${yesNo(r.events)} |`,
    ),
  ];
  return lines.join('\n');
}
