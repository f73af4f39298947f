/**
 * The GREEN-API credential as n8n uses it outside our nodes, run by n8n-core's engine over real
 * HTTP:
 * - "Custom API Call": n8n opens its HTTP Request node with this credential. That node (v4)
 *   sends the address the user typed, absolute, as `uri` through the legacy
 *   `helpers.requestWithAuthentication` (nodes-base HttpRequestV3.node.js). nodes-base is not a
 *   dependency of this suite, so a stand-in node makes the same call with the same options;
 *   test/e2e/n8n.e2e.test.ts runs the real HTTP Request node in a real n8n.
 * - a value in the wrong field is never echoed, by the node, the trigger or n8n's logs.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { findSecret, logs, runNode, startServer } from './harness/engine';
import type { TestServer } from './harness/engine';
import { credentialTypes, credentialsFor, makeToken, pollTrigger, runGreenApi, startSandbox } from './fixtures';
import type { InstanceDef, Sandbox } from './fixtures';

const main: InstanceDef = { idInstance: '1101000001', apiTokenInstance: makeToken('c1c1'), knownNumbers: ['79001234567'] };
const TOKEN = main.apiTokenInstance;

/** The options HttpRequestV3 gives requestWithAuthentication for a JSON request (n8n 2.41.1 and 1.123.81). */
class HttpRequestStandIn implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HTTP Request stand-in',
		name: 'httpRequestStandIn',
		group: ['output'],
		version: 1,
		description: 'Sends what the HTTP Request node sends for predefined credentials',
		defaults: { name: 'HTTP Request' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'greenApi', required: true }],
		properties: [
			{ displayName: 'Method', name: 'method', type: 'string', default: 'GET' },
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'Body', name: 'body', type: 'json', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const body = this.getNodeParameter('body', 0) as string;
		const options: IDataObject = {
			headers: {},
			method: this.getNodeParameter('method', 0) as string,
			uri: this.getNodeParameter('url', 0) as string,
			gzip: true,
			rejectUnauthorized: true,
			followRedirect: false,
			resolveWithFullResponse: true,
			json: true,
			...(body ? { body: JSON.parse(body) as IDataObject } : {}),
		};
		const response = (await this.helpers.requestWithAuthentication.call(this, 'greenApi', options)) as { body: IDataObject };
		return [[{ json: response.body }]];
	}
}

const standIn = new HttpRequestStandIn();

let sandbox: Sandbox;
let elsewhere: TestServer;

beforeAll(async () => {
	sandbox = await startSandbox({ instances: [main] });
	elsewhere = await startServer(() => ({ status: 200, json: { answeredBy: 'another host' } }));
});
afterAll(async () => {
	await sandbox.close();
	await elsewhere.close();
});
beforeEach(() => {
	sandbox.reset();
	elsewhere.reset();
	logs.clear();
});

async function customCall(url: string, method = 'GET', body = '') {
	return await runNode({ nodeType: standIn, credentialTypes, credentials: credentialsFor(sandbox, main), parameters: { method, url, body } });
}

