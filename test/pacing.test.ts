/**
 * Pacing and retries of the GreenApi node, run by n8n's engine against the sandbox over real
 * HTTP. Every assertion reads the sandbox's own counts and arrival times, never our code's.
 *
 * n8n starts the requests of all input items at once; the node must still reach GREEN-API no
 * faster than its per-instance limit (checkWhatsapp: 10 requests in any 1000 ms), across items
 * and across executions, and keep the output in input order.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { credentialsFor, items, makeToken, runGreenApi, startSandbox } from './fixtures';
import type { Fault, InstanceDef, Sandbox } from './fixtures';
import { maxInWindow } from './arrivals';

const LIMIT = 10; // GREEN-API: checkWhatsapp requests per second per instance

/** Requests per second from the first arrival to the last. */
function rate(arrivals: number[]): number {
	const times = [...arrivals].sort((a, b) => a - b);
	return ((times.length - 1) * 1000) / (times[times.length - 1] - times[0]);
}

function gaps(arrivals: number[]): number[] {
	const times = [...arrivals].sort((a, b) => a - b);
	return times.slice(1).map((t, i) => t - times[i]);
}

/** Arrival times in ms after the first: shown when a count assertion fails, to see where. */
function offsets(arrivals: number[]): number[] {
	return arrivals.map((t) => Math.round(t - arrivals[0]));
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
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

describe('pacing: real latency, the documented limit', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		// GREEN-API's documented limits (the sandbox's defaults) and a realistic round trip.
		sandbox = await startSandbox({ latencyMs: 150, latencyJitterMs: 50 });
	});
	afterAll(async () => await sandbox.close());
	beforeEach(() => sandbox.reset());

	const creds = (inst: InstanceDef) => {
		sandbox.addInstance(inst);
		return credentialsFor(sandbox, inst);
	};

	it('sends 35 items at close to 10 per second, never 11 in a second, with no 429 and the output in input order', async () => {
		const phones = numbers(35);
		const result = await runGreenApi(creds(instance()), check(), { items: phoneItems(phones) });

		expect(result.error).toBeUndefined();
		expectInOrder(result.items, phones);
		const stats = sandbox.stats();
		const arrivals = stats.arrivals.checkWhatsapp;
		expect({ byStatus: stats.byStatus, arrivals: offsets(arrivals) }).toEqual({ byStatus: { '200': 35 }, arrivals: expect.anything() });
		expect(arrivals).toHaveLength(35);
		expect(maxInWindow(arrivals)).toBeLessThanOrEqual(LIMIT);
		// One request per round trip (150 ms) would be under 7/s: the requests overlap instead.
		expect(rate(arrivals)).toBeGreaterThan(0.85 * LIMIT);
		expect(stats.maxConcurrent).toBeGreaterThanOrEqual(2);
	}, 20_000);

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
		const stats = sandbox.stats();
		const arrivals = stats.arrivals.checkWhatsapp;
		expect({ byStatus: stats.byStatus, arrivals: offsets(arrivals) }).toEqual({ byStatus: { '200': 40 }, arrivals: expect.anything() });
		expect(arrivals).toHaveLength(40);
		expect(maxInWindow(arrivals)).toBeLessThanOrEqual(LIMIT);
		expect(rate(arrivals)).toBeLessThanOrEqual(LIMIT);
		expect(rate(arrivals)).toBeGreaterThan(0.85 * LIMIT);
	}, 20_000);

	it('Max Requests Per Second lowers the pace', async () => {
		const phones = numbers(9);
		const result = await runGreenApi(creds(instance()), check({ maxRequestsPerSecond: 4 }), { items: phoneItems(phones) });

		expect(result.error).toBeUndefined();
		expectInOrder(result.items, phones);
		const arrivals = sandbox.stats().arrivals.checkWhatsapp;
		expect(arrivals).toHaveLength(9);
		expect(maxInWindow(arrivals)).toBeLessThanOrEqual(4);
		// Spaced out at about 4 per second (250 ms apart), not sent in bursts.
		expect(median(gaps(arrivals))).toBeGreaterThanOrEqual(240);
		expect(rate(arrivals)).toBeLessThanOrEqual(4);
		expect(rate(arrivals)).toBeGreaterThan(3);
	}, 20_000);

	it('Max Requests Per Second above the documented limit is held to the limit', async () => {
		const phones = numbers(25);
		const result = await runGreenApi(creds(instance()), check({ maxRequestsPerSecond: 50 }), { items: phoneItems(phones) });

		expect(result.error).toBeUndefined();
		expectInOrder(result.items, phones);
		const stats = sandbox.stats();
		expect(stats.byStatus).toEqual({ '200': 25 });
		expect(maxInWindow(stats.arrivals.checkWhatsapp)).toBeLessThanOrEqual(LIMIT);
	}, 20_000);
});

describe('retries', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ latencyMs: 20 });
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
		expect(checkWhatsapp().byStatus).toEqual({ '200': 10, '429': 3 });
		expect(checkWhatsapp().requests).toBe(13);
	}, 20_000);

	it.each<[string, Fault]>([
		['an HTML 502 page', { kind: 'html' }],
		['503', { kind: 'status', status: 503, body: 'Service Unavailable' }],
		['499', { kind: 'status', status: 499, body: 'Client Closed Request' }],
	])('%s twice, then success: retried, and the item succeeds', async (_name, fault) => {
		const inst = instance();
		sandbox.injectFault({ idInstance: inst.idInstance, method: 'checkWhatsapp', count: 2, ...fault });
		const result = await runGreenApi(creds(inst), check(), { items: phoneItems(['441234567891']) });

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
	let sandbox: Sandbox;
	beforeAll(async () => {
		// The sandbox's own limiter answers 429 with Retry-After: 2 (seconds); at 1 request per
		// second it refuses the second of two items that our node sends 105 ms apart.
		sandbox = await startSandbox({ latencyMs: 20, retryAfter: 2, rateLimits: { checkWhatsapp: 1 } });
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
		expect(second - first).toBeLessThan(3500);
	}, 20_000);
});
