// Open dialogs, innermost last: Escape closes the top one and other shortcuts pause meanwhile.
const stack = $state<{ id: number; close: () => void }[]>([]);
let nextId = 1;

export function pushModal(close: () => void): number {
  const id = nextId++;
  stack.push({ id, close });
  return id;
}

export function removeModal(id: number): void {
  const i = stack.findIndex((m) => m.id === id);
  if (i >= 0) stack.splice(i, 1);
}

export function modalOpen(): boolean {
  return stack.length > 0;
}

/** Closes the innermost dialog; false when none is open. */
export function closeTopModal(): boolean {
  const top = stack[stack.length - 1];
  if (!top) return false;
  top.close();
  return true;
}
