/**
 * Self-test of the engine harness, with throwaway node and credential types (not our real
 * nodes): real n8n-core engine, real HTTP to a local server, credentials applied by n8n.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';

import { findSecret, logs, runNode, runPoll, startServer } from './harness/engine';
import type { TestServer } from './harness/engine';
import { userFolder } from './harness/env';

const TOKEN = 'tok-SECRET-4f9a1c';

/** The JSON form n8n stores and sends to the editor. */
const stored = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));
const HEADER_KEY = 'hdr-SECRET-77b2e0';

// ---------- throwaway credential types ----------

/** Function-style authenticate that puts the token into the URL path (like GREEN-API). */
class PathTokenApi implements ICredentialType {
	name = 'pathTokenApi';
	displayName = 'Path Token API';
	properties: ICredentialType['properties'] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'http://example.invalid' },
		{ displayName: 'Instance', name: 'instanceId', type: 'string', default: '' },
		{ displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
	];
	// n8n calls this again with its own previous output when it retries after a 401, so it
	// must not append the token twice.
	authenticate = async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) => {
		const token = String(credentials.token);
		const url = requestOptions.url.endsWith(`/${token}`) ? requestOptions.url : `${requestOptions.url}/${token}`;
		return { ...requestOptions, url };
	};
}

/** Generic authenticate (header + query string from $credentials). */
class HeaderKeyApi implements ICredentialType {
	name = 'headerKeyApi';
	displayName = 'Header Key API';
	properties: ICredentialType['properties'] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Tenant', name: 'tenant', type: 'string', default: 'default-tenant' },
	];
	authenticate = {
		type: 'generic' as const,
		properties: {
			headers: { 'X-Api-Key': '={{$credentials.apiKey}}' },
			qs: { tenant: '={{$credentials.tenant}}' },
		},
	};
}

// ---------- throwaway declarative node ----------

async function addLabel(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
	requestOptions.body = { label: this.getNodeParameter('label'), index: this.getItemIndex() };
	return requestOptions;
}

async function tagResponse(this: IExecuteSingleFunctions, items: INodeExecutionData[], response: IN8nHttpFullResponse) {
	return items.map((item) => ({ json: { ...item.json, status: response.statusCode, tagged: true } }));
}

function declarativeNode(credential: 'pathTokenApi' | 'headerKeyApi'): INodeType {
	const description: INodeTypeDescription = {
		displayName: 'Test Declarative',
		name: `testDeclarative_${credential}`,
		group: ['transform'],
		version: 1,
		description: 'throwaway',
		defaults: { name: 'Test Declarative' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: credential, required: true }],
		requestDefaults: { baseURL: '={{$credentials.baseUrl}}', headers: { Accept: 'application/json' } },
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				default: 'getThing',
				options: [
					{ name: 'Get Thing', value: 'getThing', routing: { request: { method: 'GET', url: '=/getThing/{{$json.id}}' } } },
					{
						name: 'Echo',
						value: 'echo',
						routing: {
							send: { preSend: [addLabel] },
							request: { method: 'POST', url: '/echo' },
							output: { postReceive: [tagResponse] },
						},
					},
				],
			},
			{ displayName: 'Label', name: 'label', type: 'string', default: 'none', displayOptions: { show: { operation: ['echo'] } } },
		],
	};
	return { description };
}

// ---------- throwaway polling node ----------

class TestPoller implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Test Poller',
		name: 'testPoller',
		group: ['trigger'],
		version: 1,
		description: 'throwaway',
		defaults: { name: 'Test Poller' },
		polling: true,
		inputs: [],
		outputs: ['main'],
		credentials: [{ name: 'pathTokenApi', required: true }],
		properties: [],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const state = this.getWorkflowStaticData('node');
		const credentials = await this.getCredentials('pathTokenApi');
		const lastId = typeof state.lastId === 'number' ? state.lastId : 0;
		const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'pathTokenApi', {
			method: 'GET',
			url: `${credentials.baseUrl as string}/events`,
			qs: { after: lastId },
			json: true,
		})) as { events: Array<{ id: number }> };
		const fresh = response.events.filter((e) => e.id > lastId);
		if (fresh.length === 0) return null;
		state.lastId = Math.max(...fresh.map((e) => e.id));
		const meta = { mode: this.getMode(), activation: this.getActivationMode() };
		return [this.helpers.returnJsonArray(fresh.map((e) => ({ ...e, ...meta })))];
	}
}

// ---------- tests ----------

let server: TestServer;
let events: Array<{ id: number }> = [];

