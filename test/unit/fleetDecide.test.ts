/**
 * The fleet trigger's decision as a pure function on a fake clock: stored fleet watch + the
 * instance list + what one poll saw of each instance + options + time -> one item per instance
 * that changed and the watch to store. test/fleetTrigger.test.ts proves the wiring through n8n.
 */
import { decideFleet } from '../../nodes/GreenApiTrigger/fleetDecide';
import type { FleetMember, FleetSettings, FleetWatch, InstanceWatch, Sighting } from '../../nodes/GreenApiTrigger/fleetDecide';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const ms = (minutes: number): number => T0 + minutes * 60_000;
const at = (minutes: number): string => new Date(ms(minutes)).toISOString();
const clock = (minutes: number): Date => new Date(ms(minutes));

const A: FleetMember = { idInstance: '1101000001', name: 'Shop A', typeInstance: 'whatsapp', status: 'live' };
const B: FleetMember = { idInstance: '1101000002', name: 'Shop B', typeInstance: 'whatsapp', status: 'live' };
const C: FleetMember = { idInstance: '7103000003', name: 'Max C', typeInstance: 'v3', status: 'live' };

const settings = (s: Partial<FleetSettings> = {}): FleetSettings => ({
	fireOn: [],
	emitInitialState: false,
	confirmPolls: 1,
	stuck: [],
	queueThreshold: null,
	appeared: true,
	deleted: true,
	expired: true,
	unreachableAfterPolls: 3,
	...s,
});
const seen = (entries: Record<string, string | null | { failed: string }>): Map<string, Sighting> =>
	new Map(Object.entries(entries).map(([id, v]) => [id, v !== null && typeof v === 'object' ? v : { state: v }]));
const fleet = (instances: Record<string, InstanceWatch>): FleetWatch => ({ instances });

/** Runs polls in order, each with its list and sightings, returning every decision. */
function run(start: FleetWatch, polls: Array<{ members: FleetMember[]; seen: Map<string, Sighting>; minute: number }>, s: FleetSettings) {
	let watch = start;
	return polls.map((p) => {
		const d = decideFleet(watch, p.members, p.seen, s, clock(p.minute));
		watch = d.watch;
		return d;
	});
}

const STARTING = { meaning: expect.stringMatching(/^Starting or in service mode/), recommendedAction: 'wait' };
const BLOCKED = { meaning: expect.stringMatching(/banned/), recommendedAction: 'appeal' };
const CREATING = { meaning: expect.stringMatching(/^Being created/), recommendedAction: 'wait' };

describe('the first poll', () => {
	it('records every live instance as it is, without events; failures and null states are recorded too', () => {
		const d = decideFleet({}, [A, B, C, { ...B, idInstance: '1101000009', status: 'deleted' }], seen({ [A.idInstance]: 'authorized', [B.idInstance]: null, [C.idInstance]: { failed: 'timeout' } }), settings(), clock(0));
		expect(d).toEqual({
			events: [],
			watch: fleet({ [A.idInstance]: { s: 'authorized', t: ms(0) }, [B.idInstance]: { s: null, t: ms(0) }, [C.idInstance]: {} }),
		});
	});

	it('with Emit Current State on First Poll: one initialState item per instance with a state, Fire On States applied', () => {
		const s = settings({ emitInitialState: true, fireOn: ['authorized', 'blocked'] });
		const d = decideFleet({}, [A, B, C], seen({ [A.idInstance]: 'blocked', [B.idInstance]: 'starting', [C.idInstance]: null }), s, clock(0));
		expect(d.events).toEqual([
			{
				event: 'initialState',
				idInstance: A.idInstance,
				name: 'Shop A',
				typeInstance: 'whatsapp',
				stateInstance: 'blocked',
				...BLOCKED,
				previousState: null,
				changedAt: null,
				stateSince: null,
				polledAt: at(0),
			},
		]);
		expect(d.watch.instances).toEqual({ [A.idInstance]: { s: 'blocked', t: ms(0) }, [B.idInstance]: { s: 'starting', t: ms(0) }, [C.idInstance]: { s: null, t: ms(0) } });
	});
});

