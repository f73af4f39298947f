/**
 * The GREEN-API Trigger run through n8n-core's real poll path (PollContext + PollTriggerExecutor
 * in trigger mode, WorkflowExecute in manual mode) against the sandbox over real HTTP, with the
 * workflow's static data round-tripped the way n8n stores it.
 *
 * The transport paces getStateInstance at 1 request/s per instance (process-wide), and each test
 * uses its own instance. The nodes and the sandbox run on a virtual clock (harness/clock.ts): the
 * pacer's second between two polls and the retries' backoff are still there, in virtual time,
 * without being waited out. Timestamps are checked against that clock.
 */
import { useSkipClock } from './harness/clock';
import { findSecret, logs } from './harness/engine';
import type { PollRunResult } from './harness/engine';
import { expectNoToken as expectNoSecret } from './harness/expect';
import { credentialsFor, makeToken, pollTrigger, startSandbox } from './fixtures';
import type { Fault, InstanceDef, Sandbox, SandboxStats } from './fixtures';
import type { IDataObject, INodeParameters, WorkflowActivateMode } from 'n8n-workflow';

/** What the trigger keeps in the workflow's static data (see GreenApiTrigger.node.ts). */
interface Watch {
	idInstance: string;
	state: string;
	since: string;
	sinceKnown: boolean;
	stuckReported: boolean;
}

/** n8n keys a node's static data by the node's name. */
const KEY = 'node:GREEN-API Trigger';

let nextId = 1102000000;
const defs: InstanceDef[] = [];
function instance(seed: string, stateInstance: string | null = 'authorized'): InstanceDef {
	const def: InstanceDef = { idInstance: String(++nextId), apiTokenInstance: makeToken(seed), stateInstance };
	defs.push(def);
	return def;
}

const basic = instance('b001');
const flapping = instance('b002');
const filtered = instance('b003');
const firstQuiet = instance('b004', 'yellowCard');
const firstLoud = instance('b005', 'yellowCard');
const firstFiltered = instance('b006', 'yellowCard');
const manual = instance('b007', 'starting');
const stuck = instance('b008', 'starting');
const notStuck = instance('b009', 'starting');
const stuckCustom = instance('b010', 'notAuthorized');
const stuckDefault = instance('b021', 'starting');
const restart = instance('b011');
const restartFiltered = instance('b012');
const switched = instance('b013');
/** One instance per retried failure kind (they run side by side) and per other failure kind. */
const retried = Array.from({ length: 5 }, (_, i) => instance(`c${i}c${i}`, 'starting'));
const failingOnce = Array.from({ length: 4 }, (_, i) => instance(`e${i}e${i}`, 'starting'));
const creating = instance('b015', null);
const nullBody = instance('b016');
const noState = instance('b020', 'starting');
const refused = instance('b017', 'starting');
const denied = [instance('b018'), instance('b118'), instance('b218')];
const manualFail = [instance('b019'), instance('b119')];
const confirming = instance('b022');
const confirmRestart = instance('b023');
const thresholds = instance('b024', 'notAuthorized');
/** The sandbox adds `queueGrowth` messages before each getMessagesCount answer, and sends them all once authorized. */
const piling = Object.assign(instance('b025', 'notAuthorized'), { queueGrowth: 6 });
const queueFaults = Object.assign(instance('b026', 'notAuthorized'), { queue: 50 });
const manualQueue = Object.assign(instance('b027', 'yellowCard'), { queue: 3, countKey: 'count' });
const WRONG_TOKEN = 'ffffeeeeddddccccbbbbaaaa99998888777766665555444433';

const clock = useSkipClock();
let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ instances: defs, now: clock.now });
});
afterAll(async () => await sandbox.close());
beforeEach(() => {
	sandbox.reset();
	logs.clear();
});

interface Poll extends PollRunResult {
	mode: 'manual' | 'trigger';
	/** Epoch ms (virtual) just before and just after the poll. */
	before: number;
	after: number;
}

async function poll(
	inst: InstanceDef,
	o: {
		parameters?: INodeParameters;
		staticData?: IDataObject;
		mode?: 'manual' | 'trigger';
		activation?: boolean;
		activationMode?: WorkflowActivateMode;
		credentials?: Partial<InstanceDef> & { apiUrl?: string };
	} = {},
): Promise<Poll> {
	const credentials = credentialsFor(sandbox, inst);
	if (o.credentials) Object.assign(credentials.greenApi, o.credentials);
	const mode = o.mode ?? 'trigger';
	const before = clock.now();
	const result = await pollTrigger(credentials, o.parameters ?? {}, {
		mode,
		staticData: o.staticData,
		activation: o.activation,
		activationMode: o.activationMode,
	});
	return { ...result, mode, before, after: clock.now() };
}

function watchOf(result: PollRunResult): Watch {
	return result.staticData[KEY] as unknown as Watch;
}

function stored(watch: Watch): IDataObject {
	return { [KEY]: watch as unknown as IDataObject };
}

function minutesAgo(minutes: number): string {
	return new Date(clock.now() - minutes * 60_000).toISOString();
}

/** An ISO timestamp taken during the poll. */
function expectDuring(value: unknown, p: Poll): string {
	expect(value).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
	const at = Date.parse(value as string);
	expect(at).toBeGreaterThanOrEqual(p.before);
	expect(at).toBeLessThanOrEqual(p.after);
	return value as string;
}

/** The single item a poll emitted (in a manual run, WorkflowExecute adds pairedItem). */
function only(p: Poll): IDataObject {
	expect(p.error).toBeUndefined();
	expect(p.result).toHaveLength(1);
	expect(p.result![0]).toHaveLength(1);
	const [item] = p.result![0];
	if (p.mode === 'manual') expect(Object.keys(item).sort()).toEqual(['json', 'pairedItem']);
	else expect(Object.keys(item)).toEqual(['json']);
	return item.json;
}

/** Nothing emitted, nothing failed. */
function expectQuiet(p: PollRunResult): void {
	expect(p.error).toBeUndefined();
	expect(p.result).toBeNull();
}

function seconds(fromIso: string, toIso: string): number {
	return Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000);
}

