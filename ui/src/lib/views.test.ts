import { describe, expect, it } from 'vitest';
import { buildFilter, NO_FILTERS, setDrill, viewById } from './views';

describe('buildFilter', () => {
  it('gives each sidebar view its queue', () => {
    expect(buildFilter(viewById('mine'), NO_FILTERS, 'due')).toMatchObject({ assignee: 'Me', statuses: [], breaching: false });
    expect(buildFilter(viewById('unassigned'), NO_FILTERS, 'due')).toMatchObject({ assignee: 'Nobody' });
    expect(buildFilter(viewById('breached'), NO_FILTERS, 'due')).toMatchObject({ sla_bucket: 'breached', assignee: 'Any' });
    expect(buildFilter(viewById('at_risk'), NO_FILTERS, 'due')).toMatchObject({ sla_bucket: 'at_risk', assignee: 'Any' });
    expect(buildFilter(viewById('pending'), NO_FILTERS, 'due')).toMatchObject({ statuses: ['pending_customer'] });
    expect(buildFilter(viewById('open'), NO_FILTERS, 'due')).toMatchObject({ statuses: [], all_statuses: false, assignee: 'Any' });
    expect(buildFilter(viewById('resolved'), NO_FILTERS, 'updated')).toMatchObject({ statuses: ['resolved', 'closed'], sort: 'updated' });
  });

  it('narrows a view with the toolbar filters', () => {
    const f = buildFilter(
      viewById('open'),
      { status: 'on_hold', priority: 'P1', kind: 'incident', category: 'network', assignee: 'li.wei@helpdeck.example', tier: 'L2', query: null },
      'priority',
    );
    expect(f).toEqual({
      statuses: ['on_hold'],
      all_statuses: false,
      priority: 'P1',
      kind: 'incident',
      category: 'network',
      tier: 'L2',
      assignee: { Email: 'li.wei@helpdeck.example' },
      breaching: false,
      sla_bucket: null,
      query: null,
      report: null,
      sort: 'priority',
    });
    expect(buildFilter(viewById('open'), { ...NO_FILTERS, assignee: 'me' }, 'due').assignee).toBe('Me');
    expect(buildFilter(viewById('open'), { ...NO_FILTERS, assignee: 'nobody' }, 'due').assignee).toBe('Nobody');
  });

  it('opens a search as a list over every status', () => {
    const f = buildFilter(viewById('open'), { ...NO_FILTERS, query: 'vpn OR wifi' }, 'updated');
    expect(f).toMatchObject({ query: 'vpn OR wifi', all_statuses: true });
  });

  it('keeps the assignee of a view that is about the assignee', () => {
    expect(buildFilter(viewById('mine'), { ...NO_FILTERS, assignee: 'nobody' }, 'due').assignee).toBe('Me');
  });
});

describe('a report drill-down', () => {
  it('is a queue of every status narrowed to the figure', () => {
    const drill = {
      cohort: 'created' as const,
      period: { since: '2026-11-01T16:00:00Z', until: '2026-11-15T16:00:00Z' },
      filter: { team: null, agent: null, category: null, priority: null, organization: null, channel: null },
      group: { by: 'team' as const, key: '网络组' },
    };
    setDrill(drill, '网络组');
    const f = buildFilter(viewById('drill'), NO_FILTERS, 'updated');
    expect(f.report).toEqual(drill);
    expect(f.all_statuses).toBe(true);
    expect(viewById('drill').name).toBe('网络组');
  });
});