describe('state changes', () => {
	const stored = fleet({ [A.idInstance]: { s: 'authorized', t: ms(-30), k: 1 }, [B.idInstance]: { s: 'authorized', t: ms(-90) } });

	it('one item per instance that changed, with name, type, previous and new state, meaning and action; others stay quiet', () => {
		const d = decideFleet(stored, [A, B], seen({ [A.idInstance]: 'starting', [B.idInstance]: 'authorized' }), settings(), clock(0));
		expect(d.events).toEqual([
			{
				event: 'stateChanged',
				idInstance: A.idInstance,
				name: 'Shop A',
				typeInstance: 'whatsapp',
				stateInstance: 'starting',
				...STARTING,
				previousState: 'authorized',
				changedAt: at(0),
				previousStateSince: at(-30),
				previousStateDurationSeconds: 1800,
			},
		]);
		expect(d.watch).toEqual(fleet({ [A.idInstance]: { s: 'starting', t: ms(0), k: 1 }, [B.idInstance]: { s: 'authorized', t: ms(-90) } }));
	});

	it('unknown states pass through with a neutral reading', () => {
		const d = decideFleet(stored, [A, B], seen({ [A.idInstance]: 'quantumLocked' }), settings(), clock(0));
		expect(d.events).toEqual([expect.objectContaining({ stateInstance: 'quantumLocked', recommendedAction: 'unknown', previousState: 'authorized' })]);
	});

	it('an instance not polled this time keeps its watch', () => {
		const d = decideFleet(stored, [A, B], seen({}), settings(), clock(0));
		expect(d).toEqual({ events: [], watch: stored });
	});

	it('Polls to Confirm counts per instance', () => {
		const s = settings({ confirmPolls: 2 });
		const [one, two] = run(
			stored,
			[
				{ members: [A, B], seen: seen({ [A.idInstance]: 'blocked', [B.idInstance]: 'authorized' }), minute: 0 },
				{ members: [A, B], seen: seen({ [A.idInstance]: 'blocked', [B.idInstance]: 'blocked' }), minute: 1 },
			],
			s,
		);
		expect(one.events).toEqual([]);
		expect(one.watch.instances![A.idInstance]).toEqual({ s: 'authorized', t: ms(-30), k: 1, p: ['blocked', ms(0), 1] });
		// A confirmed on its second poll; B only seen once.
		expect(two.events).toEqual([expect.objectContaining({ idInstance: A.idInstance, stateInstance: 'blocked', changedAt: at(0), confirmedAt: at(1), confirmedAfterPolls: 2 })]);
		expect(two.watch.instances![B.idInstance]).toEqual({ s: 'authorized', t: ms(-90), p: ['blocked', ms(1), 1] });
	});

	it('stuck thresholds per instance, each stint reported once', () => {
		const s = settings({ stuck: [{ state: 'starting', minutes: 5 }] });
		const start = fleet({ [A.idInstance]: { s: 'starting', t: ms(-6), k: 1 }, [B.idInstance]: { s: 'starting', t: ms(-2), k: 1 } });
		const [one, two] = run(
			start,
			[
				{ members: [A, B], seen: seen({ [A.idInstance]: 'starting', [B.idInstance]: 'starting' }), minute: 0 },
				{ members: [A, B], seen: seen({ [A.idInstance]: 'starting', [B.idInstance]: 'starting' }), minute: 4 },
			],
			s,
		);
		expect(one.events).toEqual([
			{ event: 'stuck', idInstance: A.idInstance, name: 'Shop A', typeInstance: 'whatsapp', stateInstance: 'starting', ...STARTING, previousState: null, changedAt: null, stateSince: at(-6), stuckForMinutes: 6 },
		]);
		expect(two.events).toEqual([expect.objectContaining({ event: 'stuck', idInstance: B.idInstance, stuckForMinutes: 6 })]);
		expect(two.watch.instances).toEqual({ [A.idInstance]: { s: 'starting', t: ms(-6), k: 1, r: 1 }, [B.idInstance]: { s: 'starting', t: ms(-2), k: 1, r: 1 } });
	});

	it('being created (null) -> notAuthorized is a change from null; null again afterwards is not', () => {
		const start = fleet({ [C.idInstance]: { s: null, t: ms(-3) } });
		const [one, two] = run(
			start,
			[
				{ members: [C], seen: seen({ [C.idInstance]: 'notAuthorized' }), minute: 0 },
				{ members: [C], seen: seen({ [C.idInstance]: null }), minute: 1 },
			],
			settings({ unreachableAfterPolls: 1 }),
		);
		expect(one.events).toEqual([
			expect.objectContaining({ event: 'stateChanged', idInstance: C.idInstance, typeInstance: 'v3', stateInstance: 'notAuthorized', recommendedAction: 'relink', previousState: null, changedAt: at(0) }),
		]);
		// A null answer from an instance with a state: a passing failure (reported after 1 poll here).
		expect(two.events).toEqual([expect.objectContaining({ event: 'unreachable', stateInstance: 'notAuthorized', lastFailure: 'no state in the answer' })]);
		expect(two.watch.instances![C.idInstance]).toMatchObject({ s: 'notAuthorized', t: ms(0) });
	});

	it('an instance still being created (null, then null again) stays silent and its failure count starts over', () => {
		const start = fleet({ [C.idInstance]: { s: null, t: ms(-3), f: [2, ms(-2)] } });
		const d = decideFleet(start, [C], seen({ [C.idInstance]: null }), settings({ unreachableAfterPolls: 3 }), clock(0));
		expect(d.events).toEqual([]);
		expect(d.watch.instances).toEqual({ [C.idInstance]: { s: null, t: ms(-3) } });
	});

	it('with Emit Current State on First Poll an instance being created gets no item; without it none gets one', () => {
		const on = decideFleet({}, [C], seen({ [C.idInstance]: null }), settings({ emitInitialState: true }), clock(0));
		expect(on.events).toEqual([]);
		const off = decideFleet({}, [A, B], seen({ [A.idInstance]: 'blocked', [B.idInstance]: 'authorized' }), settings({ emitInitialState: false }), clock(0));
		expect(off.events).toEqual([]);
		// Not the first poll: a new instance is an appeared item, never an initialState one.
		const later = decideFleet(fleet({ [B.idInstance]: { s: 'authorized', t: ms(-1) } }), [A, B], seen({ [A.idInstance]: 'blocked', [B.idInstance]: 'authorized' }), settings({ emitInitialState: true }), clock(0));
		expect(later.events.map((e) => e.event)).toEqual(['instanceAppeared']);
	});

	it('never changes the stored watch it was given', () => {
		const start = fleet({ [A.idInstance]: { s: 'authorized', t: ms(-1), f: [2, ms(-2)] }, [B.idInstance]: { s: 'starting', t: ms(-9), p: ['blocked', ms(-1), 1] } });
		const copy = JSON.parse(JSON.stringify(start)) as FleetWatch;
		decideFleet(start, [A, { ...B, status: 'deleted' }], seen({ [A.idInstance]: { failed: 'timeout' } }), settings({ confirmPolls: 2, stuck: [{ state: 'starting', minutes: 0 }] }), clock(0));
		expect(start).toEqual(copy);
	});
});

