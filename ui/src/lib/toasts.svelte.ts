// Short messages at the bottom of the window; errors stay until read or for 8 seconds.
// A toast keeps how to say its message, not the words: one raised just before the user
// switches language reads in the new one.
import { errorText } from './errors';
import type { ApiError } from './types';
import { isApiError } from './api';

/** A message in the current language (`() => t('…')`), or words that need none. */
export type ToastText = string | (() => string);

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: () => string;
  /** A button on the toast (Undo). */
  action?: { label: () => string; run: () => void };
}

const say = (text: ToastText): (() => string) => (typeof text === 'function' ? text : () => text);

export const toasts = $state<Toast[]>([]);
let nextId = 1;

export function dismiss(id: number): void {
  const i = toasts.findIndex((x) => x.id === id);
  if (i >= 0) toasts.splice(i, 1);
}

function push(kind: Toast['kind'], message: ToastText, ms: number, action?: Toast['action']): void {
  const id = nextId++;
  toasts.push({ id, kind, message: say(message), action });
  if (toasts.length > 4) toasts.shift();
  setTimeout(() => dismiss(id), ms);
}

export function info(message: ToastText): void {
  push('info', message, 4000);
}

/** A message with one action (Undo), shown long enough to use it. */
export function infoWithAction(message: ToastText, label: ToastText, run: () => void): void {
  push('info', message, 12000, { label: say(label), run });
}

/** A problem the UI itself found, in the user's language (`() => t('…')`, like `info`). */
export function warn(message: ToastText): void {
  push('error', message, 8000);
}

/** Shows an API error in the user's language (validation messages go next to fields instead). */
export function errorToast(e: unknown): void {
  const err: ApiError = isApiError(e) ? e : { code: 'internal', message: String(e) };
  push('error', () => errorText(err), 8000);
}
