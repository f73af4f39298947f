/**
 * What goes over the wire, through n8n's engine: the bodies every operation sends, what is sent
 * again after a failure, how the package's retries combine with n8n's Retry On Fail, and a
 * workflow that loops back to the node.
 * The nodes and the sandbox run on a virtual clock (harness/clock.ts): the pace and the backoff
 * hold in virtual time without being waited out.
 */
import { instanceOperations } from '../nodes/GreenApi/resources/instance';
import { credentialsFor, items, makeToken, runGreenApi, startSandbox } from './fixtures';
import type { InstanceDef, Sandbox } from './fixtures';
import { useSkipClock } from './harness/clock';
import { startServer } from './harness/server';
import type { RecordedRequest } from './harness/server';

const clock = useSkipClock();
let sandbox: Sandbox;
let nextId = 1107000000;

beforeAll(async () => {
	sandbox = await startSandbox({ now: clock.now });
});
afterAll(async () => await sandbox.close());

function newInstance(settings: Partial<InstanceDef> = {}): InstanceDef {
	const idInstance = String(nextId++);
	const instance: InstanceDef = { idInstance, apiTokenInstance: makeToken(idInstance), knownNumbers: ['447700900150'], ...settings };
	sandbox.addInstance(instance);
	return instance;
}

/** Requests the instance received (each test calls one method of its own instance). */
const requestsOf = (instance: InstanceDef) => sandbox.stats().byInstance[instance.idInstance]?.requests ?? 0;
const POSTING = instanceOperations.filter((op) => op.method.verb === 'POST');

describe('request bodies', () => {
	/** A GREEN-API stand-in that records what arrives and answers every method with `{}`. */
	async function recorder() {
		const seen: RecordedRequest[] = [];
		const server = await startServer((req) => {
			seen.push(req);
			return { status: 200, json: { status: true, code: 'ABCD1234' } };
		});
		const credentials = { greenApi: { apiUrl: server.url, idInstance: '1101000001', apiTokenInstance: makeToken('rec') } };
		return { seen, server, credentials };
	}

	it.each(POSTING.map((op) => [op.name, op] as const))('%s sends valid JSON whatever way the number is written', async (_name, op) => {
		const { seen, server, credentials } = await recorder();
		try {
			const written = ['+44 7700 900150', '0044 7700 900150', '+44 (0)7700 900150', '447700900150@c.us', 447700900150, '9999999999999999'];
			const result = await runGreenApi(
				credentials,
				{ operation: op.value, phoneNumber: '={{ $json.phone }}', description: 'Please review the ban: support line.' },
				{ items: items(...written.map((phone) => ({ phone }))) },
			);
			expect(result.error).toBeUndefined();
			expect(seen.length).toBeGreaterThan(0);
			for (const request of seen) {
				expect(() => JSON.parse(request.body)).not.toThrow();
				// The digits arrive as a JSON integer, whole (16 digits are more than a double holds).
				expect(request.body).toMatch(/^\{"phoneNumber":(447700900150|9999999999999999)[,}]/);
			}
		} finally {
			await server.close();
		}
	});

	it.each(POSTING.map((op) => [op.name, op] as const))('%s refuses a number without a country code before any request, naming the item and the value', async (_name, op) => {
		const { seen, server, credentials } = await recorder();
		try {
			for (const [i, phone] of ['07700 900150', '000447700900150', '+0447700900150'].entries()) {
				const result = await runGreenApi(
					credentials,
					{ operation: op.value, phoneNumber: '={{ $json.phone }}', description: 'Please review.' },
					{ items: items({ phone: '447700900150' }, { phone }), continueOnFail: true },
				);
				const error = String(result.items[1].json.error);
				expect([i, error.startsWith(`Phone Number in item 1: "${phone}" has no country code`)]).toEqual([i, true]);
				expect(error).toMatch(/country code instead of the leading 0/);
			}
			// Only the good item of each run went out.
			expect(seen.length).toBe(3);
		} finally {
			await server.close();
		}
	});
});

