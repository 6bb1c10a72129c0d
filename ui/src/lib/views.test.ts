import { describe, expect, it } from 'vitest';
import { buildFilter, NO_FILTERS, viewById } from './views';

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
