// One shared clock for every countdown on screen, ticking once a second.
const clock = $state({ now: Date.now() });
let timer: ReturnType<typeof setInterval> | undefined;

export function now(): number {
  return clock.now;
}

export function startClock(): () => void {
  if (!timer) timer = setInterval(() => (clock.now = Date.now()), 1000);
  return () => {
    clearInterval(timer);
    timer = undefined;
  };
}