const pathCredentials = () => ({ pathTokenApi: { baseUrl: server.url, instanceId: '1101', token: TOKEN } });
const credentialTypes = { pathTokenApi: new PathTokenApi(), headerKeyApi: new HeaderKeyApi() };

beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => {
	await server.close();
});
beforeEach(() => {
	server.reset();
	logs.clear();
	server.setHandler((req) => {
		if (req.path.startsWith('/getThing/')) return { json: { id: req.path.split('/')[2], ok: true } };
		if (req.path.startsWith('/echo')) return { json: { echoed: req.json } };
		if (req.path.startsWith('/events')) return { json: { events } };
		return { status: 404, json: { error: 'not found' } };
	});
});

describe('runNode (declarative node through RoutingNode)', () => {
	it('sends one request per item with the token in the path, outputs in order with pairedItem', async () => {
		const result = await runNode({
			nodeType: declarativeNode('pathTokenApi'),
			credentialTypes,
			credentials: pathCredentials(),
			parameters: { operation: 'getThing' },
			items: [{ json: { id: 'a' } }, { json: { id: 'b' } }, { json: { id: 'c' } }],
		});

		expect(result.error).toBeUndefined();
		expect(server.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
			`GET /getThing/a/${TOKEN}`,
			`GET /getThing/b/${TOKEN}`,
			`GET /getThing/c/${TOKEN}`,
		]);
		expect(server.requests.every((r) => r.headers.accept === 'application/json')).toBe(true);
		expect(result.items.map((i) => i.json)).toEqual([
			{ id: 'a', ok: true },
			{ id: 'b', ok: true },
			{ id: 'c', ok: true },
		]);
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.run.status).toBe('success');
		expect(result.run.mode).toBe('manual');
		// The token only travels in the URL sent to the server, never into the stored run.
		expect(findSecret(result.run, TOKEN)).toEqual([]);
	});

	it('runs preSend and postReceive functions per item', async () => {
		const result = await runNode({
			nodeType: declarativeNode('pathTokenApi'),
			credentialTypes,
			credentials: pathCredentials(),
			parameters: { operation: 'echo', label: 'hello' },
			items: [{ json: {} }, { json: {} }],
		});

		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(2);
		expect(server.requests.every((r) => r.method === 'POST' && r.path === `/echo/${TOKEN}`)).toBe(true);
		expect(server.requests.map((r) => r.json).sort((a, b) => (a as IDataObject).index as number - ((b as IDataObject).index as number))).toEqual([
			{ label: 'hello', index: 0 },
			{ label: 'hello', index: 1 },
		]);
		expect(result.items.map((i) => i.json)).toEqual([
			{ echoed: { label: 'hello', index: 0 }, status: 200, tagged: true },
			{ echoed: { label: 'hello', index: 1 }, status: 200, tagged: true },
		]);
	});

	it('applies a generic credential (header and query string from $credentials)', async () => {
		const result = await runNode({
			nodeType: declarativeNode('headerKeyApi'),
			credentialTypes,
			credentials: { headerKeyApi: { baseUrl: server.url, apiKey: HEADER_KEY } },
			parameters: { operation: 'getThing' },
			items: [{ json: { id: 'x' } }],
		});

		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].path).toBe('/getThing/x');
		expect(server.requests[0].headers['x-api-key']).toBe(HEADER_KEY);
		// The credential's default ('default-tenant') is applied like n8n's getDecrypted does.
		expect(server.requests[0].query.get('tenant')).toBe('default-tenant');
		expect(findSecret(result.run, HEADER_KEY)).toEqual([]);
	});

	it('a 500 with continueOnFail gives an error item per failed input item', async () => {
		server.setHandler((req) => (req.path.startsWith('/getThing/b') ? { status: 500, json: { message: 'boom' } } : { json: { ok: true } }));
		const result = await runNode({
			nodeType: declarativeNode('pathTokenApi'),
			credentialTypes,
			credentials: pathCredentials(),
			parameters: { operation: 'getThing' },
			items: [{ json: { id: 'a' } }, { json: { id: 'b' } }, { json: { id: 'c' } }],
			continueOnFail: true,
		});

		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('success');
		expect(result.items).toHaveLength(3);
		expect(result.items[0].json).toEqual({ ok: true });
		expect(result.items[2].json).toEqual({ ok: true });
		const failed = result.items[1];
		expect(typeof failed.json.error).toBe('string');
		expect(failed.error).toBeDefined();
		expect(failed.error?.message).toBe(failed.json.error);
		expect(failed.pairedItem).toEqual({ item: 1 });
		// What n8n stores / sends to the editor (NodeApiError.toJSON reduces `cause` to name + message):
		expect(findSecret(stored(result.run), TOKEN)).toEqual([]);
		// ...but in memory the error keeps the raw AxiosError as a non-enumerable `cause`, whose
		// config.url carries the token: anything that prints the live error (console.log, a
		// logger given the error object) would leak it.
		expect(findSecret(failed.error, TOKEN)).toContain('$.cause.config.url');
	});

	it('a 500 without continueOnFail fails the node and the run', async () => {
		server.setHandler(() => ({ status: 500, json: { message: 'boom' } }));
		const result = await runNode({
			nodeType: declarativeNode('pathTokenApi'),
			credentialTypes,
			credentials: pathCredentials(),
			parameters: { operation: 'getThing' },
			items: [{ json: { id: 'a' } }],
		});

		expect(result.items).toEqual([]);
		expect(result.error).toBeDefined();
		expect(result.error?.name).toBe('NodeApiError');
		expect((result.error as unknown as { httpCode?: string }).httpCode).toBe('500');
		expect(result.run.status).toBe('error');
		expect(result.run.data.resultData.error?.message).toBe(result.error?.message);
		expect(findSecret(result.run, TOKEN)).toEqual([]);
		expect(findSecret(result.error, TOKEN)).toEqual([]);
	});

	it('continueErrorOutput routes failed items to output 1', async () => {
		server.setHandler((req) => (req.path.startsWith('/getThing/b') ? { status: 500, json: {} } : { json: { ok: true } }));
		const result = await runNode({
			nodeType: declarativeNode('pathTokenApi'),
			credentialTypes,
			credentials: pathCredentials(),
			parameters: { operation: 'getThing' },
			items: [{ json: { id: 'a' } }, { json: { id: 'b' } }],
			onError: 'continueErrorOutput',
		});

		expect(result.error).toBeUndefined();
		expect(result.outputs).toHaveLength(2);
		expect(result.outputs[0].map((i) => i.json)).toEqual([{ ok: true }]);
		expect(result.outputs[1]).toHaveLength(1);
		expect(result.outputs[1][0].json.error).toEqual(expect.any(String));
		// n8n-core 2.41: RoutingNode sets no pairedItem; the engine only fills it in when there is
		// one output with as many items as the input, so with an error output neither output
		// gets one (and the error item does not carry the input item's json).
		expect(result.outputs[0][0].pairedItem).toBeUndefined();
		expect(result.outputs[1][0].pairedItem).toBeUndefined();
	});

	it('a 401 is retried once by httpRequestWithAuthentication (two identical requests)', async () => {
		server.setHandler(() => ({ status: 401, json: {} }));
		const result = await runNode({
			nodeType: declarativeNode('pathTokenApi'),
			credentialTypes,
			credentials: pathCredentials(),
			parameters: { operation: 'getThing' },
			items: [{ json: { id: 'a' } }],
		});

		expect(result.error?.name).toBe('NodeApiError');
		expect((result.error as unknown as { httpCode?: string }).httpCode).toBe('401');
		expect(server.requests.map((r) => r.url)).toEqual([`/getThing/a/${TOKEN}`, `/getThing/a/${TOKEN}`]);
		expect(findSecret(result.run, TOKEN)).toEqual([]);
	});

	it('captures n8n log lines without the token', async () => {
		server.setHandler(() => ({ status: 500, json: {} }));
		await runNode({
			nodeType: declarativeNode('pathTokenApi'),
			credentialTypes,
			credentials: pathCredentials(),
			parameters: { operation: 'getThing' },
			items: [{ json: { id: 'a' } }],
		});
		expect(logs.lines.some((l) => l.includes('Workflow execution started'))).toBe(true);
		expect(logs.lines.some((l) => l.startsWith('error'))).toBe(true); // ErrorReporter's line for the node error
		expect(findSecret(logs.lines, TOKEN)).toEqual([]);
	});

	it('keeps n8n-core out of ~/.n8n', () => {
		expect(userFolder.startsWith(tmpdir())).toBe(true);
		expect(process.env.N8N_USER_FOLDER).toBe(userFolder);
		expect(existsSync(join(userFolder, '.n8n', 'config'))).toBe(true);
	});
});

