// Presentation of the SLA targets the core computed: which state to show *now* (a running
// target crosses its at-risk and due instants while the screen is open) and the badge text.
import { formatDuration, formatRelative, secondsUntil } from './format';
import { translate } from './i18n/index.svelte';
import type { Language, SlaState, SlaTarget, SlaView } from './types';
import { SLA_TARGETS } from './types';

/** The state of a target at `now`, moving running → at_risk → breached on the core's instants. */
export function liveState(target: SlaTarget, now: number): SlaState {
  if (target.state !== 'running' && target.state !== 'at_risk') return target.state;
  if (!target.due_at) return target.state;
  if (now >= Date.parse(target.due_at)) return 'breached';
  if (target.state === 'at_risk') return 'at_risk';
  if (target.at_risk_at && now >= Date.parse(target.at_risk_at)) return 'at_risk';
  return 'running';
}

/** Seconds until the target is due: wall-clock time to its due instant, else the core's count. */
function secondsLeft(target: SlaTarget, now: number): number {
  return target.due_at ? secondsUntil(target.due_at, now) : target.remaining_secs;
}

/** Seconds a running target has left, rounded up: it reads "1s left" until the instant it
 * is due and "0s overdue" from then on — never "0s left" beside an "overdue" elsewhere. */
function secondsLeftUp(target: SlaTarget, now: number): number {
  if (!target.due_at) return Math.max(0, target.remaining_secs);
  return Math.max(1, Math.ceil((Date.parse(target.due_at) - now) / 1000));
}

/** Badge text for a target at `now`, e.g. "12m 04s left", "2h overdue", "Met". */
export function slaText(target: SlaTarget, now: number, lang: Language): string {
  const state = liveState(target, now);
  switch (state) {
    case 'running':
    case 'at_risk':
      return translate(lang, 'sla.left', { time: formatDuration(secondsLeftUp(target, now), lang) });
    case 'breached':
      return translate(lang, 'sla.overdue', { time: formatDuration(Math.max(0, -secondsLeft(target, now)), lang) });
    case 'paused':
      return target.remaining_secs > 0
        ? translate(lang, 'sla.pausedLeft', { time: formatDuration(target.remaining_secs, lang) })
        : translate(lang, 'sla.state.paused');
    case 'met':
      return target.completed_at
        ? translate(lang, 'sla.metAt', { when: formatRelative(target.completed_at, now, lang) })
        : translate(lang, 'sla.state.met');
    case 'missed':
      return translate(lang, 'sla.state.missed');
  }
}

const URGENCY: Record<SlaState, number> = {
  breached: 0,
  at_risk: 1,
  running: 2,
  paused: 3,
  missed: 4,
  met: 5,
};

/** The target a list row shows: the most urgent live state, then the earliest due. */
export function primaryTarget(sla: SlaView, now: number): SlaTarget | null {
  let best: SlaTarget | null = null;
  let bestRank = Infinity;
  for (const kind of SLA_TARGETS) {
    const target = sla[kind];
    if (!target) continue;
    const rank = URGENCY[liveState(target, now)];
    if (rank < bestRank || (rank === bestRank && best && dueTime(target) < dueTime(best))) {
      best = target;
      bestRank = rank;
    }
  }
  return best;
}

function dueTime(target: SlaTarget): number {
  return target.due_at ? Date.parse(target.due_at) : Infinity;
}

/** Targets present on a ticket, in their natural order. */
export function targetsOf(sla: SlaView): SlaTarget[] {
  return SLA_TARGETS.map((k) => sla[k]).filter((x): x is SlaTarget => x != null);
}
