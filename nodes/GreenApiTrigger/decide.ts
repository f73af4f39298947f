/**
 * The trigger's decision, free of n8n and HTTP: what it remembers (a Watch, kept in the
 * workflow's static data), what one poll saw and the options go in; the items to emit and the
 * Watch to remember come out. GreenApiTrigger.node.ts only reads the answers and applies this.
 *
 * Restart safety follows from how n8n saves static data (on activation, after a poll that
 * emitted, on deactivation): what changes without an event lives in memory only, so after a
 * restart it is compared again from the last saved Watch; nothing emitted is emitted twice.
 */
import type { IDataObject } from 'n8n-workflow';

import { describeState } from '../client/states';

/** What the trigger remembers between polls. Optional parts are left out when unused. */
export interface Watch {
	idInstance?: string;
	/** The confirmed state. */
	state?: string;
	/** When the confirmed state was first seen. */
	since?: string;
	/** Whether `since` is when the state began (a change was seen), not merely when watching began. */
	sinceKnown?: boolean;
	/** The stuck event of the current stint in `state` has been emitted. */
	stuckReported?: boolean;
	/** A new state seen but not yet on enough polls in a row (Polls to Confirm above 1). */
	pending?: { state: string; since: string; polls: number };
	/** The outgoing queue, while the queue alert is on. */
	queue?: QueueWatch;
}

export interface QueueWatch {
	/** Polls in a row with the count above the threshold (counted up to Polls to Confirm). */
	above: number;
	/** When the count was first seen above the threshold in this run of polls. */
	since?: string;
	/** The alert of this run has been emitted; it re-arms once the count is back at or below the threshold. */
	alerted: boolean;
}

export interface StuckRule {
	state: string;
	minutes: number;
}

export interface Settings {
	/** Fire On States; empty = every state. */
	fireOn: string[];
	emitInitialState: boolean;
	/** Polls in a row a new state (or a queue above the threshold) must be seen before it fires; 1 = at once. */
	confirmPolls: number;
	stuck: StuckRule[];
	/** Alert when the outgoing queue holds more messages than this; null = off. */
	queueThreshold: number | null;
}

export interface Observation {
	idInstance: string;
	stateInstance: string;
	/** getMessagesCount, when the queue alert is on and the count could be read. */
	messagesCount?: number;
	now: Date;
}

export type EventName = 'stateChanged' | 'stuck' | 'initialState' | 'messagesPilingUp' | 'currentState';

export interface Decision {
	events: IDataObject[];
	watch: Watch;
}

function secondsBetween(fromIso: string, to: Date): number {
	return Math.round((to.getTime() - Date.parse(fromIso)) / 1000);
}

function base(event: EventName, idInstance: string, state: string): IDataObject {
	return { event, idInstance, stateInstance: state, ...describeState(state) };
}

function stuckEvent(watch: Watch, settings: Settings, now: Date): IDataObject | undefined {
	const rule = settings.stuck.find((r) => r.state === watch.state);
	if (!rule || watch.stuckReported || !watch.since || watch.state === undefined || watch.idInstance === undefined) return undefined;
	const minutes = (now.getTime() - Date.parse(watch.since)) / 60_000;
	if (!(minutes > rule.minutes)) return undefined;
	watch.stuckReported = true;
	return {
		...base('stuck', watch.idInstance, watch.state),
		previousState: null,
		changedAt: null,
		stateSince: watch.since,
		stuckForMinutes: Math.floor(minutes),
	};
}

function queueStep(
	previous: QueueWatch | undefined,
	obs: Observation,
	settings: Settings,
	state: string,
): { queue: QueueWatch | undefined; event?: IDataObject } {
	if (settings.queueThreshold === null) return { queue: undefined };
	// The count could not be read this time: keep what was known.
	if (obs.messagesCount === undefined) return { queue: previous };
	const now = obs.now.toISOString();
	if (obs.messagesCount <= settings.queueThreshold) return { queue: { above: 0, alerted: false } };
	const was = previous ?? { above: 0, alerted: false };
	const since = was.above > 0 && was.since ? was.since : now;
	const queue: QueueWatch = { above: Math.min(was.above + 1, settings.confirmPolls), since, alerted: was.alerted };
	if (queue.alerted || queue.above < settings.confirmPolls) return { queue };
	queue.alerted = true;
	return {
		queue,
		event: {
			...base('messagesPilingUp', obs.idInstance, state),
			messagesCount: obs.messagesCount,
			messagesThreshold: settings.queueThreshold,
			aboveThresholdSince: since,
			polledAt: now,
		},
	};
}