type Stats = SandboxStats & { byInstance: Record<string, { requests: number; byStatus: Record<string, number> }> };
function statsOf(inst: InstanceDef): { requests: number; byStatus: Record<string, number> } {
	return (sandbox.stats() as Stats).byInstance[inst.idInstance] ?? { requests: 0, byStatus: {} };
}

/**
 * Each of `polls` polls got its answer from getStateInstance with one request. The transport
 * paces an instance at 1.05 s per request; on the virtual clock a request reaches the sandbox at
 * the time of its turn, so the sandbox's limiter (1 per second) never answers 429.
 */
function expectPolled(inst: InstanceDef, polls: number): void {
	const { requests, byStatus } = statsOf(inst);
	expect(byStatus).toEqual({ '200': polls });
	expect(requests).toBe(polls);
}

const ALL_TOKENS = () => [...defs.map((d) => d.apiTokenInstance), WRONG_TOKEN];

/** No token in the poll result (error, items, static data, run) nor in anything n8n logged. */
const expectNoToken = (p: PollRunResult): void => expectNoSecret(p, ALL_TOKENS());

const MEANING = {
	authorized: { meaning: 'Linked to a phone and working.', recommendedAction: 'none' },
	starting: { meaning: expect.stringMatching(/Starting .*longer, reboot the instance/), recommendedAction: 'wait' },
	blocked: { meaning: expect.stringMatching(/banned: appeal with the Unban operation/), recommendedAction: 'appeal' },
	notAuthorized: { meaning: expect.stringMatching(/scan the QR code/), recommendedAction: 'relink' },
	yellowCard: { meaning: expect.stringMatching(/suspended for suspected spam.*Reboot/), recommendedAction: 'reboot' },
	suspended: { meaning: expect.stringMatching(/Temporarily restricted/), recommendedAction: 'wait' },
	quantumLocked: { meaning: 'State "quantumLocked" is not documented yet; see the GREEN-API console.', recommendedAction: 'unknown' },
};

describe('state changes', () => {
	it('authorized -> starting -> authorized: the activation poll records, each change emits one item, no change emits nothing', async () => {
		const id = basic.idInstance;
		sandbox.scriptStates(id, ['authorized', 'starting', 'authorized']);

		const first = await poll(basic, { activation: true, staticData: {} });
		expectQuiet(first);
		const since = expectDuring(watchOf(first).since, first);
		expect(first.staticData).toEqual(stored({ idInstance: id, state: 'authorized', since, sinceKnown: false, stuckReported: false }));
		expect(first.persisted).toBe(true);

		const second = await poll(basic, { staticData: first.staticData });
		const toStarting = only(second);
		const changedAt = expectDuring(toStarting.changedAt, second);
		expect(toStarting).toEqual({
			event: 'stateChanged',
			idInstance: id,
			stateInstance: 'starting',
			...MEANING.starting,
			previousState: 'authorized',
			changedAt,
			// Watching began at activation: when "authorized" began is not known.
			previousStateSince: null,
			previousStateDurationSeconds: null,
		});
		expect(second.staticData).toEqual(stored({ idInstance: id, state: 'starting', since: changedAt, sinceKnown: true, stuckReported: false }));
		expect(second.persisted).toBe(true);

		const third = await poll(basic, { staticData: second.staticData });
		const back = only(third);
		const backAt = expectDuring(back.changedAt, third);
		expect(back).toEqual({
			event: 'stateChanged',
			idInstance: id,
			stateInstance: 'authorized',
			...MEANING.authorized,
			previousState: 'starting',
			changedAt: backAt,
			previousStateSince: changedAt,
			previousStateDurationSeconds: seconds(changedAt, backAt),
		});
		// Polls of one instance are at least a second apart (GREEN-API's rate limit).
		expect(back.previousStateDurationSeconds).toBeGreaterThanOrEqual(1);
		expect(third.staticData).toEqual(stored({ idInstance: id, state: 'authorized', since: backAt, sinceKnown: true, stuckReported: false }));

		const fourth = await poll(basic, { staticData: third.staticData });
		expectQuiet(fourth);
		expect(fourth.staticData).toEqual(third.staticData);
		expect(fourth.staticDataChanged).toBe(false);
		expect(fourth.persisted).toBe(false);

		expectPolled(basic, 4);
	});

	it('flapping across consecutive polls: every change is one event naming the state it replaced; unknown states pass through', async () => {
		const id = flapping.idInstance;
		const since = minutesAgo(2);
		sandbox.scriptStates(id, ['starting', 'authorized', 'starting', 'suspended', 'quantumLocked']);
		let staticData = stored({ idInstance: id, state: 'authorized', since, sinceKnown: true, stuckReported: false });

		const events: IDataObject[] = [];
		const expected: IDataObject[] = [];
		let previous = { state: 'authorized', since };
		for (const state of ['starting', 'authorized', 'starting', 'suspended', 'quantumLocked'] as const) {
			const p = await poll(flapping, { parameters: { states: [] }, staticData });
			const item = only(p);
			const changedAt = expectDuring(item.changedAt, p);
			events.push(item);
			expected.push({
				event: 'stateChanged',
				idInstance: id,
				stateInstance: state,
				...MEANING[state],
				previousState: previous.state,
				changedAt,
				previousStateSince: previous.since,
				previousStateDurationSeconds: seconds(previous.since, changedAt),
			});
			expect(p.persisted).toBe(true);
			expect(watchOf(p)).toEqual({ idInstance: id, state, since: changedAt, sinceKnown: true, stuckReported: false });
			previous = { state, since: changedAt };
			staticData = p.staticData;
		}
		expect(events).toEqual(expected);
		expect(events[0].previousStateDurationSeconds).toBeGreaterThanOrEqual(119);
		expectPolled(flapping, 5);
	});
});

