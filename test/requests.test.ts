/**
 * What reaches GREEN-API, through n8n's engine over real HTTP: the phone number as GREEN-API
 * documents it (an integer), and a fresh request each time the node runs again in one execution.
 */
import { credentialsFor, items, makeToken, runGreenApi, startSandbox } from './fixtures';
import type { InstanceDef, Sandbox } from './fixtures';
import { startServer } from './harness/engine';
import type { TestServer } from './harness/engine';

let sandbox: Sandbox;
let server: TestServer;

beforeAll(async () => {
	sandbox = await startSandbox();
	server = await startServer(() => ({ json: { existsWhatsapp: true } }));
});
afterAll(async () => {
	await sandbox.close();
	await server.close();
});

test('the phone number goes out as a JSON integer with every digit, 16-digit numbers too', async () => {
	// The sandbox accepts digits in a string as well, so only the raw body can show this.
	const token = makeToken('body1');
	const result = await runGreenApi(
		{ greenApi: { apiUrl: server.url, idInstance: '1105000001', apiTokenInstance: token } },
		{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' },
		{ items: items({ phone: '+44 1234 567891' }, { phone: '9007 1992 5474 0993' }) },
	);
	expect(result.error).toBeUndefined();
	// 9007199254740993 is above Number.MAX_SAFE_INTEGER: a number written through a JavaScript number would lose its last digit.
	expect(server.requests.map((r) => r.body).sort()).toEqual(['{"phoneNumber":441234567891}', '{"phoneNumber":9007199254740993}']);
	expect(server.requests.map((r) => r.headers['content-type'])).toEqual(['application/json', 'application/json']);
});

test('a workflow that loops back to the node in one execution asks GREEN-API again: never a stale answer', async () => {
	const instance: InstanceDef = { idInstance: '1105000002', apiTokenInstance: makeToken('loop2') };
	sandbox.addInstance(instance);
	sandbox.resetStats();
	const result = await runGreenApi(
		credentialsFor(sandbox, instance),
		{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' },
		{ items: items({ phone: '+44 1234 567891' }, { phone: '441234567891' }, { phone: '+44 1234 567890' }), runs: 3 },
	);
	expect(result.error).toBeUndefined();
	expect(result.run.data.resultData.runData[result.node.name]).toHaveLength(3);
	// Within a run a repeated number is asked once; each of the 3 runs asks both numbers again.
	expect(sandbox.stats().byMethod.checkWhatsapp?.requests).toBe(3 * 2);
	expect(result.items.map((item) => item.json.repeatOfEarlierItem)).toEqual([undefined, true, undefined]);
});
