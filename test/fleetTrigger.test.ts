/**
 * The GREEN-API Trigger with a partner credential (the fleet trigger) through n8n-core's real
 * poll path against a sandbox partner account over real HTTP, static data round-tripped the way
 * n8n stores it. The decision itself is unit-tested in test/unit/fleetDecide.test.ts; these
 * tests prove the wiring: requests, list schedule, persistence, restarts, failures, tokens.
 *
 * Each test uses a partner account of its own; the trigger keeps the instance list in memory
 * per workflow node and lists again when the account changes.
 */
import { useSkipClock } from './harness/clock';
import { logs } from './harness/engine';
import type { PollRunResult } from './harness/engine';
import { expectNoToken } from './harness/expect';
import { startSandbox } from './fixtures';
import type { Sandbox, SandboxStats } from './fixtures';
import { partnerCredentialsFor, pollFleetTrigger } from './fleetFixtures';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

/** n8n keys a node's static data by the node's name. */
const KEY = 'node:GREEN-API Trigger';

let sandbox: Sandbox;
const secrets: string[] = [];
let accounts = 0;
// The per-instance pace between polls passes on a virtual clock (harness/clock.ts), not waited out.
const clock = useSkipClock();

beforeAll(async () => {
	sandbox = await startSandbox({ partnerCreatingMs: 1500, hosts: ['p02'], now: clock.now });
});
afterAll(async () => await sandbox.close());
beforeEach(() => logs.clear());

interface Fleet {
	token: string;
	ids: string[];
	tokens: string[];
	poll(o?: { parameters?: INodeParameters; staticData?: IDataObject; activation?: boolean; activationMode?: 'init' | 'activate'; mode?: 'manual' | 'trigger' }): Promise<PollRunResult>;
}

/** A partner account of its own with `count` authorized instances. */
function fleet(count: number, prefix: string): Fleet {
	const token = `fleetpartner${++accounts}secretabcdef0123456789`;
	sandbox.partner.addAccount(token);
	const made = sandbox.partner.addInstances(token, { count, idPrefix: prefix, stateInstance: 'authorized' });
	secrets.push(token, ...made.map((m) => m.apiTokenInstance));
	return {
		token,
		ids: made.map((m) => m.idInstance),
		tokens: made.map((m) => m.apiTokenInstance),
		poll: async (o = {}) =>
			await pollFleetTrigger(partnerCredentialsFor(sandbox, token), o.parameters ?? {}, {
				mode: o.mode ?? 'trigger',
				staticData: o.staticData,
				activation: o.activation,
				activationMode: o.activationMode,
			}),
	};
}

function add(f: Fleet, spec: Parameters<Sandbox['partner']['addInstances']>[1]): string {
	const [made] = sandbox.partner.addInstances(f.token, { count: 1, ...spec });
	secrets.push(made.apiTokenInstance);
	return made.idInstance;
}

type Stats = SandboxStats & { byInstance: Record<string, { requests: number }>; byMethod: Record<string, { requests: number }> };
const stats = (): Stats => sandbox.stats() as Stats;
const requestsOf = (method: string): number => stats().byMethod[method]?.requests ?? 0;

function items(p: PollRunResult): IDataObject[] {
	expect(p.error).toBeUndefined();
	return (p.result?.[0] ?? []).map((i) => i.json);
}

function quiet(p: PollRunResult): void {
	expect(p.error).toBeUndefined();
	expect(p.result).toBeNull();
}

const watchOf = (p: PollRunResult): Record<string, IDataObject> => (p.staticData[KEY] as { instances: Record<string, IDataObject> }).instances;