describe('Custom API Call: the credential in n8n\'s HTTP Request node', () => {
	it.each([
		['the method after the API URL', (api: string) => `${api}/getWaSettings`],
		['the console\'s address without the token', (api: string) => `${api}/waInstance${main.idInstance}/getWaSettings/`],
		['the console\'s address with a placeholder for the token', (api: string) => `${api}/waInstance${main.idInstance}/getWaSettings/TOKEN`],
	])('%s reaches GREEN-API with the instance and the token', async (_what, address) => {
		const typed = address(sandbox.url);
		const result = await customCall(typed);
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.json)).toEqual([expect.objectContaining({ phone: '79001234567', stateInstance: 'authorized' })]);
		expect(sandbox.stats().byMethod.getWaSettings).toEqual(expect.objectContaining({ requests: 1, ok: 1 }));
		// the node keeps the address as typed: that is what the editor shows
		expect(result.node.parameters.url).toBe(typed);
		expect(findSecret(result.run, TOKEN)).toEqual([]);
		expect(findSecret(logs.lines, TOKEN)).toEqual([]);
	});

	it('a POST with a JSON body (checkWhatsapp)', async () => {
		const result = await customCall(`${sandbox.url}/checkWhatsapp`, 'POST', '{"phoneNumber": 79001234567}');
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.json)).toEqual([{ existsWhatsapp: true }]);
		expect(findSecret(result.run, TOKEN)).toEqual([]);
	});

	it('another host gets the request as typed, never the token', async () => {
		const result = await customCall(`${elsewhere.url}/getWaSettings`);
		expect(result.items.map((i) => i.json)).toEqual([{ answeredBy: 'another host' }]);
		expect(elsewhere.requests.map((r) => r.url)).toEqual(['/getWaSettings']);
		expect(findSecret(elsewhere.requests, TOKEN)).toEqual([]);
		expect(sandbox.stats().total).toBe(0);
	});

	it('a failing call (401 from GREEN-API) keeps the token out of the error and the logs', async () => {
		const result = await runNode({
			nodeType: standIn,
			credentialTypes,
			credentials: { greenApi: { ...credentialsFor(sandbox, main).greenApi, apiTokenInstance: makeToken('bad0') } },
			parameters: { method: 'GET', url: `${sandbox.url}/getWaSettings`, body: '' },
		});
		// n8n's own wording for a 401, which the HTTP Request node shows
		expect(result.error?.message).toBe('Authorization failed - please check your credentials');
		expect(String((result.error as { httpCode?: unknown } | undefined)?.httpCode)).toBe('401');
		expect(sandbox.stats().byMethod.getWaSettings?.requests).toBeGreaterThan(0);
		for (const secret of [TOKEN, makeToken('bad0')]) {
			expect(findSecret(JSON.parse(JSON.stringify(result.run)), secret)).toEqual([]);
			expect(findSecret(logs.lines, secret)).toEqual([]);
		}
	});
});

/** Every run of 6 characters of the token found in `value` or in n8n's logs. */
function tokenParts(value: unknown): string[] {
	const text = JSON.stringify(value) + logs.lines.join('\n');
	const found: string[] = [];
	for (let i = 0; i + 6 <= TOKEN.length; i++) if (text.includes(TOKEN.slice(i, i + 6))) found.push(TOKEN.slice(i, i + 6));
	return found;
}

describe('the token pasted into the Instance ID field is not echoed, even in part', () => {
	const swapped = () => ({ greenApi: { ...credentialsFor(sandbox, main).greenApi, idInstance: TOKEN } });

	it('the node: an error that says what is wrong, no request', async () => {
		const result = await runGreenApi(swapped(), { operation: 'getState' });
		expect(result.error?.message).toMatch(/Instance ID .* 50 characters/);
		expect(tokenParts(JSON.parse(JSON.stringify(result.run)))).toEqual([]);
		expect(tokenParts(result.error)).toEqual([]);
		expect(sandbox.stats().total).toBe(0);
	});

	it.each(['manual', 'trigger'] as const)('the trigger (%s)', async (mode) => {
		const result = await pollTrigger(swapped(), { pollTimes: { item: [{ mode: 'everyMinute' }] }, states: [], options: {} }, { mode, activation: true });
		expect(result.error?.message).toMatch(/Instance ID .* 50 characters/);
		expect(tokenParts({ message: result.error?.message, error: result.error, run: result.run })).toEqual([]);
	});

	it('the Custom API Call', async () => {
		const result = await runNode({ nodeType: standIn, credentialTypes, credentials: swapped(), parameters: { method: 'GET', url: `${sandbox.url}/getWaSettings`, body: '' } });
		expect(result.error?.message).toMatch(/Instance ID .* 50 characters/);
		expect(tokenParts(JSON.parse(JSON.stringify(result.run)))).toEqual([]);
		expect(sandbox.stats().total).toBe(0);
	});
});
