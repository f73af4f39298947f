/**
 * The GreenApi node run by n8n's own engine (WorkflowExecute -> RoutingNode) against the
 * sandbox over real HTTP, with the credential applied the way n8n applies it.
 */
import { findSecret, logs } from './harness/engine';
import type { NodeRunResult } from './harness/engine';
import { credentialsFor, items, makeToken, runGreenApi, startSandbox } from './fixtures';
import type { InstanceDef, Sandbox } from './fixtures';

const main: InstanceDef = { idInstance: '1101000001', apiTokenInstance: makeToken('a1a1'), knownNumbers: ['79001234567'] };
const linking: InstanceDef = { idInstance: '1101000002', apiTokenInstance: makeToken('b2b2'), stateInstance: 'notAuthorized' };
const quota: InstanceDef = { idInstance: '1101000003', apiTokenInstance: makeToken('c3c3'), checkWhatsappQuota: 2 };
const faults: InstanceDef = { idInstance: '1101000004', apiTokenInstance: makeToken('d4d4') };
const TOKENS = [main, linking, quota, faults].map((i) => i.apiTokenInstance);

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ instances: [main, linking, quota, faults], rebootMs: 300 });
});
afterAll(async () => await sandbox.close());
beforeEach(() => {
	// Some tests redefine the main instance; reset() keeps such definitions, so put it back first.
	sandbox.addInstance(main);
	sandbox.reset();
	logs.clear();
});

/** No token in the thrown error, the run data, the output items or anything n8n logged. */
function expectNoToken(result: NodeRunResult): void {
	for (const token of TOKENS) {
		expect(findSecret(result, token)).toEqual([]);
		expect(findSecret(logs.lines, token)).toEqual([]);
	}
}

const creds = () => credentialsFor(sandbox, main);

describe('Get State', () => {
	it('gives one result per input item, paired, with what the state means', async () => {
		sandbox.setState(main.idInstance, 'yellowCard');
		const result = await runGreenApi(creds(), { operation: 'getState' }, { items: items({ a: 1 }, { a: 2 }, { a: 3 }) });
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		for (const item of result.items) {
			expect(item.json).toEqual({
				stateInstance: 'yellowCard',
				meaning: expect.stringMatching(/suspended for suspected spam/),
				recommendedAction: 'reboot',
			});
		}
		expect(sandbox.stats().byMethod.getStateInstance.requests).toBe(3);
	});

	it('passes an unknown state through untouched', async () => {
		sandbox.setState(main.idInstance, 'quantumLocked');
		const result = await runGreenApi(creds(), { operation: 'getState' });
		expect(result.items[0].json).toMatchObject({ stateInstance: 'quantumLocked', recommendedAction: 'unknown' });
	});

	it('accepts an API URL with spaces, a trailing slash and no scheme', async () => {
		const host = sandbox.url.replace('http://', '');
		const sloppy = { greenApi: { ...creds().greenApi, apiUrl: `  ${sandbox.url}/ ` } };
		const result = await runGreenApi(sloppy, { operation: 'getState' });
		expect(result.items[0].json.stateInstance).toBe('authorized');
		// Without a scheme https is assumed: the plain-HTTP sandbox cannot answer, and the error says where it went.
		const noScheme = await runGreenApi({ greenApi: { ...creds().greenApi, apiUrl: host } }, { operation: 'getState' });
		expect(noScheme.error?.message).toMatch(new RegExp(`GREEN-API at ${host.replace(/\./g, '\\.')}`));
	});
});