describe('passing failures and unreachable instances', () => {
	const stored = fleet({ [A.idInstance]: { s: 'authorized', t: ms(-30) } });
	const fail = (minute: number, why = 'timeout') => ({ members: [A], seen: seen({ [A.idInstance]: { failed: why } }), minute });
	const ok = (minute: number, state = 'authorized') => ({ members: [A], seen: seen({ [A.idInstance]: state }), minute });

	it('never a state change; reported once after Unreachable After Polls in a row, reachable again once', () => {
		const d = run(stored, [fail(1), fail(2, 'HTTP 429'), fail(3, 'HTTP 503'), fail(4), ok(5)], settings());
		expect(d.map((x) => x.events.map((e) => e.event))).toEqual([[], [], ['unreachable'], [], ['reachable']]);
		expect(d[1].watch.instances![A.idInstance]).toEqual({ s: 'authorized', t: ms(-30), f: [2, ms(1)] });
		expect(d[2].events[0]).toEqual({
			event: 'unreachable',
			idInstance: A.idInstance,
			name: 'Shop A',
			typeInstance: 'whatsapp',
			stateInstance: 'authorized',
			meaning: 'Linked to a phone and working.',
			recommendedAction: 'none',
			previousState: 'authorized',
			changedAt: null,
			failedPolls: 3,
			unreachableSince: at(1),
			lastFailure: 'HTTP 503',
			polledAt: at(3),
		});
		expect(d[4].events[0]).toMatchObject({ event: 'reachable', stateInstance: 'authorized', previousState: 'authorized', reachableAgain: true, unreachableSince: at(1), polledAt: at(5) });
		expect(d[4].watch).toEqual(stored);
	});

	it('failures fewer than the limit, then a good answer: nothing at all, the count starts over', () => {
		const d = run(stored, [fail(1), fail(2), ok(3), fail(4), fail(5)], settings());
		expect(d.flatMap((x) => x.events)).toEqual([]);
		expect(d[2].watch).toEqual(stored);
		expect(d[4].watch.instances![A.idInstance].f).toEqual([2, ms(4)]);
	});

	it('coming back in another state: one stateChanged item that says it was unreachable', () => {
		const d = run(stored, [fail(1), fail(2), fail(3), ok(4, 'notAuthorized')], settings());
		expect(d[3].events).toEqual([
			expect.objectContaining({ event: 'stateChanged', stateInstance: 'notAuthorized', previousState: 'authorized', changedAt: at(4), reachableAgain: true, unreachableSince: at(1) }),
		]);
	});

	it('Unreachable After Polls 0: never reported', () => {
		const d = run(stored, [fail(1), fail(2), fail(3), fail(4), ok(5)], settings({ unreachableAfterPolls: 0 }));
		expect(d.flatMap((x) => x.events)).toEqual([]);
	});

	it('reported unreachable, then the option turned to 0: its return is not announced either', () => {
		const reported = fleet({ [A.idInstance]: { s: 'authorized', t: ms(-30), f: [3, ms(-3)], u: 1 } });
		const d = decideFleet(reported, [A], seen({ [A.idInstance]: 'authorized' }), settings({ unreachableAfterPolls: 0 }), clock(0));
		expect(d.events).toEqual([]);
		expect(d.watch.instances).toEqual({ [A.idInstance]: { s: 'authorized', t: ms(-30) } });
	});

	it('an instance first seen failing gets its baseline from its first answer, without an event', () => {
		const d = run(fleet({ [A.idInstance]: {} }), [fail(1), ok(2, 'blocked')], settings());
		expect(d.flatMap((x) => x.events)).toEqual([]);
		expect(d[1].watch.instances![A.idInstance]).toEqual({ s: 'blocked', t: ms(2) });
	});
});