describe('Fire On States', () => {
	it('fires only on the chosen new states; the others, new unknown states included, are recorded silently', async () => {
		const id = filtered.idInstance;
		const parameters = { states: ['blocked', 'notAuthorized'] };
		sandbox.scriptStates(id, ['starting', 'blocked', 'quantumLocked', 'notAuthorized']);
		const since = minutesAgo(1);

		const toStarting = await poll(filtered, { parameters, staticData: stored({ idInstance: id, state: 'authorized', since, sinceKnown: true, stuckReported: false }) });
		expectQuiet(toStarting);
		const startingSince = expectDuring(watchOf(toStarting).since, toStarting);
		expect(watchOf(toStarting)).toEqual({ idInstance: id, state: 'starting', since: startingSince, sinceKnown: true, stuckReported: false });
		// Changed in memory, but n8n does not save static data after a poll that emitted nothing.
		expect(toStarting.staticDataChanged).toBe(true);
		expect(toStarting.persisted).toBe(false);

		const toBlocked = await poll(filtered, { parameters, staticData: toStarting.staticData });
		const blocked = only(toBlocked);
		const blockedAt = expectDuring(blocked.changedAt, toBlocked);
		expect(blocked).toEqual({
			event: 'stateChanged',
			idInstance: id,
			stateInstance: 'blocked',
			...MEANING.blocked,
			// The last state seen, not the last one emitted.
			previousState: 'starting',
			changedAt: blockedAt,
			previousStateSince: startingSince,
			previousStateDurationSeconds: seconds(startingSince, blockedAt),
		});

		const toUnknown = await poll(filtered, { parameters, staticData: toBlocked.staticData });
		expectQuiet(toUnknown);
		expect(watchOf(toUnknown).state).toBe('quantumLocked');

		const toNotAuthorized = await poll(filtered, { parameters, staticData: toUnknown.staticData });
		expect(only(toNotAuthorized)).toMatchObject({
			event: 'stateChanged',
			stateInstance: 'notAuthorized',
			...MEANING.notAuthorized,
			previousState: 'quantumLocked',
			previousStateSince: watchOf(toUnknown).since,
		});
		expectPolled(filtered, 4);
	});
});

describe('first poll', () => {
	it('trigger mode, by default: the activation poll only records the current state', async () => {
		const p = await poll(firstQuiet, { activation: true, staticData: {} });
		expectQuiet(p);
		expect(p.staticData).toEqual(
			stored({ idInstance: firstQuiet.idInstance, state: 'yellowCard', since: expectDuring(watchOf(p).since, p), sinceKnown: false, stuckReported: false }),
		);
		expect(p.persisted).toBe(true);
		expectPolled(firstQuiet, 1);
	});

	it('trigger mode with Emit Current State on First Poll: the activation poll emits it, a reactivation does not repeat it', async () => {
		const parameters = { options: { emitInitialState: true } };
		const p = await poll(firstLoud, { parameters, activation: true, staticData: {} });
		const item = only(p);
		const polledAt = expectDuring(item.polledAt, p);
		expect(item).toEqual({
			event: 'initialState',
			idInstance: firstLoud.idInstance,
			stateInstance: 'yellowCard',
			...MEANING.yellowCard,
			previousState: null,
			changedAt: null,
			stateSince: null,
			polledAt,
		});
		expect(p.staticData).toEqual(
			stored({ idInstance: firstLoud.idInstance, state: 'yellowCard', since: polledAt, sinceKnown: false, stuckReported: false }),
		);
		expect(p.persisted).toBe(true);

		const again = await poll(firstLoud, { parameters, activation: true, activationMode: 'activate', staticData: p.staticData });
		expectQuiet(again);
		expect(again.staticData).toEqual(p.staticData);
		expect(again.staticDataChanged).toBe(false);
		expectPolled(firstLoud, 2);
	});

	it('Emit Current State on First Poll respects Fire On States, and still records the state', async () => {
		const p = await poll(firstFiltered, { parameters: { states: ['blocked'], options: { emitInitialState: true } }, activation: true, staticData: {} });
		expectQuiet(p);
		expect(watchOf(p)).toMatchObject({ idInstance: firstFiltered.idInstance, state: 'yellowCard', sinceKnown: false });
		expect(p.persisted).toBe(true);
	});

	it('manual mode ("Fetch Test Event") returns the current state at once, whatever the options, and leaves the watch alone', async () => {
		const id = manual.idInstance;
		const quietOptions = { states: ['blocked'], options: { emitInitialState: false } };

		const fresh = await poll(manual, { mode: 'manual', parameters: quietOptions, staticData: {} });
		const item = only(fresh);
		// Every field a real event can have, null where one look cannot know it (mappable in the editor).
		expect(item).toEqual({
			event: 'currentState',
			idInstance: id,
			stateInstance: 'starting',
			...MEANING.starting,
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
			polledAt: expectDuring(item.polledAt, fresh),
		});
		// n8n never saves static data after a manual run; the node does not even touch it.
		expect(fresh.staticDataChanged).toBe(false);
		expect(fresh.run?.status).toBe('success');

		// An active workflow watching the same instance recorded "authorized"; the instance now says "starting".
		const watch: Watch = { idInstance: id, state: 'authorized', since: minutesAgo(30), sinceKnown: true, stuckReported: false };
		const differs = await poll(manual, { mode: 'manual', parameters: quietOptions, staticData: stored(watch) });
		expect(only(differs)).toMatchObject({ event: 'currentState', stateInstance: 'starting', previousState: 'authorized', stateSince: null });
		expect(differs.staticData).toEqual(stored(watch));
		expect(differs.staticDataChanged).toBe(false);

		const same: Watch = { ...watch, state: 'starting' };
		const unchanged = await poll(manual, { mode: 'manual', staticData: stored(same) });
		expect(only(unchanged)).toMatchObject({ event: 'currentState', stateInstance: 'starting', previousState: 'starting', stateSince: same.since });
		expect(unchanged.staticData).toEqual(stored(same));
		expectPolled(manual, 3);
	});
});