describe('a dropped connection', () => {
	it('on a method that reads is sent again, like a 502', async () => {
		const instance = newInstance();
		sandbox.injectFault({ idInstance: instance.idInstance, method: 'getStateInstance', kind: 'drop', count: 1 });
		const result = await runGreenApi(credentialsFor(sandbox, instance), { operation: 'getState' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.stateInstance).toBe('authorized');
		expect(requestsOf(instance)).toBe(2);
	});

	it('on a method that reads, when it keeps dropping, says how many requests were made', async () => {
		const instance = newInstance();
		sandbox.injectFault({ idInstance: instance.idInstance, method: 'getStateInstance', kind: 'drop', count: 10 });
		const result = await runGreenApi(credentialsFor(sandbox, instance), { operation: 'getState' });
		expect(result.error?.message).toMatch(/closed before an answer came \(4 requests made\) \[item 0\]$/);
		expect(requestsOf(instance)).toBe(4);
	});

	it.each([
		['unban', { phoneNumber: '+44 7700 900150', description: 'Please review.' }],
		['reboot', {}],
	])('on %s (not only a read) is not sent again: it may have arrived', async (operation, parameters) => {
		const instance = newInstance({ stateInstance: 'blocked' });
		const method = instanceOperations.find((op) => op.value === operation)!.method.name;
		sandbox.injectFault({ idInstance: instance.idInstance, method, kind: 'drop', count: 1 });
		const result = await runGreenApi(credentialsFor(sandbox, instance), { operation, ...parameters });
		expect(result.error?.message).toMatch(/closed before an answer came \[item 0\]$/);
		expect(requestsOf(instance)).toBe(1);
	});
});

describe("n8n's Retry On Fail", () => {
	const retryOnFail = { retryOnFail: true, maxTries: 3, waitBetweenTries: 10 };

	it('replaces the package\'s own retries: one request per try of n8n, and the error counts them all', async () => {
		const instance = newInstance();
		sandbox.injectFault({ idInstance: instance.idInstance, method: 'getStateInstance', kind: 'status', status: 502, count: 100 });
		const result = await runGreenApi(credentialsFor(sandbox, instance), { operation: 'getState' }, { settings: retryOnFail });
		expect(result.error?.message).toMatch(/server error \(502\).*\(3 requests made\) \[item 0\]$/);
		expect(requestsOf(instance)).toBe(3);
	});

	it('still succeeds when a later try gets an answer', async () => {
		const instance = newInstance();
		sandbox.injectFault({ idInstance: instance.idInstance, method: 'getStateInstance', kind: 'status', status: 502, count: 2 });
		const result = await runGreenApi(credentialsFor(sandbox, instance), { operation: 'getState' }, { settings: retryOnFail });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.stateInstance).toBe('authorized');
		expect(requestsOf(instance)).toBe(3);
	});

	it('a later try sends again only the items whose request failed: no second quota check for the others', async () => {
		const instance = newInstance();
		sandbox.injectFault({ idInstance: instance.idInstance, method: 'checkWhatsapp', kind: 'status', status: 502, count: 1 });
		const result = await runGreenApi(
			credentialsFor(sandbox, instance),
			{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' },
			{ items: items({ phone: '+44 7700 900151' }, { phone: '+44 7700 900152' }), settings: retryOnFail },
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.existsWhatsapp)).toEqual([true, true]);
		expect(requestsOf(instance)).toBe(3);
	});

	it('never files a second appeal: a later try gets the first try\'s outcome, for every item', async () => {
		const instance = newInstance({ stateInstance: 'blocked', knownNumbers: ['447700900150', '447700900151'] });
		// The first appeal is filed; the second meets a 502. n8n then runs the whole node again.
		sandbox.injectFault({ idInstance: instance.idInstance, method: 'unban', kind: 'status', status: 502, count: 1 });
		const result = await runGreenApi(
			credentialsFor(sandbox, instance),
			{ operation: 'unban', phoneNumber: '={{ $json.phone }}', description: 'Please review the ban: support line.' },
			{ items: items({ phone: '+44 7700 900151' }, { phone: '+44 7700 900150' }), settings: retryOnFail },
		);
		expect(result.error?.message).toMatch(/server error \(502\)/);
		expect(requestsOf(instance)).toBe(2);
	});
});

describe('a workflow that loops back to the node', () => {
	it('asks GREEN-API again in each run of one execution: never a stale answer', async () => {
		const instance = newInstance();
		sandbox.resetStats();
		const result = await runGreenApi(
			credentialsFor(sandbox, instance),
			{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' },
			{ items: items({ phone: '+44 1234 567891' }, { phone: '441234567891' }, { phone: '+44 1234 567890' }), runs: 3 },
		);
		expect(result.error).toBeUndefined();
		expect(result.run.data.resultData.runData[result.node.name]).toHaveLength(3);
		// Within a run a repeated number is asked once; each of the 3 runs asks both numbers again.
		expect(requestsOf(instance)).toBe(3 * 2);
		expect(result.items.map((item) => item.json.repeatOfEarlierItem)).toEqual([undefined, true, undefined]);
	});
});
