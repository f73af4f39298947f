/**
 * The fleet trigger's decision, free of n8n and HTTP: the stored fleet watch, the instance list
 * in use, what this poll saw of each instance, the options and the time go in; the items to emit
 * (one per instance that changed) and the watch to remember come out. Each instance's state goes
 * through the single-instance trigger's decide(), so confirmation polls, stuck thresholds, Fire On
 * States and the meaning of a state are exactly the single trigger's.
 *
 * Restart safety is the single trigger's: n8n saves static data after the activation poll and after
 * a poll that emitted; a change decided here is emitted together with the watch that records it.
 *
 * The watch holds, per live instance, its state and times as epoch milliseconds in one-letter
 * fields: a fleet of 5,000 is stored whole after every poll that emits. Never a token.
 */
import type { IDataObject } from 'n8n-workflow';

import { describeState } from '../client/states';
import { decide } from './decide';
import type { Settings, Watch } from './decide';

/** One instance of the partner list, as the decision needs it. */
export interface FleetMember {
	idInstance: string;
	name: string;
	typeInstance: string;
	status: 'live' | 'deleted' | 'expired';
}

/**
 * What this poll saw of one live instance: its state, `null` (GREEN-API answers a null state
 * while an instance is being created), or a failure that the next poll may not repeat (a short,
 * token-free reason such as "timeout" or "HTTP 503"). An instance not polled this time (absent
 * from the map) keeps its watch as it was.
 */
export type Sighting = { state: string | null } | { failed: string };

/** One instance's watch. */
export interface InstanceWatch {
	/** The confirmed state; null = being created; absent = not yet seen (only failures so far). */
	s?: string | null;
	/** Since when (epoch ms) the confirmed state was seen. */
	t?: number;
	/** 1: `t` is when the state began (a change was seen), not merely when watching began. */
	k?: 1;
	/** 1: the stuck event of this stint was emitted. */
	r?: 1;
	/** A new state not yet confirmed: state, first seen (epoch ms), polls in a row. */
	p?: [string, number, number];
	/** Failed polls in a row and when the first of them was (epoch ms). */
	f?: [number, number];
	/** 1: reported unreachable; a good answer reports it reachable again. */
	u?: 1;
}

/** What the fleet trigger keeps in static data: every live instance's watch, by idInstance. */
export interface FleetWatch {
	instances?: Record<string, InstanceWatch>;
}

export interface FleetSettings extends Settings {
	/** Which list events fire. */
	appeared: boolean;
	deleted: boolean;
	expired: boolean;
	/** Report an instance unreachable after this many failed polls in a row; 0 = never. */
	unreachableAfterPolls: number;
}

export type FleetEventName = 'instanceAppeared' | 'instanceDeleted' | 'instanceExpired' | 'unreachable' | 'reachable';

export interface FleetDecision {
	events: IDataObject[];
	watch: FleetWatch;
}

/** `null` stands for "being created" inside decide(), which wants a string. */
const CREATING = '';

const NOTES: Record<string, { meaning: string; recommendedAction: string }> = {
	creating: {
		meaning: 'Being created: GREEN-API answers no state yet (up to 5 minutes after creation), then notAuthorized.',
		recommendedAction: 'wait',
	},
	instanceDeleted: { meaning: 'The instance was deleted from the partner account.', recommendedAction: 'none' },
	instanceExpired: {
		meaning: 'The paid period of the instance ended: it stopped working. Renew it in the GREEN-API console.',
		recommendedAction: 'renew',
	},
};

function reading(state: string | null | undefined): { meaning: string; recommendedAction: string } {
	return state === null || state === undefined || state === CREATING ? NOTES.creating : describeState(state);
}

const iso = (ms: number): string => new Date(ms).toISOString();

function toWatch(id: string, w: InstanceWatch): Watch {
	const watch: Watch = {
		idInstance: id,
		state: w.s ?? CREATING,
		since: iso(w.t ?? 0),
		sinceKnown: w.k === 1,
		stuckReported: w.r === 1,
	};
	if (w.p) watch.pending = { state: w.p[0], since: iso(w.p[1]), polls: w.p[2] };
	return watch;
}

function withoutFailures(w: InstanceWatch): InstanceWatch {
	const rest = { ...w };
	delete rest.f;
	delete rest.u;
	return rest;
}

function fromWatch(watch: Watch): InstanceWatch {
	const w: InstanceWatch = { s: watch.state === CREATING ? null : watch.state, t: Date.parse(watch.since!) };
	if (watch.sinceKnown) w.k = 1;
	if (watch.stuckReported) w.r = 1;
	if (watch.pending) w.p = [watch.pending.state, Date.parse(watch.pending.since), watch.pending.polls];
	return w;
}

function memberFields(m: FleetMember): IDataObject {
	return { idInstance: m.idInstance, name: m.name, typeInstance: m.typeInstance };
}