describe('runPoll (polling trigger through PollContext)', () => {
	const pollOptions = () => ({ nodeType: new TestPoller(), credentialTypes, credentials: pathCredentials(), parameters: {} });

	it('trigger mode: activation poll, restart with persisted static data, then nothing new', async () => {
		events = [{ id: 1 }, { id: 2 }];
		const first = await runPoll({ ...pollOptions(), mode: 'trigger', activation: true, staticData: {} });
		expect(first.error).toBeUndefined();
		expect(first.result?.[0].map((i) => i.json)).toEqual([
			{ id: 1, mode: 'trigger', activation: 'activate' },
			{ id: 2, mode: 'trigger', activation: 'activate' },
		]);
		expect(first.staticData).toEqual({ 'node:Test Poller': { lastId: 2 } });
		expect(first.staticDataChanged).toBe(true);
		expect(first.persisted).toBe(true);
		expect(server.requests.map((r) => r.url)).toEqual([`/events/${TOKEN}?after=0`]);

		// "Restart": a new Workflow built from the JSON n8n persisted.
		events = [{ id: 1 }, { id: 2 }, { id: 3 }];
		const second = await runPoll({ ...pollOptions(), mode: 'trigger', staticData: first.staticData, activationMode: 'init' });
		expect(second.result?.[0].map((i) => i.json.id)).toEqual([3]);
		expect(second.result?.[0][0].json.activation).toBe('init');
		expect(second.staticData).toEqual({ 'node:Test Poller': { lastId: 3 } });
		expect(second.persisted).toBe(true);

		const third = await runPoll({ ...pollOptions(), mode: 'trigger', staticData: second.staticData });
		expect(third.result).toBeNull();
		expect(third.error).toBeUndefined();
		expect(third.staticDataChanged).toBe(false);
		expect(third.persisted).toBe(false);
		expect(third.staticData).toEqual(second.staticData);
		expect(server.requests.map((r) => r.url)).toEqual([
			`/events/${TOKEN}?after=0`,
			`/events/${TOKEN}?after=2`,
			`/events/${TOKEN}?after=3`,
		]);
	});

	it('manual mode ("Fetch Test Event"): runs through WorkflowExecute, never persists', async () => {
		events = [{ id: 5 }];
		const result = await runPoll({ ...pollOptions(), mode: 'manual', staticData: { 'node:Test Poller': { lastId: 4 } } });
		expect(result.error).toBeUndefined();
		expect(result.result?.[0].map((i) => i.json)).toEqual([{ id: 5, mode: 'manual', activation: 'manual' }]);
		expect(result.staticData).toEqual({ 'node:Test Poller': { lastId: 5 } });
		expect(result.staticDataChanged).toBe(true);
		expect(result.persisted).toBe(false);
		expect(result.run?.status).toBe('success');
	});

	it('errors are returned, not thrown, in every mode, and carry no token', async () => {
		server.setHandler(() => ({ status: 500, json: { message: 'boom' } }));
		for (const variant of [
			{ mode: 'trigger' as const, activation: true },
			{ mode: 'trigger' as const, activation: false },
			{ mode: 'manual' as const },
		]) {
			const result = await runPoll({ ...pollOptions(), ...variant, staticData: {} });
			expect(result.result).toBeNull();
			expect(result.error).toBeDefined();
			expect(result.error?.message).toEqual(expect.any(String));
			expect(result.persisted).toBe(false);
			expect(result.error?.message).toBe('The service was not able to process your request');
			expect(findSecret(stored(result.error), TOKEN)).toEqual([]);
			if (variant.mode === 'trigger') {
				// The live NodeApiError n8n's executor got (non-enumerable AxiosError cause).
				expect(result.error?.name).toBe('NodeApiError');
				expect(findSecret(result.error, TOKEN)).toContain('$.cause.config.url');
			} else {
				// Manual: the copy WorkflowExecute recorded in the run (own enumerable fields only).
				expect(findSecret(result.error, TOKEN)).toEqual([]);
				expect(result.run?.status).toBe('error');
			}
		}
		expect(findSecret(logs.lines, TOKEN)).toEqual([]);
	});
});

describe('findSecret', () => {
	it('finds a secret in non-enumerable error fields, causes, Maps and keys', () => {
		const cause = new Error(`inner ${TOKEN}`);
		const error = new Error('outer');
		Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
		Object.defineProperty(error, 'description', { value: `see ${TOKEN}`, enumerable: false });
		const value = {
			list: [1, { url: `http://x/${TOKEN}` }],
			map: new Map([['k', `v-${TOKEN}`]]),
			[`key-${TOKEN}`]: 1,
			error,
		};
		expect(findSecret(value, TOKEN).sort()).toEqual(
			[
				'$.list[1].url',
				'$.map<map>["k"]',
				`$<key>["key-${TOKEN}"]`,
				'$.error.cause.message',
				'$.error.cause.stack',
				'$.error.description',
			].sort(),
		);
		expect(findSecret({ a: 'clean', e: new Error('clean') }, TOKEN)).toEqual([]);
	});
});
