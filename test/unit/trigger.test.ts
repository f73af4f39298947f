/**
 * The trigger's decision as a pure function: stored watch + what one poll saw + options + time
 * -> the items to emit and the watch to store. The engine tests (test/trigger.test.ts) prove
 * that the node feeds it from real answers and stores its result the way n8n saves static data.
 */
import { decide, DEFAULT_STUCK_MINUTES, DEFAULT_STUCK_STATE, settingsFrom, testEvent } from '../../nodes/GreenApiTrigger/decide';
import type { Observation, Settings, Watch } from '../../nodes/GreenApiTrigger/decide';

const ID = '1101000001';
const T0 = Date.parse('2026-11-23T10:00:00.000Z');
/** The ISO time `minutes` after T0. */
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
const see = (state: string, minutes: number, extra: Partial<Observation> = {}): Observation => ({
	idInstance: ID,
	stateInstance: state,
	now: new Date(T0 + minutes * 60_000),
	...extra,
});
const settings = (s: Partial<Settings> = {}): Settings => ({
	fireOn: [],
	emitInitialState: false,
	confirmPolls: 1,
	stuck: [],
	queueThreshold: null,
	...s,
});
const watching = (state: string, since: string, w: Partial<Watch> = {}): Watch => ({
	idInstance: ID,
	state,
	since,
	sinceKnown: true,
	stuckReported: false,
	...w,
});

const AUTHORIZED = { meaning: 'Linked to a phone and working.', recommendedAction: 'none' };
const STARTING = { meaning: expect.stringMatching(/^Starting or in service mode/), recommendedAction: 'wait' };
const NOT_AUTHORIZED = { meaning: expect.stringMatching(/^Not linked to a phone/), recommendedAction: 'relink' };

/** Runs polls in order from `start`, returning every decision. */
function run(start: Watch, polls: Observation[], s: Settings) {
	let watch = start;
	return polls.map((obs) => {
		const d = decide(watch, obs, s);
		watch = d.watch;
		return d;
	});
}

describe('a new watch', () => {
	it('records the first state without an event by default', () => {
		expect(decide({}, see('yellowCard', 0), settings())).toEqual({
			events: [],
			watch: { idInstance: ID, state: 'yellowCard', since: at(0), sinceKnown: false, stuckReported: false },
		});
	});

	it('emits initialState with Emit Current State on First Poll, unless Fire On States leaves the state out', () => {
		const d = decide({}, see('authorized', 0), settings({ emitInitialState: true }));
		expect(d.events).toEqual([
			{ event: 'initialState', idInstance: ID, stateInstance: 'authorized', ...AUTHORIZED, previousState: null, changedAt: null, stateSince: null, polledAt: at(0) },
		]);
		const filtered = decide({}, see('authorized', 0), settings({ emitInitialState: true, fireOn: ['blocked'] }));
		expect(filtered.events).toEqual([]);
		expect(filtered.watch).toEqual(d.watch);
	});

	it('starts over, without an event, when the credential now names another instance', () => {
		const other = { ...watching('blocked', at(-5)), idInstance: '1109999998', stuckReported: true };
		expect(decide(other, see('authorized', 0), settings())).toEqual({
			events: [],
			watch: { idInstance: ID, state: 'authorized', since: at(0), sinceKnown: false, stuckReported: false },
		});
	});
});

