/**
 * The Partner resource and the instance operations through the partner credential, run by
 * n8n's engine (test/harness) against the sandbox's partner account over real HTTP.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { GreenApi as GreenApiCredential } from '../credentials/GreenApi.credentials';
import { GreenApiPartnerApi } from '../credentials/GreenApiPartnerApi.credentials';
import { cachedFleets } from '../nodes/client/partner';
import { greenApiNode, items, startSandbox } from './fixtures';
import type { Sandbox } from './fixtures';
import { logs, runNode } from './harness/engine';
import type { NodeRunResult } from './harness/engine';
import { expectNoToken } from './harness/expect';

const PARTNER = '9a7d3e1f0c2b4a6d8e0f1a3b5c7d9e1f2a4b6c8d';
const credentialTypes = { greenApi: new GreenApiCredential(), greenApiPartnerApi: new GreenApiPartnerApi() };

let sb: Sandbox;

function partnerCredentials(extra: ICredentialDataDecryptedObject = {}): Record<string, ICredentialDataDecryptedObject> {
	return { greenApiPartnerApi: { partnerApiUrl: sb.url, partnerToken: PARTNER, instanceApiUrl: '', instanceApiUrls: `3305 ${sb.hosts.p02}`, ...extra } };
}

async function run(parameters: INodeParameters, options: { input?: IDataObject[]; continueOnFail?: boolean; credentials?: ICredentialDataDecryptedObject } = {}) {
	return await runNode({
		nodeType: greenApiNode,
		credentialTypes,
		credentials: partnerCredentials(options.credentials),
		parameters: { authentication: 'partner', ...parameters },
		items: items(...(options.input ?? [{}])),
		continueOnFail: options.continueOnFail,
	});
}

/** Every token the sandbox knows: none may appear in a result or in n8n's log. */
function secrets(): string[] {
	return [PARTNER, ...sb.listInstances().map((i) => i.apiTokenInstance)];
}

function expectClean(result: NodeRunResult) {
	expectNoToken(JSON.parse(JSON.stringify(result.items)), secrets());
	expectNoToken(result.error, secrets());
}

const json = (result: NodeRunResult) => result.items.map((i) => i.json);
const requests = (method: string) => sb.stats().byMethod[method]?.requests ?? 0;

beforeEach(async () => {
	sb = await startSandbox({ partnerTokens: [PARTNER], hosts: ['p02'], partnerCreatingMs: 200 });
	logs.clear();
});
afterEach(() => sb.close());

describe('List Instances', () => {
	beforeEach(() => {
		sb.partner.addInstances(PARTNER, { count: 3, name: 'Shop' });
		sb.partner.addInstances(PARTNER, { name: 'Telegram bot', typeInstance: 'telegram' });
		sb.partner.addInstances(PARTNER, { name: 'Gone', deleted: true });
		sb.partner.addInstances(PARTNER, { name: 'Unpaid', expired: true });
		sb.partner.addInstances(PARTNER, { name: 'Far away', idPrefix: '3305', host: 'p02' });
	});

	test('one item per live instance, without tokens, with the URL each is reached at', async () => {
		const result = await run({ resource: 'partner', operation: 'listInstances' });
		expect(result.error).toBeUndefined();
		expect(json(result).map((i) => i.name)).toEqual(['Shop 1', 'Shop 2', 'Shop 3', 'Telegram bot', 'Far away']);
		for (const item of json(result)) expect(item).not.toHaveProperty('apiTokenInstance');
		expect(json(result)[0]).toMatchObject({ typeInstance: 'whatsapp', deleted: false, isExpired: false, apiUrl: sb.url });
		expect(json(result)[4]).toMatchObject({ apiUrl: sb.hosts.p02 });
		expect(result.items.map((i) => i.pairedItem)).toEqual(Array(5).fill({ item: 0 }));
		expect(requests('getInstances')).toBe(1);
		expectClean(result);
	});

	test('filters: type, name, deleted and expired on request; tokens only when asked', async () => {
		const telegram = await run({ resource: 'partner', operation: 'listInstances', filters: { typeInstance: ['telegram'] } });
		expect(json(telegram).map((i) => i.name)).toEqual(['Telegram bot']);
		const named = await run({ resource: 'partner', operation: 'listInstances', filters: { nameContains: 'SHOP 2' } });
		expect(json(named).map((i) => i.name)).toEqual(['Shop 2']);
		const all = await run({ resource: 'partner', operation: 'listInstances', filters: { includeDeleted: true, includeExpired: true } });
		expect(json(all).map((i) => i.name)).toEqual(['Shop 1', 'Shop 2', 'Shop 3', 'Telegram bot', 'Gone', 'Unpaid', 'Far away']);
		const withTokens = await run({ resource: 'partner', operation: 'listInstances', includeApiTokens: true });
		const bySandbox = new Map(sb.partner.listInstances(PARTNER).map((i) => [String(i.idInstance), i.apiTokenInstance]));
		expect(json(withTokens).map((i) => i.apiTokenInstance)).toEqual(json(withTokens).map((i) => bySandbox.get(String(i.idInstance))));
	});

	test('a wrong partner token (HTTP 200, code 401 in the body) is a clear, token-free error naming the item', async () => {
		const result = await run({ resource: 'partner', operation: 'listInstances' }, { credentials: { partnerToken: 'wrong-token-0123456789' } });
		expect(result.error?.message).toBe('GREEN-API refused the partner token (code 401 in the answer: Unauthorized) [item 0]');
		expect(result.error?.description).toMatch(/Partner Token in the GREEN-API Partner API credential/);
		expectNoToken(result.error, ['wrong-token-0123456789', PARTNER]);
		expect(requests('getInstances')).toBe(1);
	});

	test('the HTTP 400 variant, and a passing 502 sent again', async () => {
		sb.injectFault({ method: 'getInstances', kind: 'status', status: 400, body: { code: 400, description: 'Bad Request' } });
		const refused = await run({ resource: 'partner', operation: 'listInstances' });
		expect(refused.error?.message).toBe('GREEN-API rejected getInstances (HTTP 400: Bad Request) [item 0]');
		sb.injectFault({ method: 'getInstances', kind: 'html', status: 502 });
		const retried = await run({ resource: 'partner', operation: 'listInstances' });
		expect(retried.error).toBeUndefined();
		expect(json(retried)).toHaveLength(5);
		expect(requests('getInstances')).toBe(3);
	});
});

