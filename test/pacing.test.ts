/**
 * Pacing and retries of the GreenApi node, run by n8n's engine against the sandbox over real
 * HTTP. The pacing proofs run on the real clock; the retries on a virtual one (harness/clock.ts),
 * on which the backoff and a Retry-After are still waited for, in virtual time, without taking it.
 *
 * What users are promised is asserted from what n8n and the sandbox report: every item answered,
 * in input order, 429s retried. What the pacer itself controls is asserted strictly, on the
 * pacer's own turn times (every attempt, retries included, takes a turn): never more than the
 * limit in any second. Arrival times at the sandbox add the machine's scheduling delays, which
 * the pacer does not control, so they are not held to the millisecond (the suite must pass on a
 * loaded machine); test/unit/pacing.test.ts checks the pacer's logic on a virtual clock.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { clock as nodeClock } from '../nodes/client/clock';
import { Pacer } from '../nodes/client/pacing';
import { useSkipClock } from './harness/clock';
import { credentialsFor, items, makeToken, runGreenApi, startSandbox } from './fixtures';
import type { Fault, InstanceDef, Sandbox } from './fixtures';
import { maxInWindow } from './arrivals';

const LIMIT = 10; // GREEN-API: checkWhatsapp requests per second per instance

/** When the pacer gave each turn (all pacers of this process), and the pacers that gave them. */
const turns: number[] = [];
const pacersUsed = new Set<Pacer>();
const originalTurn = Pacer.prototype.turn;
beforeAll(() => {
	jest.spyOn(Pacer.prototype, 'turn').mockImplementation(async function (this: Pacer) {
		await originalTurn.call(this);
		turns.push(nodeClock.now()); // the clock the pacer runs on
		pacersUsed.add(this);
	});
});
afterAll(() => jest.restoreAllMocks());
beforeEach(() => {
	turns.length = 0;
	pacersUsed.clear();
});

/** Events per second from the first to the last. */
function rate(times: number[]): number {
	const sorted = [...times].sort((a, b) => a - b);
	return ((sorted.length - 1) * 1000) / (sorted[sorted.length - 1] - sorted[0]);
}

/** n phone numbers; every one ending in 0 is "not on WhatsApp" in the sandbox, so order shows. */
function numbers(n: number, prefix = '4412345'): string[] {
	return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
}

const phoneItems = (phones: string[]) => items(...phones.map((phone) => ({ phone })));
const check = (options: INodeParameters = {}): INodeParameters => ({ operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}', options });

/** Exactly one output item per input item, in input order, each paired with its input. */
function expectInOrder(output: INodeExecutionData[], phones: string[]): void {
	expect(output.map((item) => item.json)).toEqual(phones.map((phoneNumber) => ({ phone: phoneNumber, phoneNumber, existsWhatsapp: !phoneNumber.endsWith('0') })));
	expect(output.map((item) => item.pairedItem)).toEqual(phones.map((_, item) => ({ item })));
}

// Each test uses an instance of its own: the pacer remembers an instance's pace for the whole process.
let nextId = 1101000100;
function instance(): InstanceDef {
	const idInstance = String(nextId++);
	return { idInstance, apiTokenInstance: makeToken(idInstance), knownNumbers: ['79001234567'] };
}

describe('pacing on the real clock: real latency, the documented limit', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		// GREEN-API's documented limits (the sandbox's defaults) and a slow round trip: one request
		// per round trip could not reach even 3 per second.
		sandbox = await startSandbox({ latencyMs: 400, latencyJitterMs: 50 });
	});
	afterAll(async () => await sandbox.close());
	beforeEach(() => sandbox.reset());

	const creds = (inst: InstanceDef) => {
		sandbox.addInstance(inst);
		return credentialsFor(sandbox, inst);
	};
	const checkWhatsapp = () => sandbox.stats().byMethod.checkWhatsapp;

	it('35 items: every one answered, in input order; never more than 10 turns in a second, retries included; requests overlap', async () => {
		const phones = numbers(35);
		const result = await runGreenApi(creds(instance()), check(), { items: phoneItems(phones) });

		expect(result.error).toBeUndefined();
		expectInOrder(result.items, phones);
		const stats = checkWhatsapp();
		// Every request the sandbox saw took a turn of the pacer: first attempts and retries.
		expect(turns).toHaveLength(stats.requests);
		expect(stats.requests).toBe(35 + (stats.byStatus['429'] ?? 0));
		expect(maxInWindow(turns)).toBeLessThanOrEqual(LIMIT);
		// Not one request per round trip (400-450 ms): they overlap. How close to the limit the
		// pace comes is checked on the virtual clock below: here a busy machine's own delays slow
		// the engine down, so this bound only tells overlapping requests from one per round trip.
		expect(sandbox.stats().maxConcurrent).toBeGreaterThanOrEqual(2);
		expect(rate(sandbox.stats().arrivals.checkWhatsapp)).toBeGreaterThan(0.4 * LIMIT);
	}, 30_000);

	it('Max Requests Per Second lowers the pace', async () => {
		const phones = numbers(9);
		const result = await runGreenApi(creds(instance()), check({ maxRequestsPerSecond: 4 }), { items: phoneItems(phones) });

		expect(result.error).toBeUndefined();
		expectInOrder(result.items, phones);
		expect(maxInWindow(turns)).toBeLessThanOrEqual(4);
		// 9 turns at 4 per second (5% under it): at least 8 intervals of 262.5 ms.
		const span = Math.max(...turns) - Math.min(...turns);
		expect(span).toBeGreaterThanOrEqual(8 * 262.5 - 1);
		expect(maxInWindow(sandbox.stats().arrivals.checkWhatsapp)).toBeLessThanOrEqual(5);
	}, 30_000);

	it('another client using the same instance (as a second n8n worker does): every item still answered, in order, and the pacer learns to share', async () => {
		const inst = instance();
		const credentials = creds(inst);
		// The other client: 5 requests per second on the same instance, for the whole run.
		let stop = false;
		const url = `${sandbox.url}/waInstance${inst.idInstance}/checkWhatsapp/${inst.apiTokenInstance}`;
		const sent: Array<Promise<unknown>> = [];
		const rival = (async () => {
			while (!stop) {
				sent.push(fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"phoneNumber": 441234567891}' }).then(async (r) => await r.arrayBuffer()));
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
		})();
		const phones = numbers(30, '4412342');
		const result = await runGreenApi(credentials, check(), { items: phoneItems(phones) });
		stop = true;
		await rival;
		await Promise.all(sent); // answered before the sandbox closes

		expect(result.error).toBeUndefined();
		expectInOrder(result.items, phones);
		expect(sandbox.stats().byStatus['429']).toBeGreaterThan(0); // the instance was over-asked
		expect(maxInWindow(turns)).toBeLessThanOrEqual(LIMIT);
		const [pacer] = [...pacersUsed];
		expect(pacer.rate()).toBeLessThan(LIMIT);
	}, 30_000);
});