describe('Check WhatsApp', () => {
	it('normalises what people paste and sends the number the API wants', async () => {
		const input = items(
			{ phone: '+44 1234 567891' },
			{ phone: '0044 1234 567890' },
			{ phone: '(44) 1234-567892' },
			{ phone: '441234567893@c.us' },
			{ phone: 441234567894 },
			{ phone: '441234567895' },
		);
		const result = await runGreenApi(creds(), { operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' }, { items: input });
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.json)).toEqual([
			{ phoneNumber: '441234567891', existsWhatsapp: true },
			{ phoneNumber: '441234567890', existsWhatsapp: false },
			{ phoneNumber: '441234567892', existsWhatsapp: true },
			{ phoneNumber: '441234567893', existsWhatsapp: true },
			{ phoneNumber: '441234567894', existsWhatsapp: true },
			{ phoneNumber: '441234567895', existsWhatsapp: true },
		]);
		expect(result.items.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3, 4, 5].map((item) => ({ item })));
		// The sandbox refuses anything but digits, so six 200s prove the body held a clean integer.
		expect(sandbox.stats().byMethod.checkWhatsapp.byStatus).toEqual({ '200': 6 });
	});

	it('fails an item that cannot be a phone number before sending it, naming the item and the value', async () => {
		const input = items({ phone: '441234567891' }, { phone: 'call me' }, { phone: '441234567893' });
		const result = await runGreenApi(creds(), { operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' }, { items: input });
		expect(result.error?.message).toMatch(/Phone Number in item 1: "call me" is not a phone number/);
		expect(result.items).toEqual([]);
	});

	it('with Continue On Fail, bad items become error items in place and the others still succeed', async () => {
		const input = items({ phone: '441234567891' }, { phone: '12345' }, { phone: '441234567890' }, { phone: null });
		const result = await runGreenApi(
			creds(),
			{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.phone }}' },
			{ items: input, continueOnFail: true },
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(4);
		expect(result.items[0].json).toEqual({ phoneNumber: '441234567891', existsWhatsapp: true });
		expect(result.items[1].json.error).toMatch(/item 1: "12345" has 5 digits; GREEN-API accepts 11 to 16/);
		expect(result.items[2].json).toEqual({ phoneNumber: '441234567890', existsWhatsapp: false });
		expect(result.items[3].json.error).toMatch(/item 3: The phone number is empty/);
		expect(result.items.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		// Only the two good numbers reached GREEN-API.
		expect(sandbox.stats().byMethod.checkWhatsapp.requests).toBe(2);
	});

	it('says when the monthly quota is used up, with the numbers from the API', async () => {
		const input = items({ p: '441234567891' }, { p: '441234567892' }, { p: '441234567893' });
		const result = await runGreenApi(
			credentialsFor(sandbox, quota),
			{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.p }}' },
			{ items: input, continueOnFail: true },
		);
		expect(result.items[0].json.existsWhatsapp).toBe(true);
		expect(result.items[1].json.existsWhatsapp).toBe(true);
		expect(result.items[2].json.error).toMatch(/monthly GREEN-API quota for checkWhatsapp is used up \(2 of 2 used\) \[item 2\]/);
		expect((result.items[2].error as { description?: string }).description).toMatch(/Monthly quota has been exceeded/);
		// 466 is final: not retried.
		expect(sandbox.stats().byMethod.checkWhatsapp.requests).toBe(3);
		expectNoToken(result);
	});

	it.each(['json', 'text'] as const)('shows GREEN-API\'s own text for a 400 written as %s', async (style) => {
		const sb = await startSandbox({ instances: [main], errorStyle: style });
		try {
			sb.setState(main.idInstance, 'starting');
			const result = await runGreenApi(credentialsFor(sb, main), { operation: 'checkWhatsapp', phoneNumber: '441234567891' });
			expect(result.error?.message).toBe('GREEN-API rejected the request: instance in starting process try later [item 0]');
			expect(result.error?.description).toMatch(/wait a few minutes/);
		} finally {
			await sb.close();
		}
	});
});

describe('Unban', () => {
	const unban = (description: string, phoneNumber = '+7 900 123-45-67') => ({ operation: 'unban', phoneNumber, description });

	it.each([
		['UNBANNED', /ban was lifted/],
		['IN_REVIEW', /do not appeal again/],
		['PERMANETLY_BANNED', /banned permanently/],
		['NO_APPEAL_OPEN', /No appeal/],
		['SOMETHING_NEW', /not documented yet/],
	])('keeps status %s and reason and explains it', async (status, explanation) => {
		sandbox.addInstance({ ...main, unbanStatus: status, stateInstance: 'blocked' });
		const result = await runGreenApi(creds(), unban('Please review the ban of +79001234567: support replies only.'));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ phoneNumber: '79001234567', status, reason: '', explanation: expect.stringMatching(explanation) });
	});

	it('needs a description, and sends nothing without one', async () => {
		const result = await runGreenApi(creds(), unban('   '));
		expect(result.error?.message).toBe('Description in item 0 is empty');
		expect(sandbox.stats().total).toBe(0);
	});

	it('shows the API error for a number that was never on this instance', async () => {
		const result = await runGreenApi(creds(), unban('appeal', '441234567891'));
		expect(result.error?.message).toMatch(/rejected the request: phone number was not connected to this instance/);
	});

	it('is never retried: a 502 answer files no second appeal', async () => {
		sandbox.injectFault({ method: 'unban', kind: 'html', count: 5 });
		const result = await runGreenApi(creds(), unban('appeal'));
		expect(result.error?.message).toMatch(/server error \(502\): 502 Bad Gateway/);
		expect(sandbox.stats().byMethod.unban.requests).toBe(1);
		expectNoToken(result);
	});
});

