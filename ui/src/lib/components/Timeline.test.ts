import { describe, expect, it } from 'vitest';
import { render } from '@testing-library/svelte';
import Timeline from './Timeline.svelte';
import type { TicketDetail } from '../types';
import sample from '../../test/sample_ticket.json';

describe('Timeline', () => {
  it('shows internal notes unmistakably and renders comment Markdown inertly', () => {
    const ticket = structuredClone(sample) as TicketDetail;
    ticket.comments[0].body = 'hello <img src=x onerror="window.__pwned = 1"> **there**';
    const { getAllByTestId, container } = render(Timeline, { ticket });
    const note = getAllByTestId('timeline-note');
    expect(note).toHaveLength(1);
    expect(note[0].textContent).toContain('Internal note');
    const reply = getAllByTestId('timeline-reply')[0];
    expect(reply.innerHTML).toContain('<strong>there</strong>');
    // The payload is shown as text: no <img> element and no handler attribute anywhere.
    expect(reply.querySelector('img')).toBeNull();
    expect([...container.querySelectorAll('*')].some((n) => [...n.attributes].some((a) => a.name.startsWith('on')))).toBe(false);
    expect(reply.textContent).toContain('<img src=x onerror="window.__pwned = 1">');
    expect(getAllByTestId('timeline-event').length).toBeGreaterThan(0);
  });
});