describe('state changes', () => {
	it('the activation poll records the fleet; each change fires one item per instance, once; the list is not fetched on every poll', async () => {
		const f = fleet(6, '31');
		sandbox.resetStats();
		const first = await f.poll({ activation: true, staticData: {} });
		quiet(first);
		expect(first.persisted).toBe(true);
		expect(Object.keys(watchOf(first)).sort()).toEqual([...f.ids].sort());
		expect(watchOf(first)[f.ids[0]]).toEqual({ s: 'authorized', t: expect.any(Number) });

		sandbox.setState(f.ids[1], 'notAuthorized');
		sandbox.setState(f.ids[4], 'yellowCard');
		const before = Date.now();
		const second = await f.poll({ staticData: first.staticData });
		const out = items(second);
		expect(out).toHaveLength(2);
		const byId = Object.fromEntries(out.map((e) => [e.idInstance, e]));
		expect(byId[f.ids[1]]).toEqual({
			event: 'stateChanged',
			idInstance: f.ids[1],
			name: `Sandbox ${f.ids[1]}`,
			typeInstance: 'whatsapp',
			stateInstance: 'notAuthorized',
			meaning: expect.stringMatching(/^Not linked to a phone/),
			recommendedAction: 'relink',
			previousState: 'authorized',
			changedAt: expect.any(String),
			previousStateSince: null,
			previousStateDurationSeconds: null,
		});
		expect(Date.parse(byId[f.ids[1]].changedAt as string)).toBeGreaterThanOrEqual(before);
		expect(byId[f.ids[4]]).toMatchObject({ stateInstance: 'yellowCard', recommendedAction: 'reboot', previousState: 'authorized' });
		expect(second.persisted).toBe(true);

		quiet(await f.poll({ staticData: second.staticData }));
		// Three polls: one getStateInstance per instance each, the list once (it is kept 10 minutes).
		expect(requestsOf('getStateInstance')).toBe(18);
		expect(requestsOf('getInstances')).toBe(1);
		for (const id of f.ids) expect(stats().byInstance[id].requests).toBe(3);
		expectNoToken([first, second], secrets);
	});

	it('Fire On States, Polls to Confirm and stuck thresholds apply per instance', async () => {
		const f = fleet(3, '32');
		const parameters = { states: ['blocked'], options: { confirmPolls: 2, stuckThresholds: { threshold: [{ state: 'starting', minutes: 0 }] } } };
		const first = await f.poll({ activation: true, staticData: {}, parameters });
		quiet(first);
		sandbox.setState(f.ids[0], 'blocked');
		sandbox.setState(f.ids[1], 'notAuthorized');
		sandbox.setState(f.ids[2], 'starting');
		const second = await f.poll({ staticData: first.staticData, parameters });
		quiet(second);
		expect(watchOf(second)[f.ids[0]].p).toEqual(['blocked', expect.any(Number), 1]);
		const third = await f.poll({ staticData: second.staticData, parameters });
		const out = items(third);
		// blocked: confirmed and wanted; notAuthorized: confirmed, not wanted; starting: confirmed, not wanted, but stuck (over 0 minutes).
		expect(out.map((e) => [e.idInstance, e.event, e.stateInstance])).toEqual([
			[f.ids[0], 'stateChanged', 'blocked'],
			[f.ids[2], 'stuck', 'starting'],
		]);
		expect(out[0]).toMatchObject({ confirmedAfterPolls: 2, name: `Sandbox ${f.ids[0]}` });
		expect(watchOf(third)[f.ids[1]]).toMatchObject({ s: 'notAuthorized', k: 1 });
	});
});

describe('restarts', () => {
	it('after a restart nothing emitted is emitted again, and a change seen only in memory is not lost', async () => {
		const f = fleet(3, '33');
		const parameters = { options: { confirmPolls: 2 } };
		const first = await f.poll({ activation: true, staticData: {}, parameters });
		sandbox.setState(f.ids[0], 'notAuthorized');
		const seenOnce = await f.poll({ staticData: first.staticData, parameters });
		quiet(seenOnce);
		// n8n saves static data only after a poll that emitted: the pending change is lost with the process.
		expect(seenOnce.persisted).toBe(false);

		// Restart: n8n activates the workflow again from what it saved (the activation poll's data).
		const afterRestart = await f.poll({ activation: true, activationMode: 'init', staticData: first.staticData, parameters });
		quiet(afterRestart);
		const confirmed = await f.poll({ staticData: afterRestart.staticData, parameters });
		expect(items(confirmed).map((e) => [e.idInstance, e.stateInstance, e.previousState])).toEqual([[f.ids[0], 'notAuthorized', 'authorized']]);
		expect(confirmed.persisted).toBe(true);

		// Another restart right after the emitting poll: the change is not emitted again.
		quiet(await f.poll({ activation: true, activationMode: 'init', staticData: confirmed.staticData, parameters }));

		// A change while n8n is down is emitted by the activation poll after the restart.
		sandbox.setState(f.ids[2], 'blocked');
		const down = await f.poll({ activation: true, activationMode: 'init', staticData: confirmed.staticData, parameters: {} });
		expect(items(down).map((e) => [e.idInstance, e.stateInstance])).toEqual([[f.ids[2], 'blocked']]);
	});
});