describe('the instance list', () => {
	const stored = fleet({ [A.idInstance]: { s: 'authorized', t: ms(-30) }, [B.idInstance]: { s: 'yellowCard', t: ms(-5), k: 1 } });

	it('appeared, deleted and expired: one item each; the deleted and expired leave the watch', () => {
		const members = [
			{ ...A, status: 'deleted' as const },
			{ ...B, status: 'expired' as const },
			C,
			{ idInstance: '1101000099', name: 'old', typeInstance: 'whatsapp', status: 'deleted' as const },
		];
		const d = decideFleet(stored, members, seen({ [C.idInstance]: null }), settings(), clock(0));
		expect(d.events).toEqual([
			{
				event: 'instanceDeleted',
				idInstance: A.idInstance,
				name: 'Shop A',
				typeInstance: 'whatsapp',
				stateInstance: 'authorized',
				meaning: 'The instance was deleted from the partner account.',
				recommendedAction: 'none',
				previousState: 'authorized',
				changedAt: null,
				polledAt: at(0),
			},
			expect.objectContaining({ event: 'instanceExpired', idInstance: B.idInstance, stateInstance: 'yellowCard', recommendedAction: 'renew' }),
			{
				event: 'instanceAppeared',
				idInstance: C.idInstance,
				name: 'Max C',
				typeInstance: 'v3',
				stateInstance: null,
				...CREATING,
				previousState: null,
				changedAt: null,
				polledAt: at(0),
			},
		]);
		expect(d.watch).toEqual(fleet({ [C.idInstance]: { s: null, t: ms(0) } }));
	});

	it('an instance gone from the list altogether is reported deleted', () => {
		const d = decideFleet(stored, [B], seen({ [B.idInstance]: 'yellowCard' }), settings(), clock(0));
		expect(d.events).toEqual([expect.objectContaining({ event: 'instanceDeleted', idInstance: A.idInstance, previousState: 'authorized' })]);
		// Not in the list: nothing is known of its name or type.
		expect(d.events[0]).toMatchObject({ name: '', typeInstance: '' });
		expect(Object.keys(d.watch.instances!)).toEqual([B.idInstance]);
	});

	it('each list event can be switched off; the watch follows the list all the same', () => {
		const members = [{ ...A, status: 'deleted' as const }, { ...B, status: 'expired' as const }, C];
		const d = decideFleet(stored, members, seen({ [C.idInstance]: 'notAuthorized' }), settings({ appeared: false, deleted: false, expired: false }), clock(0));
		expect(d).toEqual({ events: [], watch: fleet({ [C.idInstance]: { s: 'notAuthorized', t: ms(0) } }) });
		const onlyExpired = decideFleet(stored, members, seen({}), settings({ appeared: false, deleted: false }), clock(0));
		expect(onlyExpired.events.map((e) => e.event)).toEqual(['instanceExpired']);
	});

	it('an appeared instance then changes state like any other', () => {
		const [, second] = run(
			stored,
			[
				{ members: [A, B, C], seen: seen({ [C.idInstance]: 'notAuthorized' }), minute: 0 },
				{ members: [A, B, C], seen: seen({ [C.idInstance]: 'authorized' }), minute: 1 },
			],
			settings(),
		);
		expect(second.events).toEqual([expect.objectContaining({ event: 'stateChanged', idInstance: C.idInstance, previousState: 'notAuthorized', stateInstance: 'authorized', previousStateSince: null })]);
	});
});

describe('size', () => {
	it('stores a few dozen bytes per instance and never a token or a name', () => {
		const members: FleetMember[] = Array.from({ length: 1000 }, (_, i) => ({ idInstance: String(1101000000 + i), name: `Customer ${i}`, typeInstance: 'whatsapp', status: 'live' }));
		const states = new Map<string, Sighting>(members.map((m, i) => [m.idInstance, { state: i % 2 ? 'authorized' : 'notAuthorized' }]));
		const first = decideFleet({}, members, states, settings(), clock(0));
		const changed = new Map<string, Sighting>(members.map((m) => [m.idInstance, { state: 'starting' }]));
		const second = decideFleet(first.watch, members, changed, settings(), clock(1));
		const bytes = JSON.stringify(second.watch).length / members.length;
		expect(bytes).toBeLessThan(64);
		expect(JSON.stringify(second.watch)).not.toContain('Customer');
	});
});