describe('stuck detection', () => {
	it('fires once when the state outlasts the threshold, and again only after it changed and came back', async () => {
		const id = stuck.idInstance;
		const parameters = { options: { stuckThresholds: { threshold: [{ state: 'starting', minutes: 5 }] } } };
		sandbox.scriptStates(id, ['starting', 'starting', 'authorized', 'starting', 'starting']);
		const since = minutesAgo(10);

		const first = await poll(stuck, { parameters, staticData: stored({ idInstance: id, state: 'starting', since, sinceKnown: true, stuckReported: false }) });
		expect(only(first)).toEqual({
			event: 'stuck',
			idInstance: id,
			stateInstance: 'starting',
			...MEANING.starting,
			previousState: null,
			changedAt: null,
			stateSince: since,
			stuckForMinutes: 10,
		});
		expect(first.staticData).toEqual(stored({ idInstance: id, state: 'starting', since, sinceKnown: true, stuckReported: true }));
		expect(first.persisted).toBe(true);

		const second = await poll(stuck, { parameters, staticData: first.staticData });
		expectQuiet(second);
		expect(second.staticDataChanged).toBe(false);

		const recovered = await poll(stuck, { parameters, staticData: second.staticData });
		const recovery = only(recovered);
		expect(recovery).toMatchObject({ event: 'stateChanged', stateInstance: 'authorized', previousState: 'starting', previousStateSince: since });
		expect(recovery.previousStateDurationSeconds).toBe(seconds(since, recovery.changedAt as string));
		expect(watchOf(recovered)).toMatchObject({ state: 'authorized', stuckReported: false });

		const restarted = await poll(stuck, { parameters, staticData: recovered.staticData });
		const startedAt = only(restarted).changedAt as string;
		expect(watchOf(restarted)).toEqual({ idInstance: id, state: 'starting', since: startedAt, sinceKnown: true, stuckReported: false });

		// Six minutes pass in "starting" (what n8n would have stored, with an older since).
		const later = stored({ ...watchOf(restarted), since: minutesAgo(6) });
		const again = await poll(stuck, { parameters, staticData: later });
		expect(only(again)).toMatchObject({ event: 'stuck', stateInstance: 'starting', stuckForMinutes: 6 });
		expect(watchOf(again).stuckReported).toBe(true);
		expectPolled(stuck, 5);
	});

	it('does not fire before the threshold, for another Stuck State, or when the option is not set', async () => {
		const id = notStuck.idInstance;
		const cases: Array<[string, INodeParameters, number]> = [
			['4 of 5 minutes', { options: { stuckThresholds: { threshold: [{ state: 'starting', minutes: 5 }] } } }, 4],
			['watching sleepMode', { options: { stuckThresholds: { threshold: [{ state: 'sleepMode', minutes: 5 }] } } }, 60],
			['option not set', { options: {} }, 60],
		];
		for (const [name, parameters, minutes] of cases) {
			const watch: Watch = { idInstance: id, state: 'starting', since: minutesAgo(minutes), sinceKnown: true, stuckReported: false };
			const p = await poll(notStuck, { parameters, staticData: stored(watch) });
			expect({ name, result: p.result, error: p.error }).toEqual({ name, result: null, error: undefined });
			expect(p.staticData).toEqual(stored(watch));
			expect(p.staticDataChanged).toBe(false);
		}
		expectPolled(notStuck, 3);
	});

	it('watches a chosen state; when its start is unknown it counts from when watching began', async () => {
		const id = stuckCustom.idInstance;
		const since = minutesAgo(45);
		const watch: Watch = { idInstance: id, state: 'notAuthorized', since, sinceKnown: false, stuckReported: false };
		const p = await poll(stuckCustom, { parameters: { options: { stuckThresholds: { threshold: [{ state: 'notAuthorized', minutes: 30 }] } } }, staticData: stored(watch) });
		expect(only(p)).toEqual({
			event: 'stuck',
			idInstance: id,
			stateInstance: 'notAuthorized',
			...MEANING.notAuthorized,
			previousState: null,
			changedAt: null,
			stateSince: since,
			stuckForMinutes: 45,
		});
		expect(p.staticData).toEqual(stored({ ...watch, stuckReported: true }));
	});
});

describe('stuck detection defaults', () => {
	it('a threshold without Minutes fires after the default 5 minutes', async () => {
		const id = stuckDefault.idInstance;
		const parameters = { options: { stuckThresholds: { threshold: [{ state: 'starting' }] } } };
		const young: Watch = { idInstance: id, state: 'starting', since: minutesAgo(4), sinceKnown: true, stuckReported: false };
		const notYet = await poll(stuckDefault, { parameters, staticData: stored(young) });
		expect(notYet.result).toBeNull();
		const old: Watch = { ...young, since: minutesAgo(6) };
		const fired = await poll(stuckDefault, { parameters, staticData: stored(old) });
		expect(only(fired)).toMatchObject({ event: 'stuck', stateInstance: 'starting', stuckForMinutes: 6 });
		expectPolled(stuckDefault, 2);
	});
});

describe('Polls to Confirm', () => {
	it('a state that flips back fires nothing; one that stays fires once confirmed, timed from its first sighting', async () => {
		const id = confirming.idInstance;
		const parameters = { options: { confirmPolls: 2 } };
		const since = minutesAgo(3);
		sandbox.scriptStates(id, ['starting', 'authorized', 'starting', 'starting', 'starting']);
		const start = stored({ idInstance: id, state: 'authorized', since, sinceKnown: true, stuckReported: false });

		const blip = await poll(confirming, { parameters, staticData: start });
		expectQuiet(blip);
		expect(watchOf(blip)).toMatchObject({ state: 'authorized', pending: { state: 'starting', polls: 1 } });
		expect(blip.persisted).toBe(false);

		const back = await poll(confirming, { parameters, staticData: blip.staticData });
		expectQuiet(back);
		expect(back.staticData).toEqual(start); // the blip is forgotten

		const firstSighting = await poll(confirming, { parameters, staticData: back.staticData });
		expectQuiet(firstSighting);
		const seenAt = expectDuring((watchOf(firstSighting) as Watch & { pending: { since: string } }).pending.since, firstSighting);

		const confirmed = await poll(confirming, { parameters, staticData: firstSighting.staticData });
		const item = only(confirmed);
		expect(item).toEqual({
			event: 'stateChanged',
			idInstance: id,
			stateInstance: 'starting',
			...MEANING.starting,
			previousState: 'authorized',
			changedAt: seenAt,
			previousStateSince: since,
			previousStateDurationSeconds: seconds(since, seenAt),
			confirmedAt: expectDuring(item.confirmedAt, confirmed),
			confirmedAfterPolls: 2,
		});
		expect(confirmed.staticData).toEqual(stored({ idInstance: id, state: 'starting', since: seenAt, sinceKnown: true, stuckReported: false }));
		expect(confirmed.persisted).toBe(true);

		const after = await poll(confirming, { parameters, staticData: confirmed.staticData });
		expectQuiet(after);
		expect(after.staticDataChanged).toBe(false);
		expectPolled(confirming, 5);
	});

	it('across a restart a pending state is neither lost nor repeated: counted afresh from the saved watch, fired once', async () => {
		const id = confirmRestart.idInstance;
		const parameters = { options: { confirmPolls: 2 } };
		const saved = stored({ idInstance: id, state: 'authorized', since: minutesAgo(3), sinceKnown: true, stuckReported: false });
		sandbox.setState(id, 'blocked');

		const pending = await poll(confirmRestart, { parameters, staticData: saved });
		expectQuiet(pending);
		expect(pending.persisted).toBe(false); // in memory only: lost when n8n stops

		// n8n restarts from what it saved; the activation poll sees "blocked" again and saves that sighting.
		const restarted = await poll(confirmRestart, { parameters, activation: true, activationMode: 'init', staticData: saved });
		expectQuiet(restarted);
		expect(watchOf(restarted)).toMatchObject({ state: 'authorized', pending: { state: 'blocked', polls: 1 } });
		expect(restarted.persisted).toBe(true);

		const fired = await poll(confirmRestart, { parameters, staticData: restarted.staticData });
		expect(only(fired)).toMatchObject({ event: 'stateChanged', stateInstance: 'blocked', previousState: 'authorized', confirmedAfterPolls: 2 });

		const again = await poll(confirmRestart, { parameters, activation: true, activationMode: 'init', staticData: fired.staticData });
		expectQuiet(again);
		expectPolled(confirmRestart, 4);
	});
});