describe('Reboot, Logout, Get Account Info, Get QR Code', () => {
	it('Reboot answers isReboot and the instance starts, then comes back', async () => {
		const result = await runGreenApi(creds(), { operation: 'reboot' });
		expect(result.items[0].json).toEqual({ isReboot: true });
		const state = await runGreenApi(creds(), { operation: 'getState' });
		expect(state.items[0].json.stateInstance).toBe('starting');
	});

	it('Logout answers isLogout and leaves the instance notAuthorized', async () => {
		const result = await runGreenApi(creds(), { operation: 'logout' });
		expect(result.items[0].json).toEqual({ isLogout: true });
		const info = await runGreenApi(creds(), { operation: 'getAccountInfo' });
		expect(info.items[0].json).toMatchObject({ stateInstance: 'notAuthorized', phone: '', avatar: '', deviceId: '' });
	});

	it('Get Account Info gives phone, avatar, device and state', async () => {
		const result = await runGreenApi(creds(), { operation: 'getAccountInfo' });
		expect(result.items[0].json).toEqual({
			avatar: expect.stringMatching(/^https?:\/\//),
			phone: '79001234567',
			stateInstance: 'authorized',
			deviceId: expect.any(String),
			meaning: 'Linked to a phone and working.',
		});
	});

	it('Get QR Code gives a PNG file in binary data when a QR code is offered', async () => {
		const result = await runGreenApi(credentialsFor(sandbox, linking), { operation: 'getQrCode' });
		expect(result.error).toBeUndefined();
		const [item] = result.items;
		expect(item.json).toEqual({ type: 'qrCode', explanation: expect.stringMatching(/Scan this QR code/) });
		const binary = item.binary?.data;
		expect(binary).toMatchObject({ mimeType: 'image/png', fileName: 'whatsapp-qr.png', fileExtension: 'png' });
		const png = Buffer.from(binary!.data, 'base64');
		expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
		expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
		expect(png.readUInt32BE(16)).toBeGreaterThan(20);
	});

	it.each([
		['authorized', 'alreadyLogged', /already linked/],
		['starting', 'error', /could not make a QR code/],
	])('Get QR Code when %s is %s JSON with an explanation, not a failure', async (state, type, explanation) => {
		sandbox.setState(linking.idInstance, state);
		const result = await runGreenApi(credentialsFor(sandbox, linking), { operation: 'getQrCode' });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ type, message: expect.any(String), explanation: expect.stringMatching(explanation) });
		expect(result.items[0].binary).toBeUndefined();
	});
});

