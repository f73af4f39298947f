/**
 * The GreenApi node run by n8n's own engine (WorkflowExecute -> RoutingNode) against the
 * sandbox over real HTTP, with the credential applied the way n8n applies it: what holds for
 * every operation (credentials, errors, the request path). Each operation's own behaviour is
 * in its fixture, test/operations/<operation>.fixture.ts.
 *
 * The nodes and the sandbox run on a virtual clock (harness/clock.ts): the pace of 1 request/s
 * and the backoff between retries hold in virtual time without being waited out.
 */
import { NodeApiError, NodeHelpers, NodeOperationError } from 'n8n-workflow';
import type { IExecuteSingleFunctions, INode, INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { localItemError } from '../nodes/client/errors';

import { GreenApi } from '../nodes/GreenApi/GreenApi.node';
import { getState } from '../nodes/GreenApi/resources/instance/getState';
import { instanceOperations } from '../nodes/GreenApi/resources/instance';
import { operationOption } from '../nodes/GreenApi/operation';
import { useSkipClock } from './harness/clock';
import { findSecret, logs, runNode } from './harness/engine';
import type { NodeRunResult } from './harness/engine';
import { expectNoToken as expectNoSecret } from './harness/expect';
import { credentialTypes, credentialsFor, items, makeToken, runGreenApi, startSandbox } from './fixtures';
import type { InstanceDef, Sandbox } from './fixtures';

const main: InstanceDef = { idInstance: '1101000001', apiTokenInstance: makeToken('a1a1'), knownNumbers: ['79001234567'] };
const faults: InstanceDef = { idInstance: '1101000004', apiTokenInstance: makeToken('d4d4') };
const TOKENS = [main, faults].map((i) => i.apiTokenInstance);

const clock = useSkipClock();
let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ instances: [main, faults], rebootMs: 300, now: clock.now });
});
afterAll(async () => await sandbox.close());
beforeEach(() => {
	sandbox.reset();
	logs.clear();
});

/** No token in the thrown error, the run data, the output items or anything n8n logged. */
const expectNoToken = (result: NodeRunResult): void => expectNoSecret(result, TOKENS);

const creds = () => credentialsFor(sandbox, main);