/** The single trigger's event, with the instance's name and type and "being created" as null. */
function fleetEvent(m: FleetMember, event: IDataObject): IDataObject {
	const out: IDataObject = { ...event, ...memberFields(m) };
	if (out.stateInstance === CREATING) Object.assign(out, { stateInstance: null, ...reading(null) });
	if (out.previousState === CREATING) out.previousState = null;
	return out;
}

function listEvent(name: FleetEventName, m: FleetMember, state: string | null | undefined, now: number, extra: IDataObject = {}): IDataObject {
	const note = name === 'instanceDeleted' || name === 'instanceExpired' ? NOTES[name] : reading(state);
	return {
		event: name,
		...memberFields(m),
		stateInstance: state ?? null,
		...note,
		previousState: null,
		changedAt: null,
		...extra,
		polledAt: iso(now),
	};
}

/** A first sighting: recorded as it is, without a change. */
function baseline(state: string | null, now: number): InstanceWatch {
	return { s: state, t: now };
}

/**
 * One poll. `members` is the instance list in use (refreshed or cached); `seen` holds this
 * poll's answers by idInstance. Never mutates `stored`.
 */
export function decideFleet(
	stored: FleetWatch,
	members: FleetMember[],
	seen: ReadonlyMap<string, Sighting>,
	settings: FleetSettings,
	now: Date,
): FleetDecision {
	const t = now.getTime();
	const first = stored.instances === undefined;
	const before = stored.instances ?? {};
	const after: Record<string, InstanceWatch> = {};
	const events: IDataObject[] = [];
	const listed = new Set<string>();

	for (const m of members) {
		listed.add(m.idInstance);
		const w = before[m.idInstance];
		if (m.status !== 'live') {
			// Only an instance that was watched is reported: the list keeps deleted ones for months.
			if (w && settings[m.status]) {
				events.push(listEvent(m.status === 'deleted' ? 'instanceDeleted' : 'instanceExpired', m, w.s, t, { previousState: w.s ?? null }));
			}
			continue;
		}
		const sighting = seen.get(m.idInstance);
		const state = sighting && 'state' in sighting ? sighting.state : undefined;

		if (!w) {
			if (!first && settings.appeared) events.push(listEvent('instanceAppeared', m, state, t));
			if (state === undefined) after[m.idInstance] = {};
			else if (first && settings.emitInitialState && state !== null) {
				const d = decide({}, { idInstance: m.idInstance, stateInstance: state, now }, settings);
				events.push(...d.events.map((e) => fleetEvent(m, e)));
				after[m.idInstance] = fromWatch(d.watch);
			} else after[m.idInstance] = baseline(state, t);
			continue;
		}

		if (sighting === undefined) {
			after[m.idInstance] = w;
			continue;
		}
		// A null answer from an instance that had a state is no news about it: a passing failure.
		const failure = 'failed' in sighting ? sighting.failed : state === null && typeof w.s === 'string' ? 'no state in the answer' : undefined;
		if (failure !== undefined) {
			const [count, since] = w.f ? [w.f[0] + 1, w.f[1]] : [1, t];
			const next: InstanceWatch = { ...w, f: [count, since] };
			const limit = settings.unreachableAfterPolls;
			if (limit > 0 && count >= limit && !w.u) {
				next.u = 1;
				events.push(
					listEvent('unreachable', m, w.s, t, {
						previousState: w.s ?? null,
						failedPolls: count,
						unreachableSince: iso(since),
						lastFailure: failure,
					}),
				);
			}
			after[m.idInstance] = next;
			continue;
		}

		const observed = state as string | null;
		if (w.s === undefined) {
			// Seen for the first time after failures only: a baseline, not a change.
			after[m.idInstance] = baseline(observed, t);
			continue;
		}
		if (observed === null) {
			// Still being created.
			after[m.idInstance] = withoutFailures(w);
			continue;
		}
		const d = decide(toWatch(m.idInstance, w), { idInstance: m.idInstance, stateInstance: observed, now }, settings);
		after[m.idInstance] = fromWatch(d.watch);
		const changes = d.events.map((e) => fleetEvent(m, e));
		if (w.u && settings.unreachableAfterPolls > 0) {
			const back = { reachableAgain: true, unreachableSince: w.f ? iso(w.f[1]) : null };
			// One item per instance: a change that came with the return carries the news itself.
			if (changes.length > 0) changes.forEach((e) => Object.assign(e, back));
			else events.push(listEvent('reachable', m, observed, t, { previousState: w.s, ...back }));
		}
		events.push(...changes);
	}

	// Gone from the list altogether: as deleted.
	for (const [id, w] of Object.entries(before)) {
		if (listed.has(id) || !settings.deleted) continue;
		events.push(listEvent('instanceDeleted', { idInstance: id, name: '', typeInstance: '', status: 'deleted' }, w.s, t, { previousState: w.s ?? null }));
	}
	return { events, watch: { instances: after } };
}