describe('Stuck Thresholds (several states, each with its own threshold)', () => {
	it('fires for the state the instance is in once past its own threshold; the option reaches the decision from a real poll', async () => {
		const id = thresholds.idInstance;
		const parameters = {
			options: { stuckThresholds: { threshold: [{ state: 'starting', minutes: 5 }, { state: 'notAuthorized', minutes: 30 }] } },
		};
		const young: Watch = { idInstance: id, state: 'notAuthorized', since: minutesAgo(20), sinceKnown: true, stuckReported: false };
		const notYet = await poll(thresholds, { parameters, staticData: stored(young) });
		expectQuiet(notYet); // 20 minutes: past the 5 of starting, not the 30 of notAuthorized

		const old: Watch = { ...young, since: minutesAgo(31) };
		const fired = await poll(thresholds, { parameters, staticData: stored(old) });
		expect(only(fired)).toEqual({
			event: 'stuck',
			idInstance: id,
			stateInstance: 'notAuthorized',
			...MEANING.notAuthorized,
			previousState: null,
			changedAt: null,
			stateSince: old.since,
			stuckForMinutes: 31,
		});
		expect(fired.staticData).toEqual(stored({ ...old, stuckReported: true }));
		expect(fired.persisted).toBe(true);
		expectPolled(thresholds, 2);
	});

	it('an option that cannot work fails the poll with an error naming it, before any request', async () => {
		const parameters = { options: { stuckThresholds: { threshold: [{ state: 'starting', minutes: 5 }, { state: 'starting', minutes: 9 }] } } };
		const p = await poll(thresholds, { parameters, staticData: {} });
		expect(p.result).toBeNull();
		expect(p.error?.message).toBe('Stuck Thresholds lists "starting" more than once');
		expect(statsOf(thresholds).requests).toBe(0);
	});
});

describe('Alert When Queue Above (getMessagesCount)', () => {
	/** Answered requests per method (a paced request can still meet a 429 on a busy machine and be retried). */
	function answered(): Record<string, number> {
		return Object.fromEntries(Object.entries(sandbox.stats().byMethod).map(([method, m]) => [method, m.ok]));
	}

	it('fires when the queue is above the threshold, not again while it stays, again after it drained and came back', async () => {
		const id = piling.idInstance;
		const parameters = { options: { queueThreshold: 10 } };
		const since = minutesAgo(3);
		let staticData = stored({ idInstance: id, state: 'notAuthorized', since, sinceKnown: true, stuckReported: false });
		const next = async () => {
			const p = await poll(piling, { parameters, staticData });
			staticData = p.staticData;
			return p;
		};

		const six = await next();
		expectQuiet(six);
		expect(watchOf(six)).toMatchObject({ queue: { above: 0, alerted: false } });

		const twelve = await next();
		const alert = only(twelve);
		const polledAt = expectDuring(alert.polledAt, twelve);
		expect(alert).toEqual({
			event: 'messagesPilingUp',
			idInstance: id,
			stateInstance: 'notAuthorized',
			...MEANING.notAuthorized,
			messagesCount: 12,
			messagesThreshold: 10,
			aboveThresholdSince: polledAt,
			polledAt,
		});
		expect(twelve.persisted).toBe(true);

		expectQuiet(await next()); // 18: still above, already reported

		// Re-linked: the sandbox sends the queue; the state change fires, the count is 0.
		sandbox.setState(id, 'authorized');
		const drained = await next();
		expect(only(drained)).toMatchObject({ event: 'stateChanged', stateInstance: 'authorized', previousState: 'notAuthorized' });
		expect(watchOf(drained)).toMatchObject({ queue: { above: 0, alerted: false } });

		sandbox.setState(id, 'notAuthorized');
		const unlinked = await next(); // 6 again
		expect(unlinked.result?.[0].map((i) => i.json.event)).toEqual(['stateChanged']);
		const again = await next(); // 12
		expect(only(again)).toMatchObject({ event: 'messagesPilingUp', messagesCount: 12 });

		// The cost: one getMessagesCount per poll, next to each getStateInstance.
		expect(answered()).toEqual({ getStateInstance: 6, getMessagesCount: 6 });
		expectNoToken(again);
	});

	it('a count that fails or cannot be read is skipped with a warning; the state is still handled and the alert comes later', async () => {
		const id = queueFaults.idInstance;
		const parameters = { options: { queueThreshold: 10 } };
		const watch: Watch = { idInstance: id, state: 'authorized', since: minutesAgo(3), sinceKnown: true, stuckReported: false };
		// A passing failure of the state emits nothing, stores nothing and skips the count.
		sandbox.injectFault({ idInstance: id, method: 'getStateInstance', kind: 'status', status: 500, body: 'Internal Server Error' });
		const sitOut = await poll(queueFaults, { parameters, staticData: stored(watch) });
		expectQuiet(sitOut);
		expect(sitOut.staticDataChanged).toBe(false);
		expect(sandbox.stats().byMethod).not.toHaveProperty('getMessagesCount');

		sandbox.injectFault({ idInstance: id, method: 'getMessagesCount', kind: 'status', status: 500, body: 'Internal Server Error' });
		sandbox.injectFault({ idInstance: id, method: 'getMessagesCount', kind: 'status', status: 200, body: { Count: 50 } });

		const failed = await poll(queueFaults, { parameters, staticData: sitOut.staticData });
		// The state change from the same poll still fires; the queue is left as it was (unknown).
		expect(only(failed)).toMatchObject({ event: 'stateChanged', stateInstance: 'notAuthorized', previousState: 'authorized' });
		expect(watchOf(failed)).not.toHaveProperty('queue');

		const unreadable = await poll(queueFaults, { parameters, staticData: failed.staticData });
		expectQuiet(unreadable);
		expect(unreadable.staticData).toEqual(failed.staticData);

		const read = await poll(queueFaults, { parameters, staticData: unreadable.staticData });
		expect(only(read)).toMatchObject({ event: 'messagesPilingUp', messagesCount: 50 });

		expect(logs.lines.filter((l) => l.startsWith('warn') && l.includes(`"idInstance":"${id}"`))).toEqual([
			expect.stringMatching(/^warn GREEN-API Trigger skipped a poll: GREEN-API had a server error \(500\)/),
			expect.stringMatching(/^warn GREEN-API Trigger skipped the queue check of this poll: GREEN-API had a server error \(500\)/),
			expect.stringContaining('GREEN-API answered getMessagesCount without a count: {"Count":50}; the queue check is left as it was'),
		]);
		expectNoToken(read);
	});

	it('Fetch Test Event reads the count too when the option is on (here with the key spelled "count")', async () => {
		const p = await poll(manualQueue, { mode: 'manual', parameters: { options: { queueThreshold: 2 } }, staticData: {} });
		expect(only(p)).toMatchObject({ event: 'currentState', stateInstance: 'yellowCard', messagesCount: 3, messagesThreshold: 2, aboveThresholdSince: null });
		expect(statsOf(manualQueue).requests).toBe(2);
	});
});