describe('passing failures', () => {
	it('timeout, 429, 5xx, a dropped connection and a null body never change a state; an instance that stays unreachable is reported once', async () => {
		const f = fleet(4, '34');
		const parameters = { options: { unreachableAfterPolls: 3, timeout: 1 } };
		const first = await f.poll({ activation: true, staticData: {}, parameters });
		const [flaky, down] = f.ids;
		sandbox.setState(flaky, 'notAuthorized');
		sandbox.setState(down, 'notAuthorized');
		const faults = [
			{ kind: 'status' as const, status: 429 },
			{ kind: 'delay' as const, delayMs: 3000 },
			{ kind: 'status' as const, status: 503 },
			{ kind: 'drop' as const },
			{ kind: 'null' as const },
		];
		let staticData = first.staticData;
		const events: IDataObject[][] = [];
		for (const [i, fault] of faults.entries()) {
			// `flaky` fails on every other poll, `down` on each of them.
			if (i % 2 === 0) sandbox.injectFault({ ...fault, idInstance: flaky, method: 'getStateInstance' });
			sandbox.injectFault({ ...fault, idInstance: down, method: 'getStateInstance' });
			const p = await f.poll({ staticData, parameters });
			events.push(items(p));
			staticData = p.staticData;
		}
		const seen = events.map((poll) => poll.map((e) => `${e.idInstance === flaky ? 'flaky' : 'down'}:${e.event}`));
		// flaky answers on polls 2 and 4 (notAuthorized, a real change); down is reported unreachable after its third failure only.
		expect(seen).toEqual([[], ['flaky:stateChanged'], ['down:unreachable'], [], []]);
		expect(events[2][0]).toMatchObject({ stateInstance: 'authorized', failedPolls: 3, lastFailure: 'HTTP 503: Service Unavailable' });
		expect(watchOf({ staticData } as PollRunResult)[down]).toMatchObject({ s: 'authorized', f: [5, expect.any(Number)], u: 1 });

		// Back: one item, the real change with it.
		const back = await f.poll({ staticData, parameters });
		expect(items(back)).toEqual([expect.objectContaining({ idInstance: down, event: 'stateChanged', stateInstance: 'notAuthorized', previousState: 'authorized', reachableAgain: true })]);
		// One warning per poll with failed requests (the null body is an answer: counted, not logged).
		expect(logs.lines.filter((l) => l.includes('gave no state this poll'))).toHaveLength(4);
		expectNoToken([events, back, logs.lines], secrets);
	}, 60_000);

	it('a failed list refresh falls back to the list in memory; an error answer in the body fails the activation clearly, without the token', async () => {
		const f = fleet(2, '35');
		const parameters = { options: { listEveryMinutes: 0 } };
		const first = await f.poll({ activation: true, staticData: {}, parameters });
		sandbox.injectFault({ kind: 'status', status: 500, method: 'getInstances' });
		sandbox.setState(f.ids[0], 'blocked');
		const second = await f.poll({ staticData: first.staticData, parameters });
		expect(items(second).map((e) => e.stateInstance)).toEqual(['blocked']);
		expect(logs.lines.some((l) => l.includes('could not refresh the instance list'))).toBe(true);

		const wrong = await pollFleetTrigger(partnerCredentialsFor(sandbox, 'nosuchpartnertoken0123456789'), {}, { mode: 'trigger', activation: true, staticData: {} });
		expect(wrong.error?.message).toMatch(/401/);
		expectNoToken([second, wrong], [...secrets, 'nosuchpartnertoken0123456789']);
	});
});

describe('options', () => {
	it('an option that cannot work fails the poll with an error naming it', async () => {
		const f = fleet(1, '40');
		for (const [options, named] of [
			[{ parallelRequests: 0 }, /Parallel Requests must be a whole number of at least 1, got 0/],
			[{ unreachableAfterPolls: 1.5 }, /Unreachable After Polls must be a whole number of at least 0, got 1.5/],
			[{ listEveryMinutes: -1 }, /Refresh Instance List Every \(Minutes\) must be 0 or more, got -1/],
		] as const) {
			const p = await f.poll({ activation: true, staticData: {}, parameters: { options } });
			expect(p.error?.message).toMatch(named);
		}
		expect(stats().byInstance[f.ids[0]]?.requests ?? 0).toBe(0);
	});
});