describe('pacing options and parallel executions, on the virtual clock', () => {
	// What reaches the pacer (the option, a second execution) is read from its turn times, which
	// are exact on the virtual clock; the real clock's proofs are above.
	const clock = useSkipClock();
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ latencyMs: 20, now: clock.now });
	});
	afterAll(async () => await sandbox.close());
	beforeEach(() => sandbox.reset());

	const creds = (inst: InstanceDef) => {
		sandbox.addInstance(inst);
		return credentialsFor(sandbox, inst);
	};
	const checkWhatsapp = () => sandbox.stats().byMethod.checkWhatsapp;

	it('two executions at once on the same instance share its limit', async () => {
		const inst = instance();
		const first = numbers(20, '4412340');
		const second = numbers(20, '4412341');
		const [a, b] = await Promise.all([
			runGreenApi(creds(inst), check(), { items: phoneItems(first) }),
			runGreenApi(creds(inst), check(), { items: phoneItems(second) }),
		]);

		expect(a.error).toBeUndefined();
		expect(b.error).toBeUndefined();
		expectInOrder(a.items, first);
		expectInOrder(b.items, second);
		expect(pacersUsed.size).toBe(1);
		expect(turns).toHaveLength(checkWhatsapp().requests);
		expect(maxInWindow(turns)).toBeLessThanOrEqual(LIMIT);
	}, 30_000);

	it('Max Requests Per Second above the documented limit is held to the limit', async () => {
		const phones = numbers(25);
		const result = await runGreenApi(creds(instance()), check({ maxRequestsPerSecond: 50 }), { items: phoneItems(phones) });

		expect(result.error).toBeUndefined();
		expectInOrder(result.items, phones);
		expect(maxInWindow(turns)).toBeLessThanOrEqual(LIMIT);
		// ... and close to it: 5% under it, the pacer's margin.
		expect(rate(turns)).toBeGreaterThan(0.9 * LIMIT);
		expect(checkWhatsapp().byStatus).toEqual({ '200': 25 });
	}, 30_000);
});