describe('restart and reactivation (static data as n8n saved it)', () => {
	it('a change while n8n was down is emitted by the first poll after the restart, exactly once', async () => {
		const id = restart.idInstance;
		const parameters = { options: { emitInitialState: true } };

		const activated = await poll(restart, { parameters, activation: true, staticData: {} });
		expect(only(activated)).toMatchObject({ event: 'initialState', stateInstance: 'authorized' });
		expect(activated.persisted).toBe(true);
		const watchedSince = watchOf(activated).since;

		// n8n stops; meanwhile the instance goes to "starting".
		sandbox.setState(id, 'starting');
		const afterRestart = await poll(restart, { parameters, activation: true, activationMode: 'init', staticData: activated.staticData });
		const change = only(afterRestart);
		expect(change).toEqual({
			event: 'stateChanged',
			idInstance: id,
			stateInstance: 'starting',
			...MEANING.starting,
			previousState: 'authorized',
			changedAt: expectDuring(change.changedAt, afterRestart),
			previousStateSince: null,
			previousStateDurationSeconds: null,
		});
		expect(afterRestart.persisted).toBe(true);
		expect(watchedSince).not.toBe(change.changedAt);

		// Another restart: nothing new, so nothing again (no initialState, no repeated change).
		const secondRestart = await poll(restart, { parameters, activation: true, activationMode: 'init', staticData: afterRestart.staticData });
		expectQuiet(secondRestart);
		expect(secondRestart.staticData).toEqual(afterRestart.staticData);
		expect(secondRestart.staticDataChanged).toBe(false);
		expectPolled(restart, 3);
	});

	it('a change filtered out is not saved: after a restart it is compared again, never emitted, and a later wanted change still fires', async () => {
		const id = restartFiltered.idInstance;
		const parameters = { states: ['blocked'] };

		const activated = await poll(restartFiltered, { parameters, activation: true, staticData: {} });
		expectQuiet(activated);
		expect(activated.persisted).toBe(true);
		const saved = activated.staticData; // what n8n has on disk from now on
		expect(watchOf(activated).state).toBe('authorized');

		sandbox.setState(id, 'starting');
		const filteredOut = await poll(restartFiltered, { parameters, staticData: saved });
		expectQuiet(filteredOut);
		expect(watchOf(filteredOut).state).toBe('starting');
		expect(filteredOut.staticDataChanged).toBe(true);
		expect(filteredOut.persisted).toBe(false); // n8n keeps it in memory only

		// n8n restarts: the in-memory "starting" is gone; the saved "authorized" comes back.
		const afterRestart = await poll(restartFiltered, { parameters, activation: true, activationMode: 'init', staticData: saved });
		expectQuiet(afterRestart); // re-detected, still filtered: no event
		expect(watchOf(afterRestart).state).toBe('starting');
		expect(afterRestart.persisted).toBe(true); // the activation poll saves it

		// n8n restarts again from the first save (e.g. it crashed before that save) while the instance got blocked:
		// the wanted change fires, naming the last saved state; the unsaved "starting" stint is lost.
		sandbox.setState(id, 'blocked');
		const blocked = await poll(restartFiltered, { parameters, activation: true, activationMode: 'init', staticData: saved });
		expect(only(blocked)).toMatchObject({
			event: 'stateChanged',
			stateInstance: 'blocked',
			previousState: 'authorized',
			previousStateSince: null,
			previousStateDurationSeconds: null,
		});
		expect(blocked.persisted).toBe(true);
		expectPolled(restartFiltered, 4);
	});

	it('a credential for another instance starts a new watch instead of reporting the old instance state as a change', async () => {
		const other: Watch = { idInstance: '1109999998', state: 'blocked', since: minutesAgo(5), sinceKnown: true, stuckReported: true };
		const p = await poll(switched, { staticData: stored(other) });
		expectQuiet(p);
		expect(p.staticData).toEqual(
			stored({ idInstance: switched.idInstance, state: 'authorized', since: expectDuring(watchOf(p).since, p), sinceKnown: false, stuckReported: false }),
		);
	});
});