describe('credentials', () => {
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
		['429 (after retries)', { kind: 'status', status: 429, body: 'Too Many Requests', count: 9 }, /Too many requests to GREEN-API for this instance \(429\) \(8 requests made\)/, /Max Requests Per Second/, 8],
		['499', { kind: 'status', status: 499, body: 'Client Closed Request', count: 9 }, /closed the request before answering \(499\) \(4 requests made\)/, /Timeout/, 4],
		['500', { kind: 'status', status: 500, body: 'file over 100 MB', count: 9 }, /server error \(500\): file over 100 MB \[item 0\]/, /try again in a few minutes/, 1],
		['an HTML 502 page', { kind: 'html', count: 9 }, /server error \(502\): 502 Bad Gateway \(4 requests made\)/, /try again/, 4],
		['503', { kind: 'status', status: 503, body: 'Service Unavailable', count: 9 }, /server error \(503\)/, /try again/, 4],
		['an empty body', { kind: 'empty' }, /no state for this instance \(empty answer\)/, /still being created/, 1],
		['a null body', { kind: 'null' }, /no state for this instance \(empty answer\)/, /still being created/, 1],
		['a dropped connection (a read: sent again)', { kind: 'drop', count: 9 }, /connection to GREEN-API at 127\.0\.0\.1:\d+ was closed before an answer came \(4 requests made\)/, /Try again/, 4],
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

describe('the request path: only HTTP and network failures are GREEN-API failures', () => {
	/** The GreenApi node with Get State's output step replaced by one that has a bug. */
	function nodeWithBuggyGetState(): GreenApi {
		const node = new GreenApi();
		const buggy = operationOption({
			...getState,
			output: async (answer) => {
				const missing = (answer as Record<string, { field: string } | undefined>).noSuchKey;
				return [{ json: { field: missing!.field } }];
			},
		});
		const properties = node.description.properties.map((p): INodeProperties =>
			p.name === 'operation' ? { ...p, options: p.options!.map((o) => ('value' in o && o.value === 'getState' ? buggy : o)) } : p,
		);
		node.description = { ...node.description, properties };
		return node;
	}

	it('a bug in an output step surfaces as itself, naming the operation and the item, and is not retried', async () => {
		const result = await runNode({
			nodeType: nodeWithBuggyGetState(),
			credentialTypes,
			credentials: creds(),
			parameters: { resource: 'instance', operation: 'getState' },
		});
		expect(result.error?.message).toMatch(/^Get State: reading GREEN-API's answer failed: Cannot read properties of undefined \(reading 'field'\) \[item 0\]$/);
		expect(result.error?.message).not.toMatch(/request to GREEN-API|API URL/);
		expect(result.error?.description).toMatch(/GREEN-API answered/);
		// The answer was good: one request, no retry of a call that had succeeded.
		expect(sandbox.stats().byMethod.getStateInstance.requests).toBe(1);
		expectNoToken(result);
	});

	it('with Continue On Fail, each item carries its own output-step error', async () => {
		const result = await runNode({
			nodeType: nodeWithBuggyGetState(),
			credentialTypes,
			credentials: creds(),
			parameters: { resource: 'instance', operation: 'getState' },
			items: items({ a: 1 }, { a: 2 }),
			continueOnFail: true,
		});
		expect(result.items.map((i) => i.json.error)).toEqual([
			expect.stringMatching(/^Get State: reading GREEN-API's answer failed: .* \[item 0\]$/),
			expect.stringMatching(/^Get State: reading GREEN-API's answer failed: .* \[item 1\]$/),
		]);
		expectNoToken(result);
	}, 30_000);
});

describe('advice fits what is known about the instance', () => {
	it('"not authorized" from a yellowCard instance: says how to tell, and does not tell to scan a QR code', async () => {
		sandbox.setState(main.idInstance, 'yellowCard');
		const result = await runGreenApi(creds(), { operation: 'checkWhatsapp', phoneNumber: '441234567891' });
		expect(result.error?.message).toBe('GREEN-API rejected the request: instance account not authorized [item 0]');
		expect(result.error?.description).toMatch(/also for one in yellowCard, which is still linked/);
		expect(result.error?.description).toMatch(/Get State: notAuthorized -> link .*; yellowCard -> do not re-link: reboot/);
		expect(result.error?.description).not.toMatch(/^.*scan the QR code/i);
		expectNoToken(result);
	});
});

describe('the parameter panel', () => {
	const description = new GreenApi().description;
	const shownFor = (operation: string) =>
		description.properties.filter((p) => NodeHelpers.displayParameter({ resource: 'instance', operation }, p, { typeVersion: 1 }, description));

	it.each([
		['logout', /unlinks the phone/],
		['reboot', /sending stops/],
		['unban', /files a new appeal.*Get Appeal Status/],
	])('%s shows a warning notice', (operation, text) => {
		const notices = shownFor(operation).filter((p) => p.type === 'notice');
		expect(notices).toHaveLength(1);
		expect(notices[0].displayName).toMatch(text);
	});

	it('the operations that change something (Logout, Reboot, Unban) warn; those that only read show no warning', () => {
		const warning = (op: (typeof instanceOperations)[number]) => op.warning !== undefined;
		expect(instanceOperations.filter(warning).map((op) => op.value).sort()).toEqual(['logout', 'reboot', 'unban']);
		expect(instanceOperations.filter(warning).every((op) => op.method.effect !== 'reads')).toBe(true);
		const warnings = instanceOperations.flatMap((op) => op.warning ?? []);
		for (const op of instanceOperations.filter((o) => !warning(o))) {
			expect(op.method.effect).toBe('reads');
			expect(shownFor(op.value).filter((p) => p.type === 'notice' && warnings.includes(p.displayName))).toEqual([]);
		}
	});
});

describe('as an AI tool, each operation tells the model when to use it and what it returns', () => {
	const base = new GreenApi().description;
	// What n8n's loader makes of a usableAsTool node (convertNodeToAiTool): the name ends in Tool.
	const tool: INodeTypeDescription = { ...base, name: `${base.name}Tool` };
	const operations = (base.properties.find((p) => p.name === 'operation')!.options as Array<{ value: string; action: string }>);

	it.each(operations.map((o) => [o.value, o.action] as const))('%s', (operation, action) => {
		const node = { typeVersion: 1 };
		const parameters = NodeHelpers.getNodeParameters(tool.properties, { resource: 'instance', operation }, true, false, node, tool)!;
		const text = String(parameters.toolDescription);
		// What the model reads when the user leaves the tool's description alone (n8n 1.x and 2.x).
		expect(NodeHelpers.getToolDescriptionForNode({ ...node, parameters } as unknown as INode, { description: tool } as INodeType)).toBe(text);
		expect(text).not.toBe(`${action} in GREEN-API`);
		expect(text).toMatch(/Returns /);
		if (['logout', 'reboot', 'unban'].includes(operation)) expect(text).toMatch(/Ask a human/);
		// The plain node keeps no such parameter.
		expect(NodeHelpers.getNodeParameters(base.properties, { resource: 'instance', operation }, true, false, node, base)).not.toHaveProperty('toolDescription');
	});

	it('the tool description of Get QR Code tells a model it cannot see the image', () => {
		const parameters = NodeHelpers.getNodeParameters(tool.properties, { resource: 'instance', operation: 'getQrCode' }, true, false, { typeVersion: 1 }, tool)!;
		expect(parameters.toolDescription).toMatch(/you cannot see or scan it.*GREEN-API console.*Get Link Code/);
	});

	it('a description the user wrote wins', () => {
		const node = { typeVersion: 1 };
		const parameters = NodeHelpers.getNodeParameters(tool.properties, { resource: 'instance', operation: 'getState', toolDescription: 'Mine' }, true, false, node, tool)!;
		expect(NodeHelpers.getToolDescriptionForNode({ ...node, parameters } as unknown as INode, { description: tool } as INodeType)).toBe('Mine');
	});
});

describe('a local check is not shown as an answer from GREEN-API', () => {
	/** The GreenApi node with Get State's request step failing a local check, as phoneNumberOf does. */
	function nodeWithCheck(error: (ctx: IExecuteSingleFunctions) => Error): GreenApi {
		const node = new GreenApi();
		const checked = operationOption({
			...getState,
			body: (ctx) => {
				throw error(ctx);
			},
		});
		const properties = node.description.properties.map((p): INodeProperties =>
			p.name === 'operation' ? { ...p, options: p.options!.map((o) => ('value' in o && o.value === 'getState' ? checked : o)) } : p,
		);
		node.description = { ...node.description, properties };
		return node;
	}
	const run = (nodeType: GreenApi) =>
		runNode({ nodeType, credentialTypes, credentials: creds(), parameters: { resource: 'instance', operation: 'getState' } });

	it('a NodeOperationError from a request step: RoutingNode re-wraps it with httpCode "none" (why localItemError exists)', async () => {
		const result = await run(nodeWithCheck((ctx) => new NodeOperationError(ctx.getNode(), 'bad value', { itemIndex: 0 })));
		expect((result.error as NodeApiError).httpCode).toBe('none');
	});

	it('localItemError passes as it is: no status for the editor to show', async () => {
		const result = await run(
			nodeWithCheck((ctx) => localItemError(ctx.getNode(), 'Phone Number in item 0: "x" is not a phone number', { itemIndex: 0, description: 'Use +44 ...' })),
		);
		expect(result.error?.message).toBe('Phone Number in item 0: "x" is not a phone number');
		expect(result.error?.description).toBe('Use +44 ...');
		expect((result.error as NodeApiError).httpCode).toBeNull();
		expect((result.error as NodeApiError).messages).toEqual([]);
		expect(sandbox.stats().total).toBe(0);
		expectNoToken(result);
	});

	it.each([
		['Check WhatsApp, a phone number that is not one', { operation: 'checkWhatsapp', phoneNumber: 'call me' }, /^Phone Number in item 0: /],
		['Unban, an empty appeal text', { operation: 'unban', phoneNumber: '+44 1234 567890', description: ' ' }, /^Description in item 0 is empty/],
	])('%s: the real node raises it without a status, before any request', async (_title, parameters, message) => {
		const result = await runNode({ nodeType: new GreenApi(), credentialTypes, credentials: creds(), parameters: { resource: 'instance', ...parameters } });
		expect(result.error?.message).toMatch(message);
		expect((result.error as NodeApiError).httpCode).toBeNull();
		expect(sandbox.stats().total).toBe(0);
		expectNoToken(result);
	});
});