describe('state changes (Polls to Confirm 1, the default)', () => {
	it('no change: no event and the watch stays equal', () => {
		const stored = watching('authorized', at(-3));
		const d = decide(stored, see('authorized', 0), settings());
		expect(d).toEqual({ events: [], watch: stored });
	});

	it('a change emits stateChanged; the previous state lasted from its own change', () => {
		const d = decide(watching('authorized', at(-89)), see('notAuthorized', 0), settings());
		expect(d.events).toEqual([
			{
				event: 'stateChanged',
				idInstance: ID,
				stateInstance: 'notAuthorized',
				...NOT_AUTHORIZED,
				previousState: 'authorized',
				changedAt: at(0),
				previousStateSince: at(-89),
				previousStateDurationSeconds: 89 * 60,
			},
		]);
		expect(d.watch).toEqual(watching('notAuthorized', at(0)));
	});

	it('when the previous state began before watching, its start and duration are null', () => {
		const d = decide(watching('authorized', at(-89), { sinceKnown: false }), see('starting', 0), settings());
		expect(d.events[0]).toMatchObject({ previousState: 'authorized', previousStateSince: null, previousStateDurationSeconds: null });
	});

	it('a change Fire On States leaves out moves the watch silently; the next wanted change names it as previous', () => {
		const s = settings({ fireOn: ['blocked'] });
		const [quiet, loud] = run(watching('authorized', at(-1)), [see('quantumLocked', 0), see('blocked', 2)], s);
		expect(quiet).toEqual({ events: [], watch: watching('quantumLocked', at(0)) });
		expect(loud.events).toEqual([
			expect.objectContaining({ event: 'stateChanged', stateInstance: 'blocked', previousState: 'quantumLocked', previousStateSince: at(0), previousStateDurationSeconds: 120 }),
		]);
	});

	it('unknown states pass through with a neutral reading', () => {
		const d = decide(watching('authorized', at(-1)), see('quantumLocked', 0), settings());
		expect(d.events[0]).toMatchObject({
			stateInstance: 'quantumLocked',
			meaning: 'State "quantumLocked" is not documented yet; see the GREEN-API console.',
			recommendedAction: 'unknown',
		});
	});

	it('never changes the stored watch it was given', () => {
		const stored = watching('authorized', at(-1), { pending: { state: 'starting', since: at(-1), polls: 1 }, queue: { above: 1, since: at(-1), alerted: false } });
		const copy = JSON.parse(JSON.stringify(stored)) as Watch;
		decide(stored, see('starting', 0, { messagesCount: 500 }), settings({ confirmPolls: 2, queueThreshold: 10, stuck: [{ state: 'starting', minutes: 0 }] }));
		expect(stored).toEqual(copy);
	});
});

describe('Polls to Confirm', () => {
	const s = settings({ confirmPolls: 3 });

	it('fires on the Nth poll in a row, with times and durations from the first sighting', () => {
		const [one, two, three, four] = run(watching('authorized', at(-60)), [see('blocked', 0), see('blocked', 1), see('blocked', 2), see('blocked', 3)], s);
		expect(one).toEqual({ events: [], watch: watching('authorized', at(-60), { pending: { state: 'blocked', since: at(0), polls: 1 } }) });
		expect(two).toEqual({ events: [], watch: watching('authorized', at(-60), { pending: { state: 'blocked', since: at(0), polls: 2 } }) });
		expect(three.events).toEqual([
			{
				event: 'stateChanged',
				idInstance: ID,
				stateInstance: 'blocked',
				meaning: expect.stringMatching(/banned/),
				recommendedAction: 'appeal',
				previousState: 'authorized',
				changedAt: at(0),
				previousStateSince: at(-60),
				previousStateDurationSeconds: 3600,
				confirmedAt: at(2),
				confirmedAfterPolls: 3,
			},
		]);
		expect(three.watch).toEqual(watching('blocked', at(0)));
		expect(four).toEqual({ events: [], watch: three.watch });
	});

	it('a state that flips back in between fires nothing; if it then stays, it fires after N polls counted afresh', () => {
		const polls = [see('starting', 0), see('authorized', 1), see('starting', 2), see('starting', 3), see('starting', 4)];
		const decisions = run(watching('authorized', at(-60)), polls, s);
		expect(decisions.map((d) => d.events.length)).toEqual([0, 0, 0, 0, 1]);
		// Back in the confirmed state: nothing pending, the watch as it was stored.
		expect(decisions[1].watch).toEqual(watching('authorized', at(-60)));
		expect(decisions[4].events[0]).toMatchObject({ stateInstance: 'starting', changedAt: at(2), previousStateDurationSeconds: 62 * 60, confirmedAt: at(4) });
	});

	it('another new state replaces the pending one and starts its own count', () => {
		const [, second, third] = run(watching('authorized', at(-60)), [see('starting', 0), see('notAuthorized', 1), see('notAuthorized', 2)], settings({ confirmPolls: 2 }));
		expect(second.watch.pending).toEqual({ state: 'notAuthorized', since: at(1), polls: 1 });
		expect(third.events).toEqual([expect.objectContaining({ stateInstance: 'notAuthorized', previousState: 'authorized', changedAt: at(1), confirmedAfterPolls: 2 })]);
	});

	it('a confirmed change Fire On States leaves out is stored without an event', () => {
		const [, second] = run(watching('authorized', at(-60)), [see('starting', 0), see('starting', 1)], settings({ confirmPolls: 2, fireOn: ['blocked'] }));
		expect(second).toEqual({ events: [], watch: watching('starting', at(0)) });
	});
});