describe('the instance list', () => {
	it('appeared (being created, then ready), deleted and expired: one item each, each switchable', async () => {
		const f = fleet(3, '36');
		const parameters = { options: { listEveryMinutes: 0 } };
		const first = await f.poll({ activation: true, staticData: {}, parameters });
		const fresh = add(f, { idPrefix: '36', stateInstance: null, name: 'New customer' });
		sandbox.partner.deleteInstance(f.token, f.ids[0]);
		sandbox.partner.expireInstance(f.token, f.ids[1]);
		const second = await f.poll({ staticData: first.staticData, parameters });
		expect(items(second).map((e) => [e.event, e.idInstance, e.stateInstance])).toEqual([
			['instanceDeleted', f.ids[0], 'authorized'],
			['instanceExpired', f.ids[1], 'authorized'],
			['instanceAppeared', fresh, null],
		]);
		expect(items(second)[2]).toMatchObject({ name: 'New customer', typeInstance: 'whatsapp', meaning: expect.stringMatching(/^Being created/) });
		expect(Object.keys(watchOf(second)).sort()).toEqual([f.ids[2], fresh].sort());

		// The sandbox's new instance answers null for 1.5 s, then notAuthorized: a change from null.
		await new Promise((resolve) => setTimeout(resolve, 1600));
		const third = await f.poll({ staticData: second.staticData, parameters });
		expect(items(third)).toEqual([expect.objectContaining({ event: 'stateChanged', idInstance: fresh, previousState: null, stateInstance: 'notAuthorized', recommendedAction: 'relink' })]);

		// Switched off: the watch follows the list, nothing fires.
		add(f, { idPrefix: '36' });
		sandbox.partner.deleteInstance(f.token, f.ids[2]);
		const off = await f.poll({ staticData: third.staticData, parameters: { ...parameters, fleetEvents: [] } });
		quiet(off);
		expect(Object.keys(watchOf(off))).toHaveLength(2);
		expectNoToken([second, third], secrets);
	});
});

describe('where instances live', () => {
	it('an instance on another host is asked there when the credential says so; asked at the wrong host it is a failure, not a change', async () => {
		const f = fleet(1, '39');
		const elsewhere = add(f, { idPrefix: '3955', host: 'p02' });
		const withException = partnerCredentialsFor(sandbox, f.token);
		withException.greenApiPartnerApi.instanceApiUrls = `3955 ${sandbox.hosts.p02}`;
		const poll = async (credentials: typeof withException, staticData: IDataObject) =>
			await pollFleetTrigger(credentials, { options: { unreachableAfterPolls: 1 } }, { mode: 'trigger', staticData });

		const first = await poll(withException, {});
		sandbox.setState(elsewhere, 'notAuthorized');
		const second = await poll(withException, first.staticData);
		expect(items(second)).toEqual([expect.objectContaining({ idInstance: elsewhere, stateInstance: 'notAuthorized' })]);
		expect(stats().byInstance[elsewhere].requests).toBe(2);

		// Without the exception the main host answers 403 for it: reported unreachable, its state kept.
		sandbox.setState(elsewhere, 'authorized');
		const wrongHost = await poll(partnerCredentialsFor(sandbox, f.token), second.staticData);
		expect(items(wrongHost)).toEqual([expect.objectContaining({ event: 'unreachable', idInstance: elsewhere, stateInstance: 'notAuthorized', lastFailure: 'HTTP 403: Forbidden' })]);
		expectNoToken([second, wrongHost], secrets);
	});
});

describe('overlapping polls and Fetch Test Event', () => {
	it('a poll that starts while the previous one runs stands aside: no requests, nothing emitted', async () => {
		const f = fleet(4, '37');
		const first = await f.poll({ activation: true, staticData: {} });
		sandbox.setState(f.ids[0], 'blocked');
		sandbox.setLatency(400);
		sandbox.resetStats();
		try {
			const [a, b] = await Promise.all([f.poll({ staticData: first.staticData }), f.poll({ staticData: first.staticData })]);
			expect([a, b].map((p) => p.result?.[0]?.length ?? 0).sort()).toEqual([0, 1]);
			expect(requestsOf('getStateInstance')).toBe(4);
			expect(logs.lines.some((l) => l.includes('previous poll of this fleet is still running'))).toBe(true);
		} finally {
			sandbox.setLatency(0);
		}
	});

	it('Fetch Test Event shows the current state of the first live instances and stores nothing', async () => {
		const f = fleet(12, '38');
		const manual = await f.poll({ mode: 'manual', staticData: {} });
		const out = items(manual);
		expect(out).toHaveLength(10);
		expect(out[0]).toMatchObject({ event: 'currentState', idInstance: f.ids[0], name: `Sandbox ${f.ids[0]}`, stateInstance: 'authorized', recommendedAction: 'none' });
		expect(manual.staticData[KEY] ?? {}).toEqual({});
		expectNoToken(manual, secrets);
	});
});
