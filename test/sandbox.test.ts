/**
 * Tests of the GREEN-API sandbox itself, over real HTTP: the other suites trust it to behave
 * like GREEN-API (sandbox/README.md), so its rules are pinned down here.
 */
import { spawn } from 'child_process';
import * as zlib from 'zlib';
import type { Sandbox, SandboxModule } from '../sandbox/types';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSandbox, METHODS, METHOD_TABLE, DEMO } = require('../sandbox/server') as SandboxModule;

const ID = '1101000001';
const TOKEN = 'd0e1m2o380d673db4da8ab8915aab21e9fc8ae28d45725d0b5';
const BLOCKED_ID = '1101000002';
const BLOCKED_TOKEN = 'b'.repeat(50);
const NO_RATE_LIMITS = Object.fromEntries(Object.keys(METHODS).map((m) => [m, null]));
const CYRILLIC_COUNT = '\u0441ount'; // "сount" with a Cyrillic first letter, as GREEN-API's WhatsApp examples spell it
const NEW_ID = '1101000004';
const NEW_TOKEN = 'n'.repeat(50);

interface Call {
	id?: string;
	token?: string;
	verb?: string;
	body?: unknown;
}

/** A fetch answer whose JSON body is read loosely: expect() checks its shape. */
interface Reply extends Response {
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	json(): Promise<any>;
}