describe('stuck detection', () => {
	const rules = settings({ stuck: [{ state: 'starting', minutes: 5 }, { state: 'notAuthorized', minutes: 30 }] });

	it('fires once per state, each after its own threshold, counting from when the state was first seen', () => {
		expect(decide(watching('starting', at(-5)), see('starting', 0), rules).events).toEqual([]); // 5 is not more than 5
		const stuck = decide(watching('starting', at(-6)), see('starting', 0), rules);
		expect(stuck).toEqual({
			events: [{ event: 'stuck', idInstance: ID, stateInstance: 'starting', ...STARTING, previousState: null, changedAt: null, stateSince: at(-6), stuckForMinutes: 6 }],
			watch: watching('starting', at(-6), { stuckReported: true }),
		});
		expect(decide(stuck.watch, see('starting', 1), rules)).toEqual({ events: [], watch: stuck.watch });

		expect(decide(watching('notAuthorized', at(-29)), see('notAuthorized', 0), rules).events).toEqual([]);
		expect(decide(watching('notAuthorized', at(-45), { sinceKnown: false }), see('notAuthorized', 0), rules).events).toEqual([
			expect.objectContaining({ event: 'stuck', stateInstance: 'notAuthorized', stateSince: at(-45), stuckForMinutes: 45 }),
		]);
		// A state without a threshold is never stuck.
		expect(decide(watching('sleepMode', at(-600)), see('sleepMode', 0), rules).events).toEqual([]);
	});

	it('fires whatever Fire On States says, and again only after the state changed and came back', () => {
		const s = { ...rules, fireOn: ['blocked'] };
		const polls = [see('starting', 0), see('authorized', 1), see('starting', 2), see('starting', 8)];
		const decisions = run(watching('starting', at(-10), { stuckReported: true }), polls, s);
		expect(decisions.map((d) => d.events.map((e) => e.event))).toEqual([[], [], [], ['stuck']]);
		expect(decisions[1].watch.stuckReported).toBe(false);
		expect(decisions[3].events[0]).toMatchObject({ stateSince: at(2), stuckForMinutes: 6 });
	});

	it('a pending change away from a stuck state holds the stuck event back', () => {
		const s = { ...rules, confirmPolls: 2 };
		expect(decide(watching('starting', at(-10)), see('authorized', 0), s).events).toEqual([]);
	});

	it('a state confirmed after the threshold already passed fires its change and stuck together', () => {
		const s = { ...rules, confirmPolls: 2 };
		const [, confirmed] = run(watching('authorized', at(-60)), [see('starting', 0), see('starting', 7)], s);
		expect(confirmed.events.map((e) => e.event)).toEqual(['stateChanged', 'stuck']);
		expect(confirmed.events[1]).toMatchObject({ stateSince: at(0), stuckForMinutes: 7 });
		expect(confirmed.watch).toEqual(watching('starting', at(0), { stuckReported: true }));
	});
});

