// Single-key shortcuts (j, k, c, r, n, /, ?) that never fire while the user is typing.

export interface Shortcut {
  /** `KeyboardEvent.key`, e.g. 'j', '/', '?', 'Escape', 'k' with `mod`. */
  key: string;
  /** Needs Ctrl (or Cmd on macOS). */
  mod?: boolean;
  /** Also fires with focus in a text field (Escape, Ctrl+K). */
  inInputs?: boolean;
  /** Extra condition; when false the key keeps its normal meaning. */
  when?: (event: KeyLike) => boolean;
  run: (event: KeyboardEvent) => void;
}

/** Minimal event shape, so the logic can be tested without a DOM event. */
export type KeyLike = Pick<
  KeyboardEvent,
  'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'isComposing' | 'target' | 'defaultPrevented'
>;

const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file']);

/** True when keys typed at `target` are text: inputs, text areas, selects, contenteditable. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'input') return !NON_TEXT_INPUTS.has(((el as HTMLInputElement).type || 'text').toLowerCase());
  return el.isContentEditable === true || el.getAttribute?.('contenteditable') === 'true';
}

/** The shortcut this key press means, or null. */
export function matchShortcut(e: KeyLike, shortcuts: readonly Shortcut[]): Shortcut | null {
  // Keys that compose CJK text in an IME are never shortcuts.
  if (e.isComposing || e.key === 'Process' || e.defaultPrevented) return null;
  if (e.altKey) return null;
  const mod = e.ctrlKey || e.metaKey;
  const typing = isTypingTarget(e.target);
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  for (const s of shortcuts) {
    const want = s.key.length === 1 ? s.key.toLowerCase() : s.key;
    if (want !== key || !!s.mod !== mod) continue;
    if (typing && !s.inInputs) continue;
    if (s.when && !s.when(e)) continue;
    return s;
  }
  return null;
}

/** A keydown listener that runs the matching shortcut and stops the key's default action. */
export function createDispatcher(shortcuts: () => readonly Shortcut[]): (e: KeyboardEvent) => void {
  return (e) => {
    const s = matchShortcut(e, shortcuts());
    if (!s) return;
    e.preventDefault();
    s.run(e);
  };
}