test('a partner operation with Authentication left on Instance says what to change, and sends nothing', async () => {
	const result = await runNode({
		nodeType: greenApiNode,
		credentialTypes,
		credentials: { greenApi: { apiUrl: sb.url, idInstance: '1101000001', apiTokenInstance: 'f'.repeat(50) } },
		parameters: { resource: 'partner', operation: 'listInstances' },
	});
	expect(result.error?.message).toBe('List Instances: needs the partner account [item 0]');
	expect(result.error?.description).toMatch(/set Authentication to Partner Account/);
	expect(sb.stats().total).toBe(0);
});

describe('Create Instance', () => {
	test('creates a real instance with the settings given; outputs ID, token and API URL', async () => {
		const result = await run({
			resource: 'partner',
			operation: 'createInstance',
			name: 'Customer 42',
			settings: { webhookUrl: 'https://example.test/hook', incomingWebhook: true, stateWebhook: false, delaySendMessagesMilliseconds: 500 },
		});
		expect(result.error).toBeUndefined();
		const [created] = json(result);
		const id = String(created.idInstance);
		expect(created).toEqual({
			idInstance: expect.stringMatching(/^1103\d{6}$/),
			apiTokenInstance: sb.getInstance(id).apiTokenInstance,
			typeInstance: 'whatsapp',
			name: 'Customer 42',
			apiUrl: sb.url,
			stateInstance: null,
			note: expect.stringContaining('up to 5 minutes'),
		});
		expect(sb.partner.settingsOf(PARTNER, id)).toEqual({
			name: 'Customer 42',
			webhookUrl: 'https://example.test/hook',
			incomingWebhook: 'yes',
			stateWebhook: 'no',
			delaySendMessagesMilliseconds: 500,
		});
		expect(sb.getInstance(id).stateInstance).toBeNull();
		expect(requests('createInstance')).toBe(1);
		expect(findInLogs(created.apiTokenInstance as string)).toBe(false);
	});

	test('never sent twice: a 502 or a timeout is one request and an error that says to check first', async () => {
		sb.injectFault({ method: 'createInstance', kind: 'html', status: 502 });
		const result = await run({ resource: 'partner', operation: 'createInstance', name: 'X' });
		expect(result.error?.message).toMatch(/^The GREEN-API Partner API answered createInstance with an error \(HTTP 502: 502 Bad Gateway\) \[item 0\]$/);
		expect(requests('createInstance')).toBe(1);
		sb.injectFault({ method: 'createInstance', kind: 'drop' });
		const dropped = await run({ resource: 'partner', operation: 'createInstance', name: 'Y' });
		expect(dropped.error?.message).toMatch(/createInstance/);
		expect(dropped.error?.description).toMatch(/check with List Instances before running Create Instance again/);
		expect(requests('createInstance')).toBe(2);
		expectClean(dropped);
	});

	test('a body-coded refusal names the item; with Continue On Fail the other items go on', async () => {
		sb.injectFault({ method: 'createInstance', kind: 'status', status: 200, body: { code: 400, description: 'Bad Request Validation failed' } });
		const result = await run({ resource: 'partner', operation: 'createInstance', name: '={{ $json.name }}' }, { input: [{ name: 'A' }, { name: 'B' }], continueOnFail: true });
		expect(result.items).toHaveLength(2);
		expect(result.items[0].json.error).toBe('GREEN-API rejected createInstance (code 400 in the answer: Bad Request Validation failed) [item 0]');
		expect(result.items[1].json).toMatchObject({ name: 'B', idInstance: expect.any(String) });
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});
});