describe('messages piling up (Alert When Queue Above)', () => {
	const s = settings({ queueThreshold: 10 });

	it('off: nothing about the queue is stored, and a stored queue is dropped', () => {
		const stored = watching('authorized', at(-1), { queue: { above: 1, since: at(-1), alerted: true } });
		expect(decide(stored, see('authorized', 0, { messagesCount: 99 }), settings())).toEqual({ events: [], watch: watching('authorized', at(-1)) });
	});

	it('fires once when the count is above the threshold, again only after it drained and came back', () => {
		const counts = [10, 11, 50, 3, 12];
		const decisions = run(
			watching('notAuthorized', at(-60)),
			counts.map((messagesCount, i) => see('notAuthorized', i, { messagesCount })),
			s,
		);
		expect(decisions.map((d) => d.events.map((e) => e.event))).toEqual([[], ['messagesPilingUp'], [], [], ['messagesPilingUp']]);
		expect(decisions[1].events[0]).toEqual({
			event: 'messagesPilingUp',
			idInstance: ID,
			stateInstance: 'notAuthorized',
			...NOT_AUTHORIZED,
			messagesCount: 11,
			messagesThreshold: 10,
			aboveThresholdSince: at(1),
			polledAt: at(1),
		});
		expect(decisions.map((d) => d.watch.queue)).toEqual([
			{ above: 0, alerted: false },
			{ above: 1, since: at(1), alerted: true },
			{ above: 1, since: at(1), alerted: true },
			{ above: 0, alerted: false },
			{ above: 1, since: at(4), alerted: true },
		]);
	});

	it('with Polls to Confirm, the count must stay above for N polls; the event says since when', () => {
		const decisions = run(
			watching('authorized', at(-60)),
			[20, 30, 5, 20, 20, 20].map((messagesCount, i) => see('authorized', i, { messagesCount })),
			{ ...s, confirmPolls: 2 },
		);
		expect(decisions.map((d) => d.events.length)).toEqual([0, 1, 0, 0, 1, 0]);
		expect(decisions[1].events[0]).toMatchObject({ messagesCount: 30, aboveThresholdSince: at(0), polledAt: at(1) });
		expect(decisions[4].events[0]).toMatchObject({ messagesCount: 20, aboveThresholdSince: at(3), polledAt: at(4) });
		// Staying above does not keep changing what is stored.
		expect(decisions[5].watch).toEqual(decisions[4].watch);
	});

	it('a count that could not be read keeps what was known', () => {
		const stored = watching('authorized', at(-60), { queue: { above: 1, since: at(-1), alerted: false } });
		expect(decide(stored, see('authorized', 0), { ...s, confirmPolls: 2 })).toEqual({ events: [], watch: stored });
	});

	it('on the first poll of a watch, and together with a state change (state first)', () => {
		const first = decide({}, see('notAuthorized', 0, { messagesCount: 11 }), s);
		expect(first.events.map((e) => e.event)).toEqual(['messagesPilingUp']);
		expect(first.watch.queue).toEqual({ above: 1, since: at(0), alerted: true });
		const both = decide(watching('authorized', at(-60)), see('notAuthorized', 0, { messagesCount: 11 }), s);
		expect(both.events.map((e) => e.event)).toEqual(['stateChanged', 'messagesPilingUp']);
	});
});

describe('settingsFrom (the node parameters)', () => {
	it('defaults: every change fires at once, no stuck rules, queue alert off', () => {
		expect(settingsFrom([], {})).toEqual({ fireOn: [], emitInitialState: false, confirmPolls: 1, stuck: [], queueThreshold: null });
		expect(settingsFrom(undefined, { emitInitialState: true }).emitInitialState).toBe(true);
	});

	it('Stuck Thresholds: one rule per state', () => {
		const options = { stuckThresholds: { threshold: [{ state: 'starting', minutes: 5 }, { state: 'notAuthorized', minutes: 30 }] } };
		expect(settingsFrom([], options).stuck).toEqual([{ state: 'starting', minutes: 5 }, { state: 'notAuthorized', minutes: 30 }]);
		expect(settingsFrom([], { stuckThresholds: { threshold: [{ state: 'sleepMode' }] } }).stuck).toEqual([{ state: 'sleepMode', minutes: 5 }]);
	});

	it('values that cannot work are errors naming the option', () => {
		expect(() => settingsFrom([], { confirmPolls: 0 })).toThrow('Polls to Confirm must be a whole number of at least 1, got 0');
		expect(() => settingsFrom([], { confirmPolls: 1.5 })).toThrow('Polls to Confirm must be a whole number of at least 1, got 1.5');
		expect(() => settingsFrom([], { queueThreshold: -1 })).toThrow('Alert When Queue Above must be a number of at least 0, got -1');
		expect(() => settingsFrom([], { stuckThresholds: { threshold: [{ state: 'starting' }, { state: 'starting', minutes: 9 }] } })).toThrow(
			'Stuck Thresholds lists "starting" more than once',
		);
		expect(() => settingsFrom([], { stuckThresholds: { threshold: [{ state: '', minutes: 9 }] } })).toThrow('Stuck Thresholds, entry 1: choose a state');
		expect(() => settingsFrom([], { stuckThresholds: { threshold: [{ state: 'starting', minutes: Number.NaN }] } })).toThrow(
			'Stuck Thresholds, entry 1: Minutes must be a number of at least 0, got null',
		);
		expect(() => settingsFrom([], { stuckThresholds: { threshold: [{ state: 'starting', minutes: 5 }, { state: 'blocked', minutes: -1 }] } })).toThrow(
			'Stuck Thresholds, entry 2: Minutes must be a number of at least 0, got -1',
		);
	});

	it('Stuck Thresholds: a state must be chosen (blank or from an expression with spaces); minutes may be a fraction', () => {
		expect(() => settingsFrom([], { stuckThresholds: { threshold: [{ minutes: 9 }] } })).toThrow('Stuck Thresholds, entry 1: choose a state');
		expect(() => settingsFrom([], { stuckThresholds: { threshold: [{ state: '  ', minutes: 9 }] } })).toThrow('Stuck Thresholds, entry 1: choose a state');
		expect(settingsFrom([], { stuckThresholds: { threshold: [{ state: ' starting ', minutes: 0.5 }] } }).stuck).toEqual([{ state: 'starting', minutes: 0.5 }]);
	});

	it("a new Stuck Thresholds row starts as GREEN-API's own rule: starting for more than 5 minutes needs a reboot", () => {
		expect(settingsFrom([], { stuckThresholds: { threshold: [{ state: DEFAULT_STUCK_STATE, minutes: DEFAULT_STUCK_MINUTES }] } }).stuck).toEqual([
			{ state: 'starting', minutes: 5 },
		]);
	});

	it('Fire On States left out means every state', () => {
		expect(settingsFrom(undefined, {}).fireOn).toEqual([]);
	});
});