describe('transient failures emit nothing and leave the stored state untouched', () => {
	/**
	 * One failing poll against a stored "authorized" while the instance is "starting", then the
	 * next poll. Returned as one object naming the case, so a mismatch says which case it was.
	 */
	async function sitOut(name: string, inst: InstanceDef, fault: Omit<Fault, 'idInstance'>, parameters: INodeParameters = {}) {
		const id = inst.idInstance;
		const watch: Watch = { idInstance: id, state: 'authorized', since: minutesAgo(3), sinceKnown: true, stuckReported: false };
		sandbox.injectFault({ idInstance: id, method: 'getStateInstance', ...fault });

		const failed = await poll(inst, { parameters, staticData: stored(watch) });
		const requests = statsOf(inst).requests;
		const warnings = logs.lines.filter((l) => l.includes(`"idInstance":"${id}"`));
		// The next poll carries on from the stored state: the change to "starting" is seen.
		const next = await poll(inst, { parameters, staticData: failed.staticData });
		const nextItems = next.result?.[0].map((i) => i.json) ?? null;
		const tokenPaths = ALL_TOKENS().flatMap((token) => [...findSecret(failed, token), ...findSecret(logs.lines, token)]);
		return {
			actual: {
				name,
				result: failed.result,
				error: failed.error,
				staticData: failed.staticData,
				staticDataChanged: failed.staticDataChanged,
				persisted: failed.persisted,
				requests,
				warnings,
				tokenPaths,
				next: nextItems,
				requestsInAll: statsOf(inst).requests,
			},
			expected: (requestCount: number, warning: RegExp) => ({
				name,
				result: null,
				error: undefined,
				staticData: stored(watch),
				staticDataChanged: false,
				persisted: false,
				requests: requestCount,
				warnings: [expect.stringMatching(new RegExp(`^warn GREEN-API Trigger skipped a poll: ${warning.source}`))],
				tokenPaths: [],
				next: [
					expect.objectContaining({
						event: 'stateChanged',
						stateInstance: 'starting',
						previousState: 'authorized',
						previousStateSince: watch.since,
						previousStateDurationSeconds: nextItems ? seconds(watch.since, nextItems[0].changedAt as string) : -1,
					}),
				],
				requestsInAll: requestCount + 1,
			}),
		};
	}

	it('429, 499, an HTML 502 page, 503 and a dropped connection through every retry (8 attempts for 429, 4 for the others; run side by side)', async () => {
		const kinds: Array<[string, Omit<Fault, 'idInstance'>, RegExp]> = [
			['429', { kind: 'status', status: 429, body: 'Too Many Requests', count: 8 }, /Too many requests to GREEN-API for this instance \(429\) \(8 requests made\)/],
			['499', { kind: 'status', status: 499, body: 'Client Closed Request', count: 4 }, /GREEN-API closed the request before answering \(499\) \(4 requests made\)/],
			['502', { kind: 'html', count: 4 }, /GREEN-API had a server error \(502\): 502 Bad Gateway \(4 requests made\)/],
			['503', { kind: 'status', status: 503, body: 'Service Unavailable', count: 4 }, /GREEN-API had a server error \(503\): Service Unavailable \(4 requests made\)/],
			['dropped', { kind: 'drop', count: 4 }, /The connection to GREEN-API at 127\.0\.0\.1:\d+ was closed before an answer came \(4 requests made\)/],
		];
		const outcomes = await Promise.all(kinds.map(async ([name, fault], i) => await sitOut(name, retried[i], fault)));
		outcomes.forEach((outcome, i) => expect(outcome.actual).toEqual(outcome.expected(i === 0 ? 8 : 4, kinds[i][2])));
	}, 60_000); // 8 attempts for a 429 back off for up to ~35 s (virtual time: skipped, not waited)

	type Once = [name: string, fault: Omit<Fault, 'idInstance'>, parameters: INodeParameters, warning: RegExp];
	const once: Once[] = [
		['500 (not retried)', { kind: 'status', status: 500, body: 'Internal Server Error' }, {}, /GREEN-API had a server error \(500\): Internal Server Error/],
		['a null body', { kind: 'null' }, {}, /GREEN-API returned no state for this instance \(empty answer\)/],
		['an empty body', { kind: 'empty' }, {}, /GREEN-API returned no state for this instance \(empty answer\)/],
		['a timeout (Timeout option: 1 s)', { kind: 'delay', delayMs: 60_000 }, { options: { timeout: 1 } }, /GREEN-API did not answer within 1 s/],
	];
	it.each(once.map((c, i): [...Once, InstanceDef] => [...c, failingOnce[i]]))('%s', async (name, fault, parameters, warning, inst) => {
		const outcome = await sitOut(name, inst, fault, parameters);
		expect(outcome.actual).toEqual(outcome.expected(1, warning));
	});

	it('a refused connection', async () => {
		const closed = await startSandbox({ instances: [refused] });
		const apiUrl = closed.url;
		await closed.close();
		const watch: Watch = { idInstance: refused.idInstance, state: 'authorized', since: minutesAgo(3), sinceKnown: true, stuckReported: false };

		const failed = await poll(refused, { credentials: { apiUrl }, staticData: stored(watch) });
		expectQuiet(failed);
		expect(failed.staticData).toEqual(stored(watch));
		expect(failed.staticDataChanged).toBe(false);
		expect(logs.lines.filter((l) => l.startsWith('warn') && l.includes('skipped a poll'))).toEqual([
			expect.stringMatching(/Could not connect to GREEN-API at 127\.0\.0\.1:\d+ \(connection refused\)/),
		]);
		expectNoToken(failed);

		const next = await poll(refused, { staticData: failed.staticData });
		expect(only(next)).toMatchObject({ event: 'stateChanged', stateInstance: 'starting', previousState: 'authorized' });
	});

	it('an instance still being created (null body) at activation: activation succeeds, nothing is stored, the first real state starts the watch', async () => {
		const parameters = { options: { emitInitialState: true } };
		const activated = await poll(creating, { parameters, activation: true, staticData: {} });
		expectQuiet(activated);
		expect(activated.staticData).toEqual({});
		expect(activated.persisted).toBe(false);
		expectNoToken(activated);

		sandbox.setState(creating.idInstance, 'notAuthorized');
		const next = await poll(creating, { parameters, staticData: activated.staticData });
		expect(only(next)).toMatchObject({ event: 'initialState', stateInstance: 'notAuthorized', previousState: null });
		expect(watchOf(next)).toMatchObject({ state: 'notAuthorized', sinceKnown: false });
	});

	it('a null body never counts as a state change', async () => {
		const id = nullBody.idInstance;
		const watch: Watch = { idInstance: id, state: 'authorized', since: minutesAgo(3), sinceKnown: true, stuckReported: false };
		sandbox.scriptStates(id, [null, 'authorized', null, 'starting']);

		let staticData = stored(watch);
		for (let i = 0; i < 3; i++) {
			const p = await poll(nullBody, { staticData });
			expectQuiet(p);
			expect(p.staticData).toEqual(stored(watch));
			expect(p.staticDataChanged).toBe(false);
			staticData = p.staticData;
		}
		const changed = await poll(nullBody, { staticData });
		expect(only(changed)).toMatchObject({ event: 'stateChanged', stateInstance: 'starting', previousState: 'authorized', previousStateSince: watch.since });
		expectPolled(nullBody, 4);
	});

	it('neither does an answer without a stateInstance', async () => {
		const id = noState.idInstance;
		const watch: Watch = { idInstance: id, state: 'authorized', since: minutesAgo(3), sinceKnown: true, stuckReported: false };
		sandbox.injectFault({ idInstance: id, method: 'getStateInstance', kind: 'status', status: 200, body: { stateInstance: null } });
		sandbox.injectFault({ idInstance: id, method: 'getStateInstance', kind: 'status', status: 200, body: {} });

		let staticData = stored(watch);
		for (let i = 0; i < 2; i++) {
			const p = await poll(noState, { staticData });
			expectQuiet(p);
			expect(p.staticData).toEqual(stored(watch));
			expect(p.staticDataChanged).toBe(false);
			expectNoToken(p);
			staticData = p.staticData;
		}
		expect(logs.lines.filter((l) => l.startsWith('warn') && l.includes(`"idInstance":"${id}"`))).toEqual([
			expect.stringContaining('GREEN-API answered without a stateInstance; the state is left as it was'),
			expect.stringContaining('GREEN-API answered without a stateInstance; the state is left as it was'),
		]);
		const changed = await poll(noState, { staticData });
		expect(only(changed)).toMatchObject({ event: 'stateChanged', stateInstance: 'starting', previousState: 'authorized' });
		expectPolled(noState, 3);
	});
});

