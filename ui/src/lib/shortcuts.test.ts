import { describe, expect, it, vi } from 'vitest';
import { createDispatcher, isTypingTarget, matchShortcut, type Shortcut } from './shortcuts';

function el(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  document.body.append(div);
  return div.firstElementChild as HTMLElement;
}

function key(k: string, target: EventTarget = document.body, init: KeyboardEventInit = {}): KeyboardEvent {
  const e = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init });
  Object.defineProperty(e, 'target', { value: target });
  return e;
}

describe('isTypingTarget', () => {
  it('knows text fields from other controls', () => {
    expect(isTypingTarget(el('<input>'))).toBe(true);
    expect(isTypingTarget(el('<input type="email">'))).toBe(true);
    expect(isTypingTarget(el('<input type="search">'))).toBe(true);
    expect(isTypingTarget(el('<textarea></textarea>'))).toBe(true);
    expect(isTypingTarget(el('<select><option>a</option></select>'))).toBe(true);
    expect(isTypingTarget(el('<div contenteditable="true"></div>'))).toBe(true);
    expect(isTypingTarget(el('<input type="checkbox">'))).toBe(false);
    expect(isTypingTarget(el('<button>b</button>'))).toBe(false);
    expect(isTypingTarget(document.body)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe('shortcut dispatcher', () => {
  const run = vi.fn();
  const shortcuts: Shortcut[] = [
    { key: 'Escape', inInputs: true, run: () => run('esc') },
    { key: 'k', mod: true, inInputs: true, run: () => run('search') },
    { key: 'j', run: () => run('down') },
    { key: 'c', run: () => run('create') },
    { key: '?', run: () => run('help') },
    { key: 'Enter', when: (e) => e.target === document.body, run: () => run('open') },
  ];
  const dispatch = createDispatcher(() => shortcuts);

  it('runs single-key shortcuts on the page and prevents the default', () => {
    run.mockClear();
    const e = key('j');
    dispatch(e);
    expect(run).toHaveBeenCalledWith('down');
    expect(e.defaultPrevented).toBe(true);
    dispatch(key('?', document.body, { shiftKey: true }));
    expect(run).toHaveBeenCalledWith('help');
  });

  it('ignores keys typed in inputs and text areas', () => {
    run.mockClear();
    for (const target of [el('<input>'), el('<textarea></textarea>'), el('<div contenteditable="true"></div>')]) {
      const e = key('c', target);
      dispatch(e);
      dispatch(key('j', target));
      expect(e.defaultPrevented).toBe(false);
    }
    expect(run).not.toHaveBeenCalled();
  });

  it('still handles Escape and Ctrl+K in inputs', () => {
    run.mockClear();
    const input = el('<input>');
    dispatch(key('Escape', input));
    dispatch(key('k', input, { ctrlKey: true }));
    dispatch(key('K', input, { metaKey: true }));
    expect(run.mock.calls).toEqual([['esc'], ['search'], ['search']]);
  });

  it('ignores keys with other modifiers and keys composing CJK text', () => {
    run.mockClear();
    dispatch(key('j', document.body, { ctrlKey: true }));
    dispatch(key('j', document.body, { altKey: true }));
    dispatch(key('j', document.body, { isComposing: true }));
    dispatch(key('Process'));
    expect(run).not.toHaveBeenCalled();
  });

  it('lets a key keep its normal meaning when the condition fails', () => {
    const button = el('<button>b</button>');
    const e = key('Enter', button);
    expect(matchShortcut(e, shortcuts)).toBeNull();
    dispatch(e);
    expect(e.defaultPrevented).toBe(false);
    expect(matchShortcut(key('Enter'), shortcuts)?.key).toBe('Enter');
  });
});