describe('Delete Instance', () => {
	test('deletes; a second delete and a foreign ID are clear errors; never retried', async () => {
		const [a] = sb.partner.addInstances(PARTNER, {});
		const result = await run({ resource: 'partner', operation: 'deleteInstance', idInstance: a.idInstance });
		expect(json(result)).toEqual([{ idInstance: a.idInstance, deleteInstanceAccount: true }]);
		expect(sb.partner.listInstances(PARTNER)[0].deleted).toBe(true);
		const again = await run({ resource: 'partner', operation: 'deleteInstance', idInstance: a.idInstance });
		expect(again.error?.message).toBe(`GREEN-API found no instance ${a.idInstance} to delete in this partner account (code 404 in the answer: Not found) [item 0]`);
		sb.injectFault({ method: 'deleteInstanceAccount', kind: 'status', status: 503 });
		const failed = await run({ resource: 'partner', operation: 'deleteInstance', idInstance: '1103999999' });
		expect(failed.error?.message).toMatch(/503/);
		expect(requests('deleteInstanceAccount')).toBe(3);
		const typo = await run({ resource: 'partner', operation: 'deleteInstance', idInstance: '11O3' });
		expect(typo.error?.message).toBe('Delete Instance: Instance ID must be 1 to 10 digits, got "11O3" [item 0]');
		expect(requests('deleteInstanceAccount')).toBe(3);
	});
});

