/**
 * Per-number operations over whole lists, through n8n's engine against the sandbox: what
 * the operation fixtures cannot say with data alone (time, parallel executions, memory, the
 * error output).
 *
 * The nodes and the sandbox run on a virtual clock (harness/clock.ts): times below are virtual,
 * the pace and the sandbox's limits hold in it, and waiting for the pace still shows as time.
 */
import { liveRunMemos } from '../nodes/client/runMemo';
import { credentialsFor, items, makeToken, runGreenApi, startSandbox } from './fixtures';
import type { InstanceDef, Sandbox } from './fixtures';
import { useSkipClock } from './harness/clock';
import { logs } from './harness/engine';
import { expectNoToken } from './harness/expect';

const clock = useSkipClock();
let sandbox: Sandbox;
let nextId = 1104000000;

beforeAll(async () => {
	sandbox = await startSandbox({ now: clock.now });
});
afterAll(async () => await sandbox.close());

function newInstance(settings: Partial<InstanceDef> = {}): InstanceDef {
	const idInstance = String(nextId++);
	const instance: InstanceDef = { idInstance, apiTokenInstance: makeToken(idInstance), ...settings };
	sandbox.addInstance(instance);
	return instance;
}

/** `count` distinct numbers, spelled as people paste them. */
function numbers(count: number, spell = (digits: string) => digits): Array<{ phone: string }> {
	return Array.from({ length: count }, (_, i) => ({ phone: spell(`4412345${String(60000 + i)}`) }));
}

afterEach(() => {
	// Whatever a run did, nothing of it stays behind in a long-running worker.
	expect(liveRunMemos()).toBe(0);
});

test('after the 466 the other items fail at once: no further request, no waiting for the pace', async () => {
	const instance = newInstance({ checkWhatsappQuota: 3 });
	sandbox.resetStats();
	logs.clear();
	// 40 distinct numbers at 2 per second would take about 20 s if each waited its turn.
	const input = numbers(40);
	const started = clock.now();
	const result = await runGreenApi(
		credentialsFor(sandbox, instance),
		{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}', options: { maxRequestsPerSecond: 2 } },
		{ items: items(...input), continueOnFail: true },
	);
	const seconds = (clock.now() - started) / 1000;

	const stats = sandbox.stats();
	expect(stats.byMethod.checkWhatsapp?.byStatus).toEqual({ '200': 3, '466': 1 });
	expect(stats.total).toBe(4);
	result.items.slice(0, 3).forEach((item, i) => {
		expect(item.json).toEqual({ phone: input[i].phone, phoneNumber: input[i].phone, existsWhatsapp: expect.any(Boolean) });
	});
	result.items.slice(3).forEach((item, i) => {
		expect(item.json).toEqual({
			phone: input[i + 3].phone,
			error: `The monthly GREEN-API quota for checkWhatsapp is used up (3 of 3 used) [item ${i + 3}]`,
			details: expect.stringMatching(/Upgrade the plan in the GREEN-API console or wait for next month/),
		});
	});
	expect(result.items.map((item) => item.pairedItem)).toEqual(input.map((_, item) => ({ item })));
	// Four requests at 2/s take about 1.6 s; the 36 refused items add nothing (waiting for
	// their turns would add 18.9 s).
	expect(seconds).toBeLessThan(5);
	expectNoToken(result, [instance.apiTokenInstance]);

	// The refused items left (almost) nothing queued at the instance's pacer: the next execution
	// asks at once, not after the 18 s their turns would have taken.
	sandbox.resetStats();
	const nextStarted = clock.now();
	const next = await runGreenApi(credentialsFor(sandbox, instance), { operation: 'checkWhatsapp', phoneNumber: '441234567891', options: { maxRequestsPerSecond: 2 } });
	expect(next.error?.message).toBe('The monthly GREEN-API quota for checkWhatsapp is used up (3 of 3 used) [item 0]');
	expect((clock.now() - nextStarted) / 1000).toBeLessThan(3);
}, 60_000);

test('lists without repeats keep the pace: N numbers at R per second, no 429, about N/R seconds', async () => {
	const instance = newInstance();
	sandbox.resetStats();
	const input = numbers(30);
	const started = clock.now();
	const result = await runGreenApi(
		credentialsFor(sandbox, instance),
		{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}', options: { maxRequestsPerSecond: 10 } },
		{ items: items(...input) },
	);
	const seconds = (clock.now() - started) / 1000;
	expect(result.error).toBeUndefined();
	expect(result.items.map((item) => item.json.phoneNumber)).toEqual(input.map((i) => i.phone));
	expect(result.items.some((item) => 'repeatOfEarlierItem' in item.json)).toBe(false);
	// Not faster than GREEN-API allows (the sandbox answers 429 above 10/s) ...
	expect(sandbox.stats().byMethod.checkWhatsapp?.byStatus).toEqual({ '200': 30 });
	// ... nor faster than the pace (29 intervals of at least 100 ms) ...
	expect(seconds).toBeGreaterThanOrEqual(2.9);
	// ... and not held back by the share: 30 at 10/s is about 3 s; 9 s leaves a busy machine slack
	// (virtual time runs at least as fast as real time).
	expect(seconds).toBeLessThan(9);
}, 60_000);

test('without Continue On Fail the run stops with the quota message after the 466, and sends nothing more', async () => {
	const instance = newInstance({ checkWhatsappQuota: 1 });
	sandbox.resetStats();
	const result = await runGreenApi(
		credentialsFor(sandbox, instance),
		{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}', options: { maxRequestsPerSecond: 2 } },
		{ items: items(...numbers(20)) },
	);
	expect(result.error?.message).toBe('The monthly GREEN-API quota for checkWhatsapp is used up (1 of 1 used) [item 1]');
	expect(sandbox.stats().byMethod.checkWhatsapp?.byStatus).toEqual({ '200': 1, '466': 1 });
	expectNoToken(result, [instance.apiTokenInstance]);
}, 60_000);

test('two executions at once on one instance share nothing: each checks its own numbers', async () => {
	const instance = newInstance();
	sandbox.resetStats();
	const run = async () =>
		await runGreenApi(credentialsFor(sandbox, instance), { operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' }, {
			items: items(...numbers(3), ...numbers(3, (digits) => `+${digits}`)),
		});
	const [a, b] = await Promise.all([run(), run()]);
	for (const result of [a, b]) {
		expect(result.items.map((item) => item.json.repeatOfEarlierItem ?? false)).toEqual([false, false, false, true, true, true]);
	}
	expect(sandbox.stats().byMethod.checkWhatsapp?.requests).toBe(6);
}, 60_000);

test('with "Continue (using error output)" an error item goes to the error output with the input item\'s fields', async () => {
	const instance = newInstance({ checkWhatsappQuota: 1 });
	const result = await runGreenApi(
		credentialsFor(sandbox, instance),
		{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' },
		{ items: items({ name: 'Ann', phone: '441234567891' }, { name: 'Bob', phone: '441234567892' }), onError: 'continueErrorOutput' },
	);
	expect(result.outputs[0].map((item) => item.json)).toEqual([{ name: 'Ann', phone: '441234567891', phoneNumber: '441234567891', existsWhatsapp: true }]);
	expect(result.outputs[1].map((item) => item.json)).toEqual([
		{
			name: 'Bob',
			phone: '441234567892',
			error: 'The monthly GREEN-API quota for checkWhatsapp is used up (1 of 1 used) [item 1]',
			details: expect.stringMatching(/Upgrade the plan/),
		},
	]);
	expectNoToken(result, [instance.apiTokenInstance]);
}, 60_000);