function call(sb: Sandbox, method: string, { id = ID, token = TOKEN, verb, body }: Call = {}): Promise<Reply> {
	const post = METHODS[method] === 'POST';
	return fetch(`${sb.url}/waInstance${id}/${method}/${token}`, {
		method: verb ?? (post ? 'POST' : 'GET'),
		headers: { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});
}

async function answer(res: Response) {
	return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** GET without a body, POST with one. */
function admin(sb: Sandbox, path: string, body?: unknown): Promise<Reply> {
	return fetch(`${sb.url}/admin${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads a PNG the long way: signature, chunk CRCs (own CRC-32, not the server's), pixels. */
function decodePng(png: Buffer) {
	const table = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc32 = (buf: Buffer) => {
		let c = 0xffffffff;
		for (const byte of buf) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
	const chunks: Record<string, Buffer> = {};
	const order: string[] = [];
	for (let at = 8; at < png.length; ) {
		const length = png.readUInt32BE(at);
		const typeAndData = png.subarray(at + 4, at + 8 + length);
		expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(typeAndData));
		const type = typeAndData.subarray(0, 4).toString('ascii');
		order.push(type);
		chunks[type] = Buffer.concat([chunks[type] ?? Buffer.alloc(0), typeAndData.subarray(4)]);
		at += 12 + length;
	}
	expect(order[0]).toBe('IHDR');
	expect(order[order.length - 1]).toBe('IEND');
	const width = chunks.IHDR.readUInt32BE(0);
	const height = chunks.IHDR.readUInt32BE(4);
	expect([...chunks.IHDR.subarray(8)]).toEqual([8, 0, 0, 0, 0]); // 8-bit grayscale
	const raw = zlib.inflateSync(chunks.IDAT);
	expect(raw.length).toBe(height * (width + 1));
	return { width, height, raw };
}

describe('GREEN-API sandbox', () => {
	let sb: Sandbox;

	beforeAll(async () => {
		sb = await startSandbox({
			rateLimits: NO_RATE_LIMITS, // rate limits get their own sandbox below
			rebootMs: 150,
			instances: [
				{ idInstance: ID, apiTokenInstance: TOKEN },
				{ idInstance: Number(BLOCKED_ID), apiTokenInstance: BLOCKED_TOKEN, stateInstance: 'blocked', knownNumbers: ['79001234567', '441234567891'] },
			],
		});
	});
	afterAll(() => sb.close());
	beforeEach(() => sb.reset());

	it('checks path, instance, token and verb in that order, and never echoes the token', async () => {
		const bodies: string[] = [];
		const expectAnswer = async (res: Promise<Response>, status: number, text: string) => {
			const a = await answer(await res);
			bodies.push(a.text);
			expect([a.status, a.text]).toEqual([status, text]);
		};
		await expectAnswer(call(sb, 'sendMessage'), 404, 'Not Found');
		await expectAnswer(call(sb, 'sendMessage', { id: '999' }), 404, 'Not Found');
		await expectAnswer(fetch(`${sb.url}/waInstance${ID}/getStateInstance`), 404, 'Not Found');
		await expectAnswer(call(sb, 'getStateInstance', { id: '999', token: 'x' }), 403, 'Forbidden');
		await expectAnswer(call(sb, 'getStateInstance', { token: TOKEN.slice(1) }), 401, 'Unauthorized');
		await expectAnswer(call(sb, 'getStateInstance', { verb: 'POST', body: {} }), 404, 'Not Found');
		await expectAnswer(call(sb, 'checkWhatsapp', { verb: 'GET' }), 404, 'Not Found');
		// Faults come after auth: a wrong token still gets 401 and leaves the fault queued.
		sb.injectFault({ kind: 'status', status: 500 });
		await expectAnswer(call(sb, 'getStateInstance', { token: 'wrong' }), 401, 'Unauthorized');
		await expectAnswer(call(sb, 'getStateInstance'), 500, 'Internal Server Error');
		await expectAnswer(call(sb, 'getStateInstance'), 200, '{"stateInstance":"authorized"}');
		for (const body of bodies) expect(body).not.toContain(TOKEN.slice(8));
	});

	it('answers getStateInstance with null while the instance is being created, and follows scripts', async () => {
		sb.addInstance({ idInstance: '7', apiTokenInstance: 'seven', stateInstance: null });
		expect(await answer(await call(sb, 'getStateInstance', { id: '7', token: 'seven' }))).toMatchObject({ status: 200, text: 'null' });

		sb.scriptStates(ID, ['starting', 'weirdNewState', 'authorized']);
		const seen = [];
		for (let i = 0; i < 5; i++) seen.push(await (await call(sb, 'getStateInstance')).json());
		expect(seen.map((s) => s.stateInstance)).toEqual(['starting', 'weirdNewState', 'authorized', 'authorized', 'authorized']);

		await admin(sb, `/instances/${ID}/script`, { states: ['blocked', null] });
		expect(await (await call(sb, 'getStateInstance')).json()).toEqual({ stateInstance: 'blocked' });
		expect(await (await call(sb, 'getStateInstance')).text()).toBe('null');
	});

	it('checkWhatsapp: deterministic answer, validation, authorization, 466 when the quota is used up', async () => {
		const check = async (body: unknown) => answer(await call(sb, 'checkWhatsapp', { body }));
		expect(await check({ phoneNumber: 441234567891 })).toMatchObject({ status: 200, text: '{"existsWhatsapp":true}' });
		expect(await check({ phoneNumber: '441234567890' })).toMatchObject({ status: 200, text: '{"existsWhatsapp":false}' });
		const wrongFormat = { status: 400, type: 'application/json', text: JSON.stringify({ message: "Wrong format. 'phoneNumber' must contain only digits" }) };
		expect(await check({ phoneNumber: '+441234567891' })).toEqual(wrongFormat);
		expect(await check({})).toEqual(wrongFormat);
		expect(await check({ phoneNumber: 4412345678 })).toMatchObject({ status: 400, text: '{"message":"bad phone number, valid from 11 to 16 digits"}' });
		expect(await check({ phoneNumber: '44123456789012345' })).toMatchObject({ status: 400 });
		const notJson = await check('{"phoneNumber": ');
		expect(notJson.status).toBe(400);
		expect(JSON.parse(notJson.text).message).toMatch(/JSON/);

		sb.setState(ID, 'starting');
		expect((await check({ phoneNumber: 441234567891 })).text).toBe('{"message":"instance in starting process try later"}');
		sb.setState(ID, 'notAuthorized');
		expect((await check({ phoneNumber: 441234567891 })).text).toBe('{"message":"instance account not authorized"}');

		sb.addInstance({ idInstance: '8', apiTokenInstance: 'eight', checkWhatsappQuota: 2 });
		const statuses = [];
		for (let i = 0; i < 3; i++) statuses.push(await answer(await call(sb, 'checkWhatsapp', { id: '8', token: 'eight', body: { phoneNumber: 441234567891 } })));
		expect(statuses.map((a) => a.status)).toEqual([200, 200, 466]);
		expect(JSON.parse(statuses[2].text)).toEqual({
			invokeStatus: {
				method: 'checkwhatsapp',
				used: 2,
				total: 2,
				status: 'QUOTE_EXCEEDED',
				description: 'Monthly quota has been exceeded. To continue, upgrade your tariff plan.',
			},
		});
		sb.reset(); // quotas start again
		expect((await call(sb, 'checkWhatsapp', { id: '8', token: 'eight', body: { phoneNumber: 441234567891 } })).status).toBe(200);
	});

	it('applies faults to the next N matching requests, in order, without touching rate limits', async () => {
		sb.setRateLimit('getStateInstance', 1);
		sb.injectFault({ method: 'checkWhatsapp', kind: 'status', status: 503, body: { error: 'busy' }, count: 2 });
		sb.injectFault({ idInstance: ID, method: 'getStateInstance', kind: 'html' });
		sb.injectFault({ idInstance: ID, method: 'getStateInstance', kind: 'empty' });
		sb.injectFault({ idInstance: ID, method: 'getStateInstance', kind: 'null', count: 2 });

		const other = await answer(await call(sb, 'getStateInstance', { id: BLOCKED_ID, token: BLOCKED_TOKEN }));
		expect(other).toMatchObject({ status: 200, text: '{"stateInstance":"blocked"}' });

		const got = [];
		for (let i = 0; i < 5; i++) got.push(await answer(await call(sb, 'getStateInstance')));
		expect(got[0]).toMatchObject({ status: 502, type: 'text/html' });
		expect(got[0].text).toContain('<title>502 Bad Gateway</title>');
		expect(got.slice(1).map((a) => [a.status, a.text])).toEqual([[200, ''], [200, 'null'], [200, 'null'], [200, '{"stateInstance":"authorized"}']]);
		// The four faulted calls did not use the 1/s budget; the one real call did.
		expect((await call(sb, 'getStateInstance')).status).toBe(429);

		const checks = [];
		for (let i = 0; i < 3; i++) checks.push(await answer(await call(sb, 'checkWhatsapp', { body: { phoneNumber: 441234567891 } })));
		expect(checks.map((a) => [a.status, a.text])).toEqual([[503, '{"error":"busy"}'], [503, '{"error":"busy"}'], [200, '{"existsWhatsapp":true}']]);

		sb.injectFault({ kind: 'drop' });
		await expect(call(sb, 'getWaSettings')).rejects.toThrow();
		const stats = sb.stats();
		expect(stats.byStatus.dropped).toBe(1);
		expect(stats.byMethod.getStateInstance.faults).toBe(4);
		expect(stats.byMethod.checkWhatsapp.faults).toBe(2);
	});

	it('unban: validation, known numbers only, lifts a block when UNBANNED', async () => {
		const unban = async (body: unknown) => answer(await call(sb, 'unban', { id: BLOCKED_ID, token: BLOCKED_TOKEN, body }));
		expect((await unban({ phoneNumber: 441234567891 })).text).toBe('{"message":"Bad Request Validation failed"}');
		expect((await unban({ phoneNumber: 'x', description: 'please' })).status).toBe(400);
		expect((await unban({ phoneNumber: 441234567899, description: 'please' })).text).toBe('{"message":"phone number was not connected to this instance"}');
		expect((await call(sb, 'getStateInstance', { id: BLOCKED_ID, token: BLOCKED_TOKEN }).then((r) => r.json())).stateInstance).toBe('blocked');
		expect(await unban({ phoneNumber: 441234567891, description: 'please review 441234567891' })).toMatchObject({
			status: 200,
			text: '{"status":"UNBANNED","reason":""}',
		});
		expect((await call(sb, 'getStateInstance', { id: BLOCKED_ID, token: BLOCKED_TOKEN }).then((r) => r.json())).stateInstance).toBe('authorized');

		sb.addInstance({ idInstance: '9', apiTokenInstance: 'nine', stateInstance: 'blocked', unbanStatus: 'IN_REVIEW' });
		const inReview = await call(sb, 'unban', { id: '9', token: 'nine', body: { phoneNumber: 79001234567, description: 'again' } });
		expect(await inReview.json()).toEqual({ status: 'IN_REVIEW', reason: '' });
		expect(sb.listInstances().find((i) => i.idInstance === '9')?.stateInstance).toBe('blocked');
	});

	it('reboot, logout, qr (a valid PNG) and getWaSettings follow the state', async () => {
		expect(await (await call(sb, 'reboot')).json()).toEqual({ isReboot: true });
		expect(await (await call(sb, 'getStateInstance')).json()).toEqual({ stateInstance: 'starting' });
		expect(await (await call(sb, 'qr')).json()).toEqual({ type: 'error', message: 'instance in starting state' });
		await sleep(250);
		expect(await (await call(sb, 'getStateInstance')).json()).toEqual({ stateInstance: 'authorized' });

		expect(await (await call(sb, 'qr')).json()).toEqual({ type: 'alreadyLogged', message: 'instance account already authorized' });
		const settings = await (await call(sb, 'getWaSettings')).json();
		expect(settings).toMatchObject({ phone: '79001234567', stateInstance: 'authorized' });
		expect(settings.avatar).toMatch(/^https:\/\/.+\/avatar\.jpg$/);
		expect(settings.deviceId).not.toBe('');

		expect(await (await call(sb, 'logout')).json()).toEqual({ isLogout: true });
		expect(await (await call(sb, 'getWaSettings')).json()).toEqual({ avatar: '', phone: '', stateInstance: 'notAuthorized', deviceId: '' });
		const qr = await (await call(sb, 'qr')).json();
		expect(qr.type).toBe('qrCode');
		const { width, height, raw } = decodePng(Buffer.from(qr.message, 'base64'));
		expect(width).toBe(height);
		expect(width).toBeGreaterThanOrEqual(29);
		const pixels = new Set(raw.filter((_, i) => i % (width + 1) !== 0));
		expect([...pixels].sort()).toEqual([0, 255]); // black and white only
	});

	it('refuses checkWhatsapp with the 400 text of each state (yellowCard as the real API answered)', async () => {
		const texts: Record<string, string> = {};
		for (const state of ['notAuthorized', 'starting', 'yellowCard', 'blocked', 'sleepMode', 'someNewState', null]) {
			sb.setState(ID, state);
			const a = await answer(await call(sb, 'checkWhatsapp', { body: { phoneNumber: 441234567891 } }));
			expect(a.status).toBe(400);
			texts[String(state)] = JSON.parse(a.text).message;
		}
		expect(texts).toEqual({
			notAuthorized: 'instance account not authorized',
			starting: 'instance in starting process try later',
			yellowCard: 'instance account not authorized',
			blocked: 'instance account not authorized',
			sleepMode: 'instance account not authorized',
			someNewState: 'instance account not authorized',
			null: 'instance account not authorized',
		});
		// Should GREEN-API turn out to answer otherwise, one option says so.
		const other = await startSandbox({ refusals: { yellowCard: 'instance in yellowCard state' }, instances: [{ idInstance: ID, apiTokenInstance: TOKEN, stateInstance: 'yellowCard' }] });
		try {
			expect((await answer(await call(other, 'checkWhatsapp', { body: { phoneNumber: 441234567891 } }))).text).toBe('{"message":"instance in yellowCard state"}');
		} finally {
			await other.close();
		}
	});

	it('getAuthorizationCode: a code for an unauthorized instance, status false on demand, 400 when linked or starting', async () => {
		sb.addInstance({ idInstance: NEW_ID, apiTokenInstance: NEW_TOKEN, stateInstance: 'notAuthorized', phone: '79001112233' });
		const getCode = async (body: unknown) => answer(await call(sb, 'getAuthorizationCode', { id: NEW_ID, token: NEW_TOKEN, body }));
		expect((await getCode({ phoneNumber: '+441234567891' })).text).toBe(`{"message":"Wrong format. 'phoneNumber' must contain only digits"}`);
		expect((await getCode({ phoneNumber: 4412345 })).text).toBe('{"message":"bad phone number, valid from 11 to 16 digits"}');
		expect((await call(sb, 'getAuthorizationCode', { id: NEW_ID, token: NEW_TOKEN, verb: 'GET' })).status).toBe(404);

		const before = Date.now();
		const first = await getCode({ phoneNumber: 441234567891 });
		expect(first.status).toBe(200);
		const { status, code } = JSON.parse(first.text);
		expect(status).toBe(true);
		expect(code).toMatch(/^[A-Z0-9]{8}$/);
		const issued = sb.listInstances().find((i) => i.idInstance === NEW_ID)?.authorizationCode;
		expect(issued).toMatchObject({ code, phoneNumber: '441234567891' });
		expect(issued?.expiresAt).toBeGreaterThanOrEqual(before + 150000);
		expect(issued?.expiresAt).toBeLessThanOrEqual(Date.now() + 150000);
		const second = JSON.parse((await getCode({ phoneNumber: 441234567891 })).text);
		expect(second.code).not.toBe(code); // each call makes a new code; the last one counts

		// Entering an old or wrong code fails; the last one links the phone.
		expect((await admin(sb, `/instances/${NEW_ID}/code`, { code })).status).toBe(400);
		expect(sb.listInstances().find((i) => i.idInstance === NEW_ID)?.stateInstance).toBe('notAuthorized');
		const linked = await admin(sb, `/instances/${NEW_ID}/code`, { code: second.code });
		expect(linked.status).toBe(200);
		expect(await linked.json()).toMatchObject({ stateInstance: 'authorized', phone: '441234567891', authorizationCode: null });
		expect(await (await call(sb, 'getStateInstance', { id: NEW_ID, token: NEW_TOKEN })).json()).toEqual({ stateInstance: 'authorized' });

		// A linked instance must log out first; a starting one is told to try later.
		for (const [state, message] of [
			['authorized', 'instance account already authorized'],
			['yellowCard', 'instance account already authorized'],
			['blocked', 'instance account already authorized'],
			['starting', 'instance in starting process try later'],
			[null, 'instance in starting process try later'],
		] as const) {
			sb.setState(NEW_ID, state);
			expect([state, await getCode({ phoneNumber: 441234567891 })]).toEqual([state, { status: 400, type: 'application/json', text: JSON.stringify({ message }) }]);
		}

		// status false: "the code could not be made, try again" (admin HTTP and in process).
		sb.setState(NEW_ID, 'notAuthorized');
		expect(await (await admin(sb, `/instances/${NEW_ID}`, { authorizationCodeStatus: false })).json()).toMatchObject({ authorizationCodeStatus: false });
		expect(await getCode({ phoneNumber: 441234567891 })).toMatchObject({ status: 200, text: '{"status":false,"code":""}' });
		sb.updateInstance(NEW_ID, { authorizationCodeStatus: true });
		expect(JSON.parse((await getCode({ phoneNumber: 441234567891 })).text).status).toBe(true);
		expect((await admin(sb, `/instances/${NEW_ID}`, { authorizationCodeStatus: 'no' })).status).toBe(400);
	});

	it('getAuthorizationCode: a code expires', async () => {
		const quick = await startSandbox({ authorizationCodeMs: 50, instances: [{ idInstance: ID, apiTokenInstance: TOKEN, stateInstance: 'notAuthorized' }] });
		try {
			const { code } = await (await call(quick, 'getAuthorizationCode', { body: { phoneNumber: 441234567891 } })).json();
			await sleep(120);
			const late = await admin(quick, `/instances/${ID}/code`, { code });
			expect([late.status, await late.json()]).toEqual([400, { error: 'the code has expired' }]);
			expect(() => quick.enterAuthorizationCode(ID, code)).toThrow('the code has expired');
			expect(quick.getInstance(ID).stateInstance).toBe('notAuthorized');
		} finally {
			await quick.close();
		}
	});

	it('unbanStatus: the appeal on record for connected numbers, without filing one', async () => {
		const status = async (phoneNumber: unknown, id = BLOCKED_ID, token = BLOCKED_TOKEN) => answer(await call(sb, 'unbanStatus', { id, token, body: { phoneNumber } }));
		expect((await status(441234567899)).text).toBe('{"message":"phone number was not connected to this instance"}');
		expect((await status('44 1234')).status).toBe(400);
		expect((await call(sb, 'unbanStatus', { id: BLOCKED_ID, token: BLOCKED_TOKEN, verb: 'GET' })).status).toBe(404);
		expect(await status(441234567891)).toMatchObject({ status: 200, text: '{"status":"NO_APPEAL_OPEN","reason":""}' });

		sb.updateInstance(BLOCKED_ID, { unbanStatus: 'IN_REVIEW' });
		await call(sb, 'unban', { id: BLOCKED_ID, token: BLOCKED_TOKEN, body: { phoneNumber: 441234567891, description: 'please review' } });
		for (let i = 0; i < 2; i++) expect((await status(441234567891)).text).toBe('{"status":"IN_REVIEW","reason":""}'); // safe to repeat
		expect(sb.getInstance(BLOCKED_ID).stateInstance).toBe('blocked'); // asking changes nothing

		// The appeal moves on (admin HTTP), as GREEN-API's review would.
		expect((await admin(sb, `/instances/${BLOCKED_ID}`, { appealStatus: 'PERMANETLY_BANNED' })).status).toBe(200);
		expect((await status(79001234567)).text).toBe('{"status":"PERMANETLY_BANNED","reason":""}');
		sb.reset();
		expect((await status(441234567891)).text).toBe('{"status":"NO_APPEAL_OPEN","reason":""}');
	});

	it('outgoing queue: grows while the instance cannot send, drains when authorized; count key spelled either way', async () => {
		sb.addInstance({ idInstance: NEW_ID, apiTokenInstance: NEW_TOKEN, stateInstance: 'notAuthorized', queueGrowth: 3 });
		const get = async (method: string) => (await call(sb, method, { id: NEW_ID, token: NEW_TOKEN })).text();
		// Each getMessagesCount first adds queueGrowth messages (the owner's traffic), so counts are predictable.
		expect([await get('getMessagesCount'), await get('getMessagesCount'), await get('getMessagesCount')]).toEqual(
			[3, 6, 9].map((n) => `{"${CYRILLIC_COUNT}":${n}}`),
		);
		const queue = JSON.parse(await get('showMessagesQueue'));
		expect(queue).toHaveLength(9);
		expect(queue[0]).toEqual({ messageID: expect.stringMatching(/^[0-9A-F]{20}$/), type: 'sendMessage', body: { chatId: '79001234567@c.us', message: expect.any(String) } });
		expect(new Set(queue.map((m: { messageID: string }) => m.messageID)).size).toBe(9);

		sb.setState(NEW_ID, 'authorized');
		expect(sb.getInstance(NEW_ID)).toMatchObject({ messagesQueued: 0, messagesSent: 9 });
		expect(await get('getMessagesCount')).toBe(`{"${CYRILLIC_COUNT}":0}`); // growth is sent at once too
		expect(await get('showMessagesQueue')).toBe('[]');

		// yellowCard keeps messages; a reboot that comes back to authorized sends them.
		sb.updateInstance(NEW_ID, { queueGrowth: 0, countKey: 'count' });
		sb.setState(NEW_ID, 'yellowCard');
		expect(await (await admin(sb, `/instances/${NEW_ID}/queue`, { messages: 2 })).json()).toMatchObject({ messagesQueued: 2 });
		sb.pushMessages(NEW_ID, [{ chatId: '441234567891@c.us', message: 'hello' }]);
		expect(await get('getMessagesCount')).toBe('{"count":3}');
		expect(JSON.parse(await get('showMessagesQueue'))[2]).toMatchObject({ type: 'sendMessage', body: { chatId: '441234567891@c.us', message: 'hello' } });
		await call(sb, 'reboot', { id: NEW_ID, token: NEW_TOKEN });
		expect(await get('getMessagesCount')).toBe('{"count":3}'); // starting: still waiting
		sb.setState(NEW_ID, 'authorized');
		expect(await get('getMessagesCount')).toBe('{"count":0}');

		// setQueue replaces the queue (admin HTTP); reset brings back the definition.
		sb.setState(NEW_ID, 'notAuthorized');
		await admin(sb, `/instances/${NEW_ID}/queue`, { messages: 5 });
		expect(await (await admin(sb, `/instances/${NEW_ID}/queue/set`, { messages: [{ message: 'only' }] })).json()).toMatchObject({ messagesQueued: 1 });
		expect(JSON.parse(await get('showMessagesQueue')).map((m: { body: { message: string } }) => m.body.message)).toEqual(['only']);
		expect((await admin(sb, `/instances/${NEW_ID}/queue`, { messages: -1 })).status).toBe(400);
		expect((await admin(sb, `/instances/${NEW_ID}`, { countKey: 'Count' })).status).toBe(400);
		const notASetting = await admin(sb, `/instances/${NEW_ID}`, { stateInstance: 'authorized' });
		expect([notASetting.status, (await notASetting.json()).error]).toEqual([400, expect.stringContaining('not a setting: stateInstance')]);
		sb.reset();
		expect(sb.getInstance(NEW_ID)).toMatchObject({ stateInstance: 'notAuthorized', messagesQueued: 0, countKey: CYRILLIC_COUNT, queueGrowth: 3 });

		// A queue in the definition.
		sb.addInstance({ idInstance: '10', apiTokenInstance: 'ten', stateInstance: 'yellowCard', queue: 4, countKey: 'count' });
		expect(await (await call(sb, 'getMessagesCount', { id: '10', token: 'ten' })).json()).toEqual({ count: 4 });
		expect((await call(sb, 'getMessagesCount', { verb: 'POST', body: {} })).status).toBe(404);
	});

	it('holds every method of the node to the node\'s pace per instance, and answers it with its verb only', async () => {
		// A clock that stands still: every request is in the same second, however slow the machine.
		const limited = await startSandbox({ now: () => 1_000_000, instances: [{ idInstance: ID, apiTokenInstance: TOKEN, stateInstance: 'notAuthorized' }] });
		try {
			const body = { phoneNumber: 79001234567, description: 'appeal' };
			for (const [method, spec] of Object.entries(METHOD_TABLE)) {
				const wrong = await call(limited, method, { verb: spec.verb === 'POST' ? 'GET' : 'POST', body: spec.verb === 'POST' ? undefined : {} });
				const statuses = [];
				for (let i = 0; i <= Number(spec.perSecond); i++) statuses.push((await call(limited, method, { body: spec.verb === 'POST' ? body : undefined })).status);
				expect([method, wrong.status, statuses.filter((s) => s === 429).length, statuses.at(-1)]).toEqual([method, 404, 1, 429]);
			}
		} finally {
			await limited.close();
		}
	});

	it('answers a method without a handler of its own with the instance\'s `answers` setting', async () => {
		const plain = Object.keys(METHOD_TABLE).find((m) => !['getStateInstance', 'checkWhatsapp'].includes(m))!;
		expect((await admin(sb, `/instances/${ID}`, { answers: { noSuchMethod: {} } })).status).toBe(400);
		expect((await admin(sb, `/instances/${ID}`, { answers: [] })).status).toBe(400);
		expect(sb.getInstance(ID)?.answers).toEqual({});
		sb.updateInstance(ID, { answers: { [plain]: { anything: 1 } } });
		expect(sb.getInstance(ID)?.answers).toEqual({ [plain]: { anything: 1 } });
		sb.reset();
		expect(sb.getInstance(ID)?.answers).toEqual({});
	});

	it('sandbox/cli.js serves the DEMO instance and prints a curl line that works', async () => {
		const child = spawn(process.execPath, [require.resolve('../sandbox/cli.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
		try {
			let out = '';
			const curl = await new Promise<string>((resolve, reject) => {
				child.stdout.on('data', (chunk: Buffer) => {
					out += chunk.toString();
					const m = /try: curl (\S+)/.exec(out);
					if (m) resolve(m[1]);
				});
				child.once('exit', (code) => reject(new Error(`cli.js exited (${code}): ${out}`)));
			});
			expect(out).toContain(`idInstance ${DEMO.idInstance}  apiTokenInstance ${DEMO.apiTokenInstance}`);
			expect(curl).toMatch(new RegExp(`/waInstance${DEMO.idInstance}/getStateInstance/${DEMO.apiTokenInstance}$`));
			expect(await (await fetch(curl)).json()).toEqual({ stateInstance: 'authorized' });
		} finally {
			child.kill('SIGTERM');
		}
	});

	it('writes 400 errors as bare text with errorStyle "text"', async () => {
		const textSb = await startSandbox({ errorStyle: 'text', instances: [{ idInstance: ID, apiTokenInstance: TOKEN }] });
		try {
			const a = await answer(await call(textSb, 'checkWhatsapp', { body: { phoneNumber: 123 } }));
			expect(a).toEqual({ status: 400, type: 'text/plain; charset=utf-8', text: 'bad phone number, valid from 11 to 16 digits' });
		} finally {
			await textSb.close();
		}
	});

	it('rate limits per instance and method over a 1 s sliding window of accepted requests', async () => {
		// The window read on a clock the test moves, so a busy machine cannot stretch a "second".
		let now = 1_000_000;
		const limited = await startSandbox({ retryAfter: 1, now: () => now, instances: [{ idInstance: ID, apiTokenInstance: TOKEN }] });
		try {
			const t0 = now;
			expect((await call(limited, 'getStateInstance')).status).toBe(200);
			const refused = await call(limited, 'getStateInstance');
			expect([refused.status, await refused.text(), refused.headers.get('retry-after')]).toEqual([429, 'Too Many Requests', '1']);

			const burst = await Promise.all(Array.from({ length: 12 }, () => call(limited, 'checkWhatsapp', { body: { phoneNumber: 441234567891 } })));
			expect(burst.filter((r) => r.status === 200)).toHaveLength(10);
			expect(burst.filter((r) => r.status === 429)).toHaveLength(2);

			now = t0 + 600;
			expect((await call(limited, 'getStateInstance')).status).toBe(429);
			now = t0 + 999;
			expect((await call(limited, 'getStateInstance')).status).toBe(429);
			// 1 s after the one accepted call: open again, because the 429s did not count.
			now = t0 + 1000;
			expect((await call(limited, 'getStateInstance')).status).toBe(200);

			const stats = limited.stats();
			expect(stats.byStatus['429']).toBe(5);
			expect(stats.byMethod.getStateInstance).toMatchObject({ requests: 5, ok: 2, rateLimited: 3 });
			expect(stats.byMethod.checkWhatsapp).toMatchObject({ requests: 12, ok: 10, rateLimited: 2 });
			const arrivals = stats.arrivals.getStateInstance;
			expect(arrivals).toHaveLength(2);
			expect(arrivals[1] - arrivals[0]).toBe(1000);
		} finally {
			await limited.close();
		}
	});

	it('counts concurrency and latency in stats', async () => {
		sb.setLatency(50);
		const t0 = Date.now();
		const all = await Promise.all(Array.from({ length: 20 }, () => call(sb, 'getStateInstance')));
		expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
		expect(all.every((r) => r.status === 200)).toBe(true);
		await Promise.all(all.map((r) => r.text()));
		const stats = sb.stats();
		expect(stats).toMatchObject({ total: 20, byStatus: { '200': 20 }, byInstance: { [ID]: { requests: 20, ok: 20 } } });
		expect(stats.maxConcurrent).toBeGreaterThanOrEqual(10);
		expect(stats.firstAt).toBeLessThanOrEqual(stats.lastAt ?? 0);
		sb.resetStats();
		expect(sb.stats().total).toBe(0);
	});

	it('ends a delay fault when closed, so a test can stop at once', async () => {
		const slow = await startSandbox({ instances: [{ idInstance: ID, apiTokenInstance: TOKEN }] });
		slow.injectFault({ kind: 'delay', delayMs: 100, method: 'getStateInstance' });
		const t0 = Date.now();
		expect(await (await call(slow, 'getStateInstance')).json()).toEqual({ stateInstance: 'authorized' });
		expect(Date.now() - t0).toBeGreaterThanOrEqual(95);

		slow.injectFault({ kind: 'delay' }); // 60 s by default
		const pending = call(slow, 'getWaSettings');
		await sleep(50);
		const t1 = Date.now();
		await slow.close();
		await expect(pending).rejects.toThrow();
		expect(Date.now() - t1).toBeLessThan(1000);
	});

	it('offers the same controls over the admin HTTP interface', async () => {
		const added = await admin(sb, '/instances', { idInstance: 1101000003, apiTokenInstance: 'three', stateInstance: 'notAuthorized' });
		expect(added.status).toBe(200);
		const list = await (await admin(sb, '/instances')).json();
		expect(list.map((i: { idInstance: string }) => i.idInstance)).toContain('1101000003');

		expect((await admin(sb, '/instances/1101000003/state', { stateInstance: 'yellowCard' })).status).toBe(200);
		expect(await (await call(sb, 'getStateInstance', { id: '1101000003', token: 'three' })).json()).toEqual({ stateInstance: 'yellowCard' });
		expect((await admin(sb, '/instances/404/state', { stateInstance: 'authorized' })).status).toBe(404);

		expect((await admin(sb, '/faults', { kind: 'teapot' })).status).toBe(400);
		expect((await admin(sb, '/faults', { kind: 'status', status: 500, body: 'boom', method: 'getWaSettings' })).status).toBe(200);
		expect(await answer(await call(sb, 'getWaSettings'))).toMatchObject({ status: 500, text: 'boom' });

		expect(await (await admin(sb, '/rate-limits', { getWaSettings: 1 })).json()).toMatchObject({ getWaSettings: 1 });
		expect((await call(sb, 'getWaSettings')).status).toBe(200);
		expect((await call(sb, 'getWaSettings')).status).toBe(429);
		expect(await (await admin(sb, '/latency', { ms: 5, jitterMs: 1 })).json()).toEqual({ ms: 5, jitterMs: 1 });

		const stats = await (await admin(sb, '/stats')).json();
		expect(stats.byMethod.getWaSettings).toMatchObject({ requests: 3, ok: 1, rateLimited: 1, faults: 1 });
		await admin(sb, '/stats/reset', {});
		expect((await (await admin(sb, '/stats')).json()).total).toBe(0);

		await admin(sb, '/reset', {});
		expect((await call(sb, 'getWaSettings')).status).toBe(200); // rate limits back to none
		expect(await (await call(sb, 'getStateInstance', { id: '1101000003', token: 'three' })).json()).toEqual({ stateInstance: 'notAuthorized' });
		expect((await fetch(`${sb.url}/admin/nothing`)).status).toBe(404);
	});
});