describe('instance operations through the partner credential', () => {
	test('100 items on 100 instances: the fleet is listed once, each request goes with its own token', async () => {
		const fleet = sb.partner.addInstances(PARTNER, { count: 100 });
		sb.setState(fleet[7].idInstance, 'blocked');
		const result = await run({ resource: 'instance', operation: 'getState', idInstance: '={{ $json.id }}' }, { input: fleet.map((f) => ({ id: f.idInstance })) });
		expect(result.error).toBeUndefined();
		expect(json(result)).toHaveLength(100);
		expect(json(result)[7].stateInstance).toBe('blocked');
		expect(json(result)[8].stateInstance).toBe('authorized');
		expect(requests('getInstances')).toBe(1);
		expect(requests('getStateInstance')).toBe(100);
		expect(Object.keys(sb.stats().byInstance)).toHaveLength(100);
		expect(sb.stats().byStatus).toEqual({ '200': 101 });
		expectClean(result);
		// The next execution lists again: no token outlives its execution's use for long.
		await run({ resource: 'instance', operation: 'getState', idInstance: fleet[0].idInstance });
		expect(requests('getInstances')).toBe(2);
	});

	test('an instance on another host is reached there (Instance API URL Exceptions), and only there', async () => {
		const [far] = sb.partner.addInstances(PARTNER, { idPrefix: '3305', host: 'p02' });
		const result = await run({ resource: 'instance', operation: 'getState', idInstance: far.idInstance });
		expect(json(result)).toMatchObject([{ stateInstance: 'authorized' }]);
		const wrongHost = await run({ resource: 'instance', operation: 'getState', idInstance: far.idInstance }, { credentials: { instanceApiUrls: '' } });
		expect(wrongHost.error?.message).toBe('GREEN-API refused access to this instance (403 Forbidden) [item 0]');
		expect(wrongHost.error?.description).toBe(
			`The instance was sent to ${new URL(sb.url).host}, as the Instance API URL fields of the GREEN-API Partner API credential say. GREEN-API answers 403 when an instance lives at another host: copy its apiUrl from the console into Instance API URL Exceptions.`,
		);
		expectClean(wrongHost);
	});

	test('an ID the account does not own, a deleted one and a typo are item errors; the list is looked at twice at most', async () => {
		const [mine, gone] = sb.partner.addInstances(PARTNER, { count: 2 });
		sb.partner.deleteInstance(PARTNER, gone.idInstance);
		sb.addInstance({ idInstance: '1101000077', apiTokenInstance: 'e'.repeat(50) }); // exists, but not this account's
		const result = await run(
			{ resource: 'instance', operation: 'getState', idInstance: '={{ $json.id }}' },
			{ input: [{ id: mine.idInstance }, { id: '1101000077' }, { id: gone.idInstance }, { id: 'abc' }], continueOnFail: true },
		);
		expect(json(result)).toEqual([
			expect.objectContaining({ stateInstance: 'authorized' }),
			{ error: 'Instance 1101000077 is not a live instance of this partner account [item 1]' },
			{ error: `Instance ${gone.idInstance} is not a live instance of this partner account [item 2]` },
			{ error: 'Instance ID must be the digits of an instance of this partner account, got "abc" [item 3]' },
		]);
		expect(result.items.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(requests('getInstances')).toBe(2);
		expect(sb.stats().byInstance['1101000077']).toBeUndefined();
		expectClean(result);
	});

	test('a failing list fails each item under its own number, without a token', async () => {
		const fleet = sb.partner.addInstances(PARTNER, { count: 3 });
		sb.injectFault({ method: 'getInstances', kind: 'status', status: 200, body: { code: 401, description: 'Unauthorized' } });
		const result = await run({ resource: 'instance', operation: 'getState', idInstance: '={{ $json.id }}' }, { input: fleet.map((f) => ({ id: f.idInstance })), continueOnFail: true });
		expect(json(result).map((i) => i.error)).toEqual([0, 1, 2].map((n) => `GREEN-API refused the partner token (code 401 in the answer: Unauthorized) [item ${n}]`));
		expectClean(result);
	});

	test('per-number and two-request operations use the target too (Check WhatsApp, Get Outgoing Queue with messages)', async () => {
		const [a] = sb.partner.addInstances(PARTNER, { stateInstance: 'notAuthorized' });
		const [b] = sb.partner.addInstances(PARTNER, {});
		sb.pushMessages(a.idInstance, 2);
		const queue = await run({ resource: 'instance', operation: 'getOutgoingQueue', idInstance: a.idInstance, includeMessages: true });
		expect(json(queue)).toMatchObject([{ count: 2, messages: [{}, {}] }]);
		const check = await run({ resource: 'instance', operation: 'checkWhatsapp', idInstance: b.idInstance, phoneNumber: '={{ $json.phone }}' }, { input: [{ phone: '441234567891' }, { phone: '441234567891' }, { phone: '441234567890' }] });
		expect(json(check).map((i) => i.existsWhatsapp)).toEqual([true, true, false]);
		expect(sb.getInstance(b.idInstance).checkWhatsappUsed).toBe(2);
		expectClean(check);
	});

	test('no list is kept once the execution is over for a minute (the cache is swept)', async () => {
		const [a] = sb.partner.addInstances(PARTNER, {});
		await run({ resource: 'instance', operation: 'getState', idInstance: a.idInstance });
		expect(cachedFleets()).toBeGreaterThanOrEqual(1);
		const realNow = Date.now;
		Date.now = () => realNow() + 61_000;
		try {
			expect(cachedFleets()).toBe(0);
		} finally {
			Date.now = realNow;
		}
	});
});

function findInLogs(secret: string): boolean {
	return logs.lines.some((line) => JSON.stringify(line).includes(secret));
}

describe('as AI tools', () => {
	const props = greenApiNode.description.properties;
	const toolText = (operation: string) =>
		props.find((p) => p.name === 'toolDescription' && p.displayOptions?.show?.resource?.[0] === 'partner' && p.displayOptions?.show?.operation?.[0] === operation)?.default;

	test('List Instances cannot be switched to give tokens; Create and Delete tell the model to ask a human', () => {
		expect(props.find((p) => p.name === 'includeApiTokens')?.displayOptions?.hide).toEqual({ '@tool': [true] });
		expect(toolText('listInstances')).toMatch(/No API tokens are returned/);
		expect(toolText('createInstance')).toMatch(/Ask a human and get their approval/);
		expect(toolText('deleteInstance')).toMatch(/Ask a human and get their approval/);
	});

	test('run as the tool variant (<package>.greenApiTool), Create and List never hand a token to the model', async () => {
		sb.partner.addInstances(PARTNER, { count: 2 });
		const asTool = Object.assign(Object.create(greenApiNode) as typeof greenApiNode, { description: { ...greenApiNode.description, name: 'greenApiTool' } });
		const runTool = (parameters: INodeParameters) =>
			runNode({ nodeType: asTool, credentialTypes, credentials: partnerCredentials(), parameters: { authentication: 'partner', resource: 'partner', ...parameters } });
		const created = await runTool({ operation: 'createInstance', name: 'Asked by a model' });
		expect(created.node.type).toBe('n8n-nodes-green-api.greenApiTool');
		expect(json(created)).toEqual([expect.objectContaining({ idInstance: expect.any(String), name: 'Asked by a model' })]);
		const listed = await runTool({ operation: 'listInstances', includeApiTokens: true });
		expect(json(listed)).toHaveLength(3);
		expectClean(created);
		expectClean(listed);
	});
});
