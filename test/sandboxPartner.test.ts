/**
 * The sandbox's partner accounts (sandbox/partner.js), over real HTTP: the partner operations,
 * the partner credential and the fleet trigger are tested against it, so its rules are pinned
 * down here (sandbox/README.md, "Partner API").
 */
import type { Sandbox, SandboxModule } from '../sandbox/types';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSandbox } = require('../sandbox/server') as SandboxModule;

const PARTNER = 'p'.repeat(40);
const OTHER_PARTNER = 'q'.repeat(40);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function partnerCall(sb: Sandbox, method: string, init: { verb?: string; body?: unknown; token?: string } = {}) {
	const verb = init.verb ?? (method === 'getInstances' ? 'GET' : 'POST');
	const res = await fetch(`${sb.url}/partner/${method}/${init.token ?? PARTNER}`, {
		method: verb,
		headers: { 'Content-Type': 'application/json' },
		body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
	});
	const text = await res.text();
	let json: Json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, text, json };
}

async function state(base: string, id: string, token: string) {
	const res = await fetch(`${base}/waInstance${id}/getStateInstance/${token}`);
	return { status: res.status, text: await res.text() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sandbox partner accounts', () => {
	let sb: Sandbox;
	beforeEach(async () => {
		sb = await startSandbox({ partnerTokens: [PARTNER, OTHER_PARTNER], hosts: ['p02'], partnerCreatingMs: 300 });
	});
	afterEach(() => sb.close());

	test('getInstances lists the account\'s instances with every documented field; each is a real instance', async () => {
		const made = sb.partner.addInstances(PARTNER, { count: 3, name: 'Shop' });
		sb.partner.addInstances(OTHER_PARTNER, { count: 2 });
		const { status, json } = await partnerCall(sb, 'getInstances');
		expect(status).toBe(200);
		expect(json).toHaveLength(3);
		expect(Object.keys(json[0]).sort()).toEqual(
			['apiTokenInstance', 'deleted', 'expirationDate', 'idInstance', 'isExpired', 'isFree', 'isPartner', 'name', 'partnerUserUiid', 'tariff', 'timeCreated', 'timeDeleted', 'typeAccount', 'typeInstance'].sort(),
		);
		expect(json.map((i: Json) => [String(i.idInstance), i.apiTokenInstance, i.name])).toEqual(made.map((m, n) => [m.idInstance, m.apiTokenInstance, `Shop ${n + 1}`]));
		expect(typeof json[0].idInstance).toBe('number');
		expect(made[0].idInstance).toMatch(/^1103\d{6}$/);
		expect(made[0].apiTokenInstance).toMatch(/^[0-9a-f]{50}$/);
		// No state and no API URL in the list, as in GREEN-API's answer.
		expect(json[0]).not.toHaveProperty('stateInstance');
		expect(await state(sb.url, made[1].idInstance, made[1].apiTokenInstance)).toEqual({ status: 200, text: '{"stateInstance":"authorized"}' });
		expect((await state(sb.url, made[1].idInstance, made[0].apiTokenInstance)).status).toBe(401);
	});

	test('thousands of instances in one admin call, over HTTP too', async () => {
		const started = Date.now();
		const res = await fetch(`${sb.url}/admin/partners/${PARTNER}/instances`, { method: 'POST', body: JSON.stringify({ count: 5000, idPrefix: '7103' }) });
		const made: Json = await res.json();
		expect(made).toHaveLength(5000);
		expect(new Set(made.map((m: Json) => m.idInstance)).size).toBe(5000);
		expect(made.every((m: Json) => /^7103\d{6}$/.test(m.idInstance))).toBe(true);
		const { json } = await partnerCall(sb, 'getInstances');
		expect(json).toHaveLength(5000);
		expect(Date.now() - started).toBeLessThan(10000);
	});

	test('errors come as HTTP 200 with a code in the body; the 400 variant is a fault', async () => {
		expect(await partnerCall(sb, 'getInstances', { token: 'wrong' })).toMatchObject({ status: 200, json: { code: 401, description: 'Unauthorized' } });
		expect(await partnerCall(sb, 'deleteInstanceAccount', { body: { idInstance: 1234567890 } })).toMatchObject({ status: 200, json: { code: 404, description: 'Not found' } });
		expect(await partnerCall(sb, 'createInstance', { body: {} })).toMatchObject({ status: 200, json: { code: 400 } });
		expect(await partnerCall(sb, 'createInstance', { body: { delaySendMessagesMilliseconds: 'soon' } })).toMatchObject({ json: { code: 400, description: expect.stringContaining('delaySendMessagesMilliseconds') } });
		expect(await partnerCall(sb, 'createInstance', { body: 'not json' })).toMatchObject({ status: 200, json: { code: 400 } });
		expect((await partnerCall(sb, 'getInstances', { verb: 'POST' })).status).toBe(404);
		expect((await partnerCall(sb, 'renameInstance')).status).toBe(404);
		sb.injectFault({ kind: 'status', status: 400, body: { code: 400, description: 'Bad Request' }, method: 'getInstances' });
		expect(await partnerCall(sb, 'getInstances')).toMatchObject({ status: 400, json: { code: 400 } });
		expect((await partnerCall(sb, 'getInstances')).status).toBe(200);
		// An instance fault does not reach partner calls.
		sb.injectFault({ kind: 'status', status: 500, idInstance: '1' });
		expect((await partnerCall(sb, 'getInstances')).status).toBe(200);
		const stats = sb.stats();
		expect(stats.byMethod.getInstances).toMatchObject({ requests: 5, faults: 1 });
		expect(stats.byMethod.createInstance.requests).toBe(3);
		// No answer carries a partner token.
		expect(JSON.stringify(stats)).not.toContain(PARTNER);
	});

	test('createInstance makes a real instance: null state for partnerCreatingMs, then notAuthorized', async () => {
		const { status, json } = await partnerCall(sb, 'createInstance', { body: { name: 'Customer 42', webhookUrl: 'https://example.test/hook', incomingWebhook: 'yes', delaySendMessagesMilliseconds: 500, unknownField: 1 } });
		expect(status).toBe(200);
		expect(Object.keys(json).sort()).toEqual(['apiTokenInstance', 'idInstance', 'typeInstance']);
		expect(json.typeInstance).toBe('whatsapp');
		const id = String(json.idInstance);
		expect(await state(sb.url, id, json.apiTokenInstance)).toEqual({ status: 200, text: 'null' });
		const listed = (await partnerCall(sb, 'getInstances')).json.find((i: Json) => String(i.idInstance) === id);
		expect(listed).toMatchObject({ name: 'Customer 42', apiTokenInstance: json.apiTokenInstance, deleted: false, isExpired: false });
		expect(sb.partner.settingsOf(PARTNER, id)).toEqual({ name: 'Customer 42', webhookUrl: 'https://example.test/hook', incomingWebhook: 'yes', delaySendMessagesMilliseconds: 500 });
		await sleep(1050); // past partnerCreatingMs and getStateInstance's 1 request/s
		expect(await state(sb.url, id, json.apiTokenInstance)).toEqual({ status: 200, text: '{"stateInstance":"notAuthorized"}' });
	});

	test('deleteInstanceAccount: listed as deleted for partnerDeletedListedMs, its methods refused, a second delete is a 404', async () => {
		await sb.close();
		sb = await startSandbox({ partnerTokens: [PARTNER, OTHER_PARTNER], partnerDeletedListedMs: 400 });
		const [a, b] = sb.partner.addInstances(PARTNER, { count: 2 });
		expect(await partnerCall(sb, 'deleteInstanceAccount', { body: { idInstance: Number(a.idInstance) } })).toMatchObject({ status: 200, json: { deleteInstanceAccount: true } });
		const list = (await partnerCall(sb, 'getInstances')).json;
		expect(list.map((i: Json) => [String(i.idInstance), i.deleted])).toEqual([
			[a.idInstance, true],
			[b.idInstance, false],
		]);
		expect(list[0].timeDeleted).not.toBe('');
		expect(await state(sb.url, a.idInstance, a.apiTokenInstance)).toEqual({ status: 400, text: '{"message":"Instance is deleted"}' });
		expect(await partnerCall(sb, 'deleteInstanceAccount', { body: { idInstance: a.idInstance } })).toMatchObject({ json: { code: 404 } });
		// Another account's instance is "not found" too.
		const [other] = sb.partner.addInstances(PARTNER, { count: 1 });
		expect(await partnerCall(sb, 'deleteInstanceAccount', { token: OTHER_PARTNER, body: { idInstance: other.idInstance } })).toMatchObject({ json: { code: 404 } });
		await sleep(500);
		expect((await partnerCall(sb, 'getInstances')).json.map((i: Json) => String(i.idInstance))).toEqual([b.idInstance, other.idInstance]);
	});

	test('expired instances are listed as such and refused; deleted and expired can be made by the admin', async () => {
		const [expired] = sb.partner.addInstances(PARTNER, { expired: true });
		const [deleted] = sb.partner.addInstances(PARTNER, { deleted: true, typeInstance: 'telegram' });
		const [later] = sb.partner.addInstances(PARTNER, {});
		await fetch(`${sb.url}/admin/partners/${PARTNER}/instances/${later.idInstance}/expire`, { method: 'POST' });
		const list = (await partnerCall(sb, 'getInstances')).json;
		expect(list.map((i: Json) => [i.isExpired, i.deleted, i.typeInstance])).toEqual([
			[true, false, 'whatsapp'],
			[false, true, 'telegram'],
			[true, false, 'whatsapp'],
		]);
		expect(Date.parse(list[0].expirationDate)).toBeLessThan(Date.now());
		expect(await state(sb.url, expired.idInstance, expired.apiTokenInstance)).toEqual({ status: 400, text: '{"message":"Instance account is expired"}' });
		expect((await state(sb.url, later.idInstance, later.apiTokenInstance)).status).toBe(400);
		expect((await state(sb.url, deleted.idInstance, deleted.apiTokenInstance)).text).toContain('Instance is deleted');
	});

	test('an instance on another host answers there only; 403 on the main host, as a wrong host does', async () => {
		const [away] = sb.partner.addInstances(PARTNER, { host: 'p02', idPrefix: '3305' });
		const [home] = sb.partner.addInstances(PARTNER, {});
		expect(sb.hosts.p02).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(sb.hosts.p02).not.toBe(sb.url);
		expect(await state(sb.hosts.p02, away.idInstance, away.apiTokenInstance)).toEqual({ status: 200, text: '{"stateInstance":"authorized"}' });
		expect(await state(sb.url, away.idInstance, away.apiTokenInstance)).toEqual({ status: 403, text: 'Forbidden' });
		expect((await state(sb.hosts.p02, home.idInstance, home.apiTokenInstance)).status).toBe(403);
		// A host made later, over HTTP.
		const added: Json = await (await fetch(`${sb.url}/admin/hosts`, { method: 'POST', body: JSON.stringify({ name: 'p03' }) })).json();
		expect(added).toEqual({ name: 'p03', url: sb.hosts.p03 });
		expect((await fetch(`${sb.url}/admin/partners/${PARTNER}/instances`, { method: 'POST', body: JSON.stringify({ host: 'nowhere' }) })).status).toBe(400);
	});

	test('bulk instances being created answer null, then notAuthorized; admin errors are clear', async () => {
		const made = sb.partner.addInstances(PARTNER, { count: 20, stateInstance: null });
		expect(sb.getInstance(made[19].idInstance).stateInstance).toBeNull();
		await sleep(600);
		expect(made.every((m) => sb.getInstance(m.idInstance).stateInstance === 'notAuthorized')).toBe(true);
		expect(() => sb.partner.addInstances('nobody', {})).toThrow(/no partner account/);
		expect(() => sb.partner.addInstances(PARTNER, { count: 0 })).toThrow(/count/);
		expect(() => sb.partner.addInstances(PARTNER, { idPrefix: 'ab' })).toThrow(/idPrefix/);
	});
});