describe('the test event ("Fetch Test Event")', () => {
	const TEST_KEYS = [
		'event', 'idInstance', 'stateInstance', 'meaning', 'recommendedAction',
		'previousState', 'changedAt', 'previousStateSince', 'previousStateDurationSeconds', 'confirmedAt', 'confirmedAfterPolls',
		'stateSince', 'stuckForMinutes',
		'messagesCount', 'messagesThreshold', 'aboveThresholdSince',
		'polledAt',
	].sort();

	it('has every field any real event can have', () => {
		// One of each event, from the paths above.
		const s = settings({ confirmPolls: 2, emitInitialState: true, queueThreshold: 0, stuck: [{ state: 'starting', minutes: 1 }] });
		const real = [
			...decide({}, see('starting', 0, { messagesCount: 1 }), s).events,
			...run(watching('authorized', at(-9)), [see('starting', 0, { messagesCount: 1 }), see('starting', 9, { messagesCount: 1 })], s).flatMap((d) => d.events),
		];
		expect(real.map((e) => e.event).sort()).toEqual(['initialState', 'messagesPilingUp', 'stateChanged', 'stuck']);
		const realKeys = [...new Set(real.flatMap((e) => Object.keys(e)))].sort();
		const test = testEvent({}, see('starting', 0), settings());
		expect(Object.keys(test).sort()).toEqual(TEST_KEYS);
		expect(realKeys.filter((k) => !TEST_KEYS.includes(k))).toEqual([]);
	});

	it('says it is the current state, with null where a single look cannot know', () => {
		expect(testEvent({}, see('starting', 0), settings())).toEqual({
			event: 'currentState',
			idInstance: ID,
			stateInstance: 'starting',
			...STARTING,
			previousState: null,
			changedAt: null,
			previousStateSince: null,
			previousStateDurationSeconds: null,
			confirmedAt: null,
			confirmedAfterPolls: null,
			stateSince: null,
			stuckForMinutes: null,
			messagesCount: null,
			messagesThreshold: null,
			aboveThresholdSince: null,
			polledAt: at(0),
		});
	});

	it('uses what an active workflow of this node remembers about this instance, and the count when the queue alert is on', () => {
		const stored = watching('starting', at(-30));
		expect(testEvent(stored, see('starting', 0, { messagesCount: 7 }), settings({ queueThreshold: 10 }))).toMatchObject({
			previousState: 'starting',
			stateSince: at(-30),
			messagesCount: 7,
			messagesThreshold: 10,
		});
		expect(testEvent(stored, see('authorized', 0), settings())).toMatchObject({ previousState: 'starting', stateSince: null });
		expect(testEvent({ ...stored, idInstance: '1109999998' }, see('starting', 0), settings())).toMatchObject({ previousState: null, stateSince: null });
	});
});