/** One poll of an active workflow. Never mutates `stored`. */
export function decide(stored: Watch, obs: Observation, settings: Settings): Decision {
	const now = obs.now.toISOString();
	const state = obs.stateInstance;
	const wanted = settings.fireOn.length === 0 || settings.fireOn.includes(state);
	const events: IDataObject[] = [];
	let watch: Watch;

	if (stored.state === undefined || stored.idInstance !== obs.idInstance) {
		// A new watch (first activation, or the credential now names another instance).
		watch = { idInstance: obs.idInstance, state, since: now, sinceKnown: false, stuckReported: false };
		if (settings.emitInitialState && wanted) {
			events.push({ ...base('initialState', obs.idInstance, state), previousState: null, changedAt: null, stateSince: null, polledAt: now });
		}
		const q = queueStep(undefined, obs, settings, state);
		if (q.queue) watch.queue = q.queue;
		if (q.event) events.push(q.event);
		return { events, watch };
	}

	watch = { ...stored };
	delete watch.pending;
	delete watch.queue;

	if (state === stored.state) {
		// Back to (or still in) the confirmed state: a pending change that flipped back is dropped.
		const stuck = stuckEvent(watch, settings, obs.now);
		if (stuck) events.push(stuck);
	} else {
		const pending =
			stored.pending?.state === state
				? { ...stored.pending, polls: stored.pending.polls + 1 }
				: { state, since: now, polls: 1 };
		if (pending.polls < settings.confirmPolls) {
			watch.pending = pending;
		} else {
			const previousState = stored.state;
			const previousSince = stored.sinceKnown && stored.since ? stored.since : null;
			// Measured from the first sighting, not from the poll that confirmed it.
			const changedAt = pending.since;
			watch = { idInstance: obs.idInstance, state, since: changedAt, sinceKnown: true, stuckReported: false };
			if (wanted) {
				const event: IDataObject = {
					...base('stateChanged', obs.idInstance, state),
					previousState,
					changedAt,
					previousStateSince: previousSince,
					previousStateDurationSeconds: previousSince ? secondsBetween(previousSince, new Date(changedAt)) : null,
				};
				if (settings.confirmPolls > 1) Object.assign(event, { confirmedAt: now, confirmedAfterPolls: pending.polls });
				events.push(event);
			}
			// With confirmation the state may already have lasted long enough to count as stuck.
			const stuck = stuckEvent(watch, settings, obs.now);
			if (stuck) events.push(stuck);
		}
	}

	const q = queueStep(stored.queue, obs, settings, state);
	if (q.queue) watch.queue = q.queue;
	if (q.event) events.push(q.event);
	return { events, watch };
}

/**
 * "Fetch Test Event": the current state now, shaped with every field a real event can carry
 * (null where this poll cannot know it), so a workflow can be built by mapping from it.
 * `stored` is what an active workflow of the same node remembers; it is only read.
 */
export function testEvent(stored: Watch, obs: Observation, settings: Settings): IDataObject {
	const now = obs.now.toISOString();
	const sameInstance = stored.idInstance === obs.idInstance;
	const sameState = sameInstance && stored.state === obs.stateInstance;
	// As in a stuck event: when the state was first seen (when watching began, if its start was not seen).
	const stateSince = sameState ? (stored.since ?? null) : null;
	return {
		...base('currentState', obs.idInstance, obs.stateInstance),
		// The state the active workflow last recorded, when it watches this instance.
		previousState: sameInstance ? (stored.state ?? null) : null,
		changedAt: null,
		previousStateSince: null,
		previousStateDurationSeconds: null,
		confirmedAt: null,
		confirmedAfterPolls: null,
		stateSince,
		stuckForMinutes: null,
		messagesCount: obs.messagesCount ?? null,
		messagesThreshold: settings.queueThreshold,
		aboveThresholdSince: null,
		polledAt: now,
	};
}

/** The node's Options as n8n stores them. */
export interface TriggerOptions {
	emitInitialState?: boolean;
	confirmPolls?: number;
	stuckThresholds?: { threshold?: Array<{ state?: string; minutes?: number }> };
	queueThreshold?: number;
	timeout?: number;
}

/** GREEN-API: more than 5 minutes in starting needs a reboot. */
export const DEFAULT_STUCK_MINUTES = 5;
export const DEFAULT_STUCK_STATE = 'starting';

function positiveNumber(value: unknown, field: string, integer: boolean): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < (integer ? 1 : 0) || (integer && !Number.isInteger(value))) {
		throw new Error(`${field} must be ${integer ? 'a whole number of at least 1' : 'a number of at least 0'}, got ${JSON.stringify(value)}`);
	}
	return value;
}

/** Reads the parameters into Settings; throws an Error naming the option for values that cannot work. */
export function settingsFrom(fireOn: unknown, options: TriggerOptions): Settings {
	const stuck: StuckRule[] = [];
	for (const [i, t] of (options.stuckThresholds?.threshold ?? []).entries()) {
		const state = String(t.state ?? '').trim();
		if (state === '') throw new Error(`Stuck Thresholds, entry ${i + 1}: choose a state`);
		if (stuck.some((r) => r.state === state)) throw new Error(`Stuck Thresholds lists "${state}" more than once`);
		stuck.push({ state, minutes: positiveNumber(t.minutes ?? DEFAULT_STUCK_MINUTES, `Stuck Thresholds, entry ${i + 1}: Minutes`, false) });
	}
	return {
		fireOn: Array.isArray(fireOn) ? fireOn.map(String) : [],
		emitInitialState: options.emitInitialState === true,
		confirmPolls: positiveNumber(options.confirmPolls ?? 1, 'Polls to Confirm', true),
		stuck,
		queueThreshold: options.queueThreshold === undefined ? null : positiveNumber(options.queueThreshold, 'Alert When Queue Above', false),
	};
}