describe('retries', () => {
	const clock = useSkipClock();
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ latencyMs: 20, now: clock.now });
	});
	afterAll(async () => await sandbox.close());
	beforeEach(() => sandbox.reset());

	const creds = (inst: InstanceDef) => {
		sandbox.addInstance(inst);
		return credentialsFor(sandbox, inst);
	};
	const checkWhatsapp = () => sandbox.stats().byMethod.checkWhatsapp;

	it('429 answers to the first requests are retried and every item succeeds, in order', async () => {
		const inst = instance();
		sandbox.injectFault({ idInstance: inst.idInstance, method: 'checkWhatsapp', kind: 'status', status: 429, body: 'Too Many Requests', count: 3 });
		const phones = numbers(10);
		const result = await runGreenApi(creds(inst), check(), { items: phoneItems(phones) });

		expect(result.error).toBeUndefined();
		expectInOrder(result.items, phones);
		// The 3 injected 429s (the sandbox's own limiter may add one on a busy machine: retried too).
		expect(checkWhatsapp().faults).toBe(3);
		expect(checkWhatsapp().byStatus['200']).toBe(10);
		expect(checkWhatsapp().byStatus['429']).toBeGreaterThanOrEqual(3);
		expect(checkWhatsapp().requests).toBe(10 + checkWhatsapp().byStatus['429']);
		// Three 429s in the first second read as others on the instance taking nearly all of it:
		// the pacer settles on what got through (about 1 per second) and grows back from there.
	}, 40_000);

	it.each<[string, Fault]>([
		['an HTML 502 page', { kind: 'html' }],
		['503', { kind: 'status', status: 503, body: 'Service Unavailable' }],
		['499', { kind: 'status', status: 499, body: 'Client Closed Request' }],
	])('%s twice, then success: retried after a backoff, and the item succeeds', async (_name, fault) => {
		const inst = instance();
		sandbox.injectFault({ idInstance: inst.idInstance, method: 'checkWhatsapp', count: 2, ...fault });
		const started = clock.now();
		const result = await runGreenApi(creds(inst), check(), { items: phoneItems(['441234567891']) });
		// The backoff starts at 250-500 ms and doubles: at least 250 + 500 ms (virtual) before the
		// third attempt, far more than the pace of checkWhatsapp (105 ms) would wait.
		expect(clock.now() - started).toBeGreaterThanOrEqual(750);

		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.json)).toEqual([{ phone: '441234567891', phoneNumber: '441234567891', existsWhatsapp: true }]);
		expect(checkWhatsapp().requests).toBe(3);
		expect(checkWhatsapp().faults).toBe(2);
		expect(checkWhatsapp().ok).toBe(1);
	}, 20_000);

	it.each([400, 401, 403, 404, 466, 500])('%i is never retried', async (status) => {
		const inst = instance();
		sandbox.injectFault({ idInstance: inst.idInstance, method: 'checkWhatsapp', kind: 'status', status, count: 5 });
		const result = await runGreenApi(creds(inst), check(), { items: phoneItems(['441234567891']) });

		expect(result.error).toBeDefined();
		expect(result.items).toEqual([]);
		expect(checkWhatsapp().requests).toBe(1);
		expect(checkWhatsapp().byStatus).toEqual({ [String(status)]: 1 });
	});

	it.each<[string, Fault]>([
		['an HTML 502 page', { kind: 'html' }],
		['429', { kind: 'status', status: 429, body: 'Too Many Requests' }],
	])('Unban is never retried, not even on %s: it would file a second appeal', async (_name, fault) => {
		const inst = instance();
		sandbox.injectFault({ idInstance: inst.idInstance, method: 'unban', count: 5, ...fault });
		const result = await runGreenApi(creds(inst), { operation: 'unban', phoneNumber: '79001234567', description: 'Please review the ban of 79001234567' });

		expect(result.error).toBeDefined();
		expect(sandbox.stats().byMethod.unban.requests).toBe(1);
	});
});

describe('Retry-After', () => {
	const clock = useSkipClock();
	let sandbox: Sandbox;
	beforeAll(async () => {
		// The sandbox's own limiter answers 429 with Retry-After: 2 (seconds); at 1 request per
		// second it refuses the second of two items that our node sends 105 ms apart.
		sandbox = await startSandbox({ latencyMs: 20, retryAfter: 2, rateLimits: { checkWhatsapp: 1 }, now: clock.now });
	});
	afterAll(async () => await sandbox.close());

	it('a 429 with Retry-After is retried after that long, once, and succeeds', async () => {
		const inst = instance();
		sandbox.addInstance(inst);
		const phones = numbers(2);
		const result = await runGreenApi(credentialsFor(sandbox, inst), check(), { items: phoneItems(phones) });

		expect(result.error).toBeUndefined();
		expectInOrder(result.items, phones);
		const stats = sandbox.stats();
		// Backing off less (the default backoff starts at 250-500 ms) would meet a second 429.
		expect(stats.byStatus).toEqual({ '200': 2, '429': 1 });
		const [first, second] = stats.arrivals.checkWhatsapp;
		expect(second - first).toBeGreaterThanOrEqual(2000);
		expect(second - first).toBeLessThan(6000);
	}, 20_000);
});