describe('401 and 403 raise a clear, token-free error at once', () => {
	// A fresh instance (401) or instance ID (403) per test, so no test waits for another's pacing.
	const cases: Array<[string, (n: number) => Partial<InstanceDef>, string, string, RegExp]> = [
		['401 (wrong token)', () => ({ apiTokenInstance: WRONG_TOKEN }), '401', 'GREEN-API refused the API token (401 Unauthorized)', /Check the API Token in the GREEN-API credential/],
		['403 (wrong instance ID)', (n) => ({ idInstance: `110999999${n}` }), '403', 'GREEN-API refused access to this instance (403 Forbidden)', /Check the Instance ID and the API URL/],
	];
	const watch = (inst: InstanceDef): Watch => ({ idInstance: inst.idInstance, state: 'authorized', since: minutesAgo(3), sinceKnown: true, stuckReported: false });

	it.each(cases)('%s: a scheduled poll reports an error execution, sends one request and keeps the stored state', async (_name, wrong, status, message, description) => {
		const inst = denied[0];
		const before = stored(watch(inst));
		const p = await poll(inst, { credentials: wrong(0), staticData: before });
		expect(p.result).toBeNull();
		expect(p.error?.message).toBe(message);
		expect((p.error as { description?: string }).description).toMatch(description);
		expect(p.staticData).toEqual(before);
		expect(p.staticDataChanged).toBe(false);
		expect(p.persisted).toBe(false);
		// At once: no retry, no "skipped a poll".
		expect(sandbox.stats()).toMatchObject({ total: 1, byStatus: { [status]: 1 } });
		expect(logs.lines.filter((l) => l.includes('skipped a poll'))).toEqual([]);
		expectNoToken(p);
	});

	it.each(cases)('%s: the activation poll fails the activation', async (_name, wrong, status, message) => {
		const p = await poll(denied[1], { credentials: wrong(1), activation: true, staticData: {} });
		expect(p.result).toBeNull();
		expect(p.error?.message).toBe(message);
		expect(p.staticData).toEqual({});
		expect(p.persisted).toBe(false);
		expect(sandbox.stats()).toMatchObject({ total: 1, byStatus: { [status]: 1 } });
		expectNoToken(p);
	});

	it.each(cases)('%s: a manual run shows the error', async (_name, wrong, status, message, description) => {
		const p = await poll(denied[2], { mode: 'manual', credentials: wrong(2), staticData: {} });
		expect(p.result).toBeNull();
		expect(p.error?.message).toBe(message);
		expect((p.error as { description?: string }).description).toMatch(description);
		expect(p.run?.status).toBe('error');
		expect(sandbox.stats()).toMatchObject({ total: 1, byStatus: { [status]: 1 } });
		expectNoToken(p);
	});
});

describe('manual runs report failures instead of returning nothing', () => {
	it.each<[string, Omit<Fault, 'idInstance'>, RegExp, RegExp, InstanceDef]>([
		['500', { kind: 'status', status: 500, body: 'Internal Server Error' }, /server error \(500\): Internal Server Error/, /try again in a few minutes/, manualFail[0]],
		['a null body', { kind: 'null' }, /no state for this instance \(empty answer\)/, /still being created/, manualFail[1]],
	])('%s', async (_name, fault, message, description, inst) => {
		sandbox.injectFault({ idInstance: inst.idInstance, method: 'getStateInstance', ...fault });
		const p = await poll(inst, { mode: 'manual', staticData: {} });
		expect(p.result).toBeNull();
		expect(p.error?.message).toMatch(message);
		expect((p.error as { description?: string }).description).toMatch(description);
		expect(p.run?.status).toBe('error');
		expect(p.persisted).toBe(false);
		expect(statsOf(inst).requests).toBe(1);
		expectNoToken(p);
	});
});