describe('errors are clear and never carry the token', () => {
	const wrongToken = 'ffffeeeeddddccccbbbbaaaa99998888777766665555444433';

	it('401: the token is wrong', async () => {
		const result = await runGreenApi(
			{ greenApi: { ...creds().greenApi, apiTokenInstance: wrongToken } },
			{ operation: 'getState' },
		);
		expect(result.error?.message).toBe('GREEN-API refused the API token (401 Unauthorized) [item 0]');
		expect(result.error?.description).toMatch(/API Token in the GREEN-API credential/);
		expect(findSecret(result, wrongToken)).toEqual([]);
		expectNoToken(result);
	});

	it('403: the instance ID (or host) is wrong', async () => {
		const result = await runGreenApi(
			{ greenApi: { ...creds().greenApi, idInstance: '1109999999' } },
			{ operation: 'getState' },
		);
		expect(result.error?.message).toBe('GREEN-API refused access to this instance (403 Forbidden) [item 0]');
		expect(result.error?.description).toMatch(/Instance ID and the API URL/);
		expectNoToken(result);
	});

	it('an Instance ID that is not digits is refused before any request', async () => {
		const result = await runGreenApi({ greenApi: { ...creds().greenApi, idInstance: 'my-instance' } }, { operation: 'getState' });
		expect(result.error?.message).toMatch(/Instance ID in the GREEN-API credential must be 1 to 10 digits/);
		expect(sandbox.stats().total).toBe(0);
		expectNoToken(result);
	});

	const cases: Array<[string, Parameters<Sandbox['injectFault']>[0], RegExp, RegExp, number]> = [
		['404', { kind: 'status', status: 404, body: 'Not Found', count: 9 }, /does not offer getStateInstance at this address \(404/, /API URL/, 1],
		['429 (after retries)', { kind: 'status', status: 429, body: 'Too Many Requests', count: 9 }, /Too many requests to GREEN-API for this instance \(429\) \(tried 4 times\)/, /Max Requests Per Second/, 4],
		['499', { kind: 'status', status: 499, body: 'Client Closed Request', count: 9 }, /closed the request before answering \(499\) \(tried 4 times\)/, /Timeout/, 4],
		['500', { kind: 'status', status: 500, body: 'file over 100 MB', count: 9 }, /server error \(500\): file over 100 MB \[item 0\]/, /try again in a few minutes/, 1],
		['an HTML 502 page', { kind: 'html', count: 9 }, /server error \(502\): 502 Bad Gateway \(tried 4 times\)/, /try again/, 4],
		['503', { kind: 'status', status: 503, body: 'Service Unavailable', count: 9 }, /server error \(503\)/, /try again/, 4],
		['an empty body', { kind: 'empty' }, /no state for this instance \(empty answer\)/, /still being created/, 1],
		['a null body', { kind: 'null' }, /no state for this instance \(empty answer\)/, /still being created/, 1],
		['a dropped connection', { kind: 'drop' }, /connection to GREEN-API at 127\.0\.0\.1:\d+ was closed before an answer came/, /Try again/, 1],
		['a non-JSON 200', { kind: 'status', status: 200, body: 'Welcome to nginx' }, /not JSON: "Welcome to nginx"/, /API URL/, 1],
	];

	it.each(cases)('%s', async (_name, fault, message, description, requests) => {
		sandbox.injectFault({ idInstance: faults.idInstance, ...fault });
		const result = await runGreenApi(credentialsFor(sandbox, faults), { operation: 'getState' });
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(description);
		expect(sandbox.stats().byMethod.getStateInstance.requests).toBe(requests);
		expectNoToken(result);
	}, 60_000);

	it('a timeout', async () => {
		sandbox.injectFault({ idInstance: faults.idInstance, kind: 'delay', delayMs: 10_000 });
		const result = await runGreenApi(credentialsFor(sandbox, faults), { operation: 'getState', options: { timeout: 1 } });
		expect(result.error?.message).toBe('GREEN-API did not answer within 1 s [item 0]');
		expectNoToken(result);
	});

	it('a refused connection', async () => {
		const closed = await startSandbox({ instances: [faults] });
		const url = closed.url;
		await closed.close();
		const result = await runGreenApi({ greenApi: { ...credentialsFor(sandbox, faults).greenApi, apiUrl: url } }, { operation: 'getState' });
		expect(result.error?.message).toMatch(/Could not connect to GREEN-API at 127\.0\.0\.1:\d+ \(connection refused\)/);
		expectNoToken(result);
	});

	it('with Continue On Fail each failed item carries its error and index, the others succeed', async () => {
		sandbox.injectFault({ idInstance: faults.idInstance, method: 'checkWhatsapp', kind: 'status', status: 500, body: 'boom', count: 1 });
		const result = await runGreenApi(
			credentialsFor(sandbox, faults),
			{ operation: 'checkWhatsapp', phoneNumber: '={{ $json.p }}' },
			{ items: items({ p: '441234567891' }, { p: '441234567892' }, { p: '441234567893' }), continueOnFail: true },
		);
		expect(result.items).toHaveLength(3);
		const errors = result.items.filter((i) => i.json.error);
		expect(errors).toHaveLength(1);
		expect(errors[0].json.error).toMatch(/server error \(500\): boom \[item \d\]/);
		const index = Number(/\[item (\d)\]/.exec(String(errors[0].json.error))![1]);
		expect(errors[0].pairedItem).toEqual({ item: index });
		expect(result.items.filter((i) => i.json.existsWhatsapp === true)).toHaveLength(2);
		expectNoToken(result);
	});
});
