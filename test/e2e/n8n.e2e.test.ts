/**
 * The package as users get it (npm pack -> npm install into <n8n user folder>/.n8n/nodes) inside
 * a real n8n, against the GREEN-API sandbox: node types listed, every operation run with real
 * output checked, a failing call with a readable error and no token anywhere, the trigger active
 * for real (one execution when the state changes, none when it does not) and its "Fetch Test
 * Event" shaped like a real event, and, for the default version, the editor in headless Chromium
 * (screenshots into docs/); for the other versions the nodes panel only.
 *
 * The operation list comes from the node's own description (resources/instance/index.ts): every
 * operation that only reads runs here once without an edit to this file; the destructive ones
 * (DESTRUCTIVE) run only in their own tests below.
 *
 * Versions: GREEN_API_E2E_VERSIONS (comma-separated) or both tested lines (2.41.1, 1.123.81).
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

import {
	ALL_TOKENS,
	CRED,
	INSTANCES,
	MANUAL_TRIGGER,
	NODE_TYPE,
	PKG,
	TRIGGER_TYPE,
	WRONG_TOKEN,
	credentialsFor,
	demoWorkflows,
	env,
	opWorkflow,
	sandboxCount,
	startHarness,
	triggerWorkflow,
	waitFor,
} from './harness';
import type { Harness } from './harness';
import { browserChecks, nodesPanelChecks } from './browser';
import { instanceOperations } from '../../nodes/GreenApi/resources/instance';
import type { GreenApiOperation } from '../../nodes/GreenApi/operation';

const VERSIONS: string[] = (process.env.GREEN_API_E2E_VERSIONS || env.TESTED_N8N_VERSIONS.join(','))
	.split(',')
	.map((v: string) => v.trim())
	.filter(Boolean);
const BROWSER_VERSION = process.env.GREEN_API_E2E_BROWSER_VERSION || env.DEFAULT_N8N_VERSION;

const MIN = 60e3;

/** Operations that change the instance or file something on every run (they carry a warning): only their own tests run them. */
const DESTRUCTIVE = instanceOperations.filter((op) => op.warning !== undefined).map((op) => op.value);
/** GREEN-API methods that answer only before a phone is linked ("log out first"): run on the unlinked instance. */
const UNLINKED_ONLY = ['getAuthorizationCode'];
/** A number of the main sandbox instance (its phone), pasted the way people do. */
const PHONE = '+7 900 123-45-67';

type Json = Record<string, any>;
type InstanceName = keyof typeof INSTANCES;

interface ReadOnlyCase {
	op: GreenApiOperation;
	workflowId: string;
	instance: InstanceName;
}

/** Every operation that only reads, from the node's description: one workflow each. */
const READ_ONLY: ReadOnlyCase[] = instanceOperations
	.filter((op) => !DESTRUCTIVE.includes(op.value))
	.map((op, i) => {
		// A required field this suite cannot guess: say so instead of running the operation half-set.
		const unset = (op.fields ?? []).filter((f) => f.required && (f.default === '' || f.default === undefined));
		if (unset.length) throw new Error(`e2e: operation ${op.value} has required fields (${unset.map((f) => f.name).join(', ')}): give them values in readOnlyParameters`);
		return { op, workflowId: `E2eOperation${String(i).padStart(4, '0')}`, instance: UNLINKED_ONLY.includes(op.method.name) ? 'unlinked' : 'main' };
	});

function readOnlyParameters(op: GreenApiOperation): Json {
	return op.perNumber ? { operation: op.value, phoneNumber: PHONE } : { operation: op.value };
}

/** The fields of a GREEN-API answer: the entries of the object, or of the objects of an array. */
function answerFields(answer: unknown): Array<[string, unknown]> {
	const objects = Array.isArray(answer) ? answer : [answer];
	return objects.flatMap((o) => (o && typeof o === 'object' ? Object.entries(o) : []));
}

/** Every key, and every number or non-empty string, at any depth of the output items. */
function outputContents(value: unknown, into = { keys: new Set<string>(), values: new Set<unknown>() }) {
	if (Array.isArray(value)) for (const v of value) outputContents(v, into);
	else if (value && typeof value === 'object') {
		for (const [k, v] of Object.entries(value)) {
			into.keys.add(k);
			outputContents(v, into);
		}
	} else if (typeof value === 'number' || (typeof value === 'string' && value !== '')) into.values.add(value);
	return into;
}

/**
 * The fields of GREEN-API's answer the output does not show: neither under their own name (an
 * operation may nest them, or add its own) nor, for a number or text, by their value under a
 * name of the operation's (Get Outgoing Queue reads GREEN-API's Cyrillic "сount" into `count`).
 */
function fieldsNotShown(answer: unknown, items: Json[]): string[] {
	const shown = outputContents(items);
	const missing = answerFields(answer).filter(([key, value]) => !shown.keys.has(key) && !shown.values.has(value));
	return [...new Set(missing.map(([key]) => key))];
}

/** Asks the sandbox directly what GREEN-API answers to the operation's method (waits out its per-second limit). */
async function askSandbox(sandboxUrl: string, instance: InstanceName, op: GreenApiOperation): Promise<unknown> {
	const { idInstance, apiTokenInstance } = INSTANCES[instance];
	const { verb } = op.method;
	const body = verb === 'POST' ? JSON.stringify(op.perNumber ? { phoneNumber: Number(PHONE.replace(/\D/g, '')) } : {}) : undefined;
	for (let attempt = 1; ; attempt++) {
		const res = await fetch(`${sandboxUrl}/waInstance${idInstance}/${op.method.name}/${apiTokenInstance}`, {
			method: verb,
			headers: body ? { 'content-type': 'application/json' } : {},
			body,
		});
		if (res.status === 429 && attempt < 10) {
			await env.sleep(1100);
			continue;
		}
		expect(res.status).toBe(200);
		return res.json();
	}
}

/** The node's Settings tab with Retry On Fail on: 3 tries, 1 s apart. */
const RETRY_ON_FAIL = { retryOnFail: true, maxTries: 3, waitBetweenTries: 1000 };

/** HTTP Request node version used for Custom API Call: one both n8n lines have. */
const HTTP_REQUEST_VERSION = 4.2;

/**
 * What "Custom API Call" opens: n8n's HTTP Request node with the GREEN-API credential
 * preselected, and the address as a user types it. Created once n8n runs: the sandbox's port is
 * known only then.
 */
function customCallWorkflow(name: string, url: string, method = 'GET', jsonBody?: string): Json {
	const body = jsonBody === undefined ? {} : { sendBody: true, specifyBody: 'json', jsonBody };
	return {
		name,
		// 1.x stores `active` as given (NOT NULL); 2.x ignores it here
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: 'cc000000-0000-4000-8000-000000000001', name: MANUAL_TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'cc000000-0000-4000-8000-000000000002',
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: HTTP_REQUEST_VERSION,
				position: [240, 0],
				parameters: { method, url, authentication: 'predefinedCredentialType', nodeCredentialType: 'greenApi', ...body, options: {} },
				credentials: { greenApi: CRED.main },
			},
		],
		connections: { [MANUAL_TRIGGER]: { main: [[{ node: 'HTTP Request', type: 'main', index: 0 }]] } },
	};
}

/** A server on another loopback port: what it receives is what a host other than the API URL would get. */
async function otherHost(): Promise<{ url: string; seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders }>; close(): Promise<void> }> {
	const seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders }> = [];
	const server = http.createServer((req, res) => {
		seen.push({ method: req.method, url: req.url, headers: req.headers });
		res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ answeredBy: 'another host' }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const WORKFLOWS = [
	...demoWorkflows(),
	...READ_ONLY.map((c) => opWorkflow(c.workflowId, CRED[c.instance], readOnlyParameters(c.op))),
	opWorkflow('E2eGetState00001', CRED.main, { operation: 'getState' }),
	opWorkflow('E2eAccountInfo01', CRED.main, { operation: 'getAccountInfo' }),
	opWorkflow('E2eUnban00000001', CRED.main, { operation: 'unban', phoneNumber: '+7 900 123-45-67', description: 'My number 79001234567 was blocked by mistake.' }),
	opWorkflow('E2eQrAuthorized1', CRED.main, { operation: 'getQrCode' }),
	opWorkflow('E2eReboot0000001', CRED.rough, { operation: 'reboot' }),
	opWorkflow('E2eLogout0000001', CRED.rough, { operation: 'logout' }),
	opWorkflow('E2eQrCode0000001', CRED.rough, { operation: 'getQrCode' }),
	opWorkflow('E2eWrongToken001', CRED.wrongToken, { operation: 'getState' }),
	opWorkflow('E2eBadNumber0001', CRED.main, { operation: 'checkWhatsapp', phoneNumber: 'call me maybe' }),
	opWorkflow('E2eRetryState001', CRED.main, { operation: 'getState' }, RETRY_ON_FAIL),
	opWorkflow('E2eRetryUnban001', CRED.main, { operation: 'unban', phoneNumber: PHONE, description: 'My number 79001234567 was blocked by mistake.' }, RETRY_ON_FAIL),
	triggerWorkflow('E2eTrigger000001', CRED.trigger),
	triggerWorkflow('E2eTriggerTest01', CRED.main),
];

describe.each(VERSIONS)('n8n %s with the packed package', (version) => {
	let h: Harness;
	/** The event of the active trigger's real state change, for the test event to be compared with. */
	let realStateChange: Json | undefined;

	beforeAll(async () => {
		h = await startHarness(version, WORKFLOWS);
	}, 30 * MIN);

	afterAll(async () => {
		if (h) await h.stop();
	}, 2 * MIN);

	test('the package was installed from its tarball into .n8n/nodes (not linked)', () => {
		const installed = path.join(h.home, '.n8n', 'nodes', 'node_modules', PKG);
		expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
		const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(fs.existsSync(path.join(installed, file))).toBe(true);
		expect(fs.existsSync(path.join(h.home, '.n8n', 'custom'))).toBe(false);
	});

	test('n8n lists both node types and the credential type', async () => {
		const nodes: any[] = await h.client.nodeTypes();
		const node = nodes.find((n) => n.name === NODE_TYPE);
		const trigger = nodes.find((n) => n.name === TRIGGER_TYPE);
		expect(node).toBeDefined();
		expect(trigger).toBeDefined();
		expect(node.displayName).toBe('GREEN-API');
		expect(trigger.displayName).toBe('GREEN-API Trigger');
		// the installed package lists what the source describes (the tarball is not stale)
		const ops = node.properties.find((p: any) => p.name === 'operation').options.map((o: any) => o.value).filter((v: string) => !v.startsWith('__'));
		expect([...ops].sort()).toEqual(instanceOperations.map((o) => o.value).sort());
		for (const op of DESTRUCTIVE) expect(ops).toContain(op);
		// the icon is served by n8n from the installed package
		const icon = typeof node.icon === 'object' ? node.icon.light : node.iconUrl?.light ?? node.iconUrl;
		expect(String(icon)).toMatch(/\.svg$/);
		const svg = await fetch(`${h.handle.url}/${String(icon).replace(/^\//, '')}`, { headers: { cookie: h.client.cookie } });
		expect(svg.status).toBe(200);
		expect(await svg.text()).toContain('<svg');

		const creds: any[] = await h.client.credentialTypes();
		const cred = creds.find((c) => c.name === 'greenApi');
		expect(cred).toBeDefined();
		expect(cred.displayName).toBe('GREEN-API API');
		// n8n 1.x appends its own allowed-domains fields to every credential type
		expect(cred.properties.map((p: any) => p.name).slice(0, 3)).toEqual(['apiUrl', 'idInstance', 'apiTokenInstance']);
		expect(cred.properties.find((p: any) => p.name === 'apiTokenInstance').typeOptions?.password).toBe(true);
	});

	test('demo workflow: state, then three numbers checked (a number ending in 0 has no WhatsApp)', async () => {
		const e = await h.run('GreenApiDemoChk1');
		expect(e.status).toBe('success');
		expect(e.items('Get State')).toEqual([expect.objectContaining({ stateInstance: 'authorized' })]);
		const checked = e.items('Check WhatsApp');
		expect(checked.map((i) => [String(i.phoneNumber), i.existsWhatsapp])).toEqual([
			['79001234567', true],
			['441234567890', false],
			['4915112345678', true],
		]);
	});

	test.each(READ_ONLY.map((c) => [c.op.name, c] as const))(
		'%s runs: success, the fields of GREEN-API\'s answer in the output, no token',
		async (_name, c) => {
			const before = sandboxCount(h.sandbox, INSTANCES[c.instance].idInstance, c.op.method.name);
			const e = await h.run(c.workflowId);
			expect(e.error()).toBeUndefined();
			expect(e.status).toBe('success');
			expect(sandboxCount(h.sandbox, INSTANCES[c.instance].idInstance, c.op.method.name)).toBeGreaterThan(before);
			const items = e.items('GREEN-API');
			expect(items.length).toBeGreaterThan(0);
			const answer = await askSandbox(h.sandbox.url, c.instance, c.op);
			expect(answerFields(answer).length).toBeGreaterThan(0);
			expect(fieldsNotShown(answer, items)).toEqual([]);
			for (const token of ALL_TOKENS) expect(e.raw).not.toContain(token);
		},
		2 * MIN,
	);

	test('getState returns the state the sandbox was set to', async () => {
		h.sandbox.setState(INSTANCES.main.idInstance, 'yellowCard');
		try {
			const e = await h.run('E2eGetState00001');
			expect(e.status).toBe('success');
			expect(e.items('GREEN-API')).toEqual([expect.objectContaining({ stateInstance: 'yellowCard' })]);
		} finally {
			h.sandbox.setState(INSTANCES.main.idInstance, 'authorized');
		}
	});

	test('getAccountInfo returns the account phone and state', async () => {
		const e = await h.run('E2eAccountInfo01');
		expect(e.status).toBe('success');
		expect(e.items('GREEN-API')).toEqual([expect.objectContaining({ phone: '79001234567', stateInstance: 'authorized' })]);
	});

	test('unban files an appeal for a number of the instance (pasted with + and spaces)', async () => {
		const e = await h.run('E2eUnban00000001');
		expect(e.status).toBe('success');
		expect(e.items('GREEN-API')).toEqual([expect.objectContaining({ status: 'UNBANNED' })]);
	});

	test('getQrCode on a linked instance says it is already logged in', async () => {
		const e = await h.run('E2eQrAuthorized1');
		expect(e.status).toBe('success');
		expect(e.items('GREEN-API')).toEqual([expect.objectContaining({ type: 'alreadyLogged' })]);
	});

	test('reboot, logout, then getQrCode gives a PNG in binary data', async () => {
		const id = INSTANCES.rough.idInstance;
		const state = () => h.sandbox.listInstances().find((i: any) => String(i.idInstance) === id).stateInstance;

		const reboot = await h.run('E2eReboot0000001');
		expect(reboot.status).toBe('success');
		expect(reboot.items('GREEN-API')).toEqual([expect.objectContaining({ isReboot: true })]);
		await waitFor('the sandbox instance to finish rebooting', () => state() === 'authorized', 30e3, 250);

		const logout = await h.run('E2eLogout0000001');
		expect(logout.status).toBe('success');
		expect(logout.items('GREEN-API')).toEqual([expect.objectContaining({ isLogout: true })]);
		expect(state()).toBe('notAuthorized');

		const qr = await h.run('E2eQrCode0000001');
		expect(qr.status).toBe('success');
		expect(qr.items('GREEN-API')).toEqual([expect.objectContaining({ type: 'qrCode' })]);
		const [binary] = qr.binaries('GREEN-API');
		expect(binary?.data).toEqual(expect.objectContaining({ mimeType: 'image/png' }));
	});

	test('a wrong API token fails with a readable error that does not contain the token', async () => {
		const e = await h.run('E2eWrongToken001');
		expect(e.status).toBe('error');
		const err = e.error();
		if (!err) throw new Error(`execution ${e.id} failed without an error`);
		const text = `${err.message} ${err.description ?? ''}`;
		expect(text).toMatch(/token/i);
		expect(text).toMatch(/401/);
		expect(e.raw).not.toContain(WRONG_TOKEN);
		expect(JSON.stringify(e.data)).not.toContain(WRONG_TOKEN);
	});

	test('a phone number that is no number fails with an error naming the value', async () => {
		const e = await h.run('E2eBadNumber0001');
		expect(e.status).toBe('error');
		const err = e.error();
		if (!err) throw new Error(`execution ${e.id} failed without an error`);
		expect(`${err.message} ${err.description ?? ''}`).toContain('call me maybe');
	});

	test('with n8n\'s Retry On Fail on: one request per try, the error counts them, and Unban files one appeal', async () => {
		const main = INSTANCES.main.idInstance;
		h.sandbox.injectFault({ idInstance: main, method: 'getStateInstance', kind: 'status', status: 502, count: 3 });
		let before = sandboxCount(h.sandbox, main);
		const state = await h.run('E2eRetryState001');
		expect(state.status).toBe('error');
		expect(state.error()?.message).toMatch(/server error \(502\).*\(3 requests made\)/);
		expect(sandboxCount(h.sandbox, main) - before).toBe(3);

		h.sandbox.injectFault({ idInstance: main, method: 'unban', kind: 'status', status: 502, count: 1 });
		before = sandboxCount(h.sandbox, main);
		const unban = await h.run('E2eRetryUnban001');
		expect(unban.status).toBe('error');
		expect(unban.error()?.message).toMatch(/server error \(502\)/);
		expect(sandboxCount(h.sandbox, main) - before).toBe(1);
	});

	test('credential test (the one behind the editor\'s Test button) against the sandbox', async () => {
		const all = credentialsFor(h.sandbox.url);
		const main = all.find((c) => c.id === CRED.main.id)!;
		const wrong = all.find((c) => c.id === CRED.wrongToken.id)!;
		const ok = await h.client.request('POST', '/rest/credentials/test', { credentials: main });
		expect(ok).toEqual(expect.objectContaining({ status: 'OK' }));
		const bad = await h.client.request('POST', '/rest/credentials/test', { credentials: wrong });
		expect(bad.status).toBe('Error');
		// n8n 2.x applies the credential's responseCode rule for 401 ("The API Token is wrong: ...");
		// n8n 1.123 never reaches the rules for this request and says "Authorization failed -
		// please check your credentials" (n8n's wording, still pointing at the credential).
		expect(bad.message).toMatch(Number(version.split('.')[0]) >= 2 ? /token/i : /token|credential/i);
		expect(JSON.stringify(bad)).not.toContain(WRONG_TOKEN);

		// Valid credentials pass whatever state the instance is in: one never linked too.
		const unlinked = all.find((c) => c.id === CRED.unlinked.id)!;
		expect(await h.client.request('POST', '/rest/credentials/test', { credentials: unlinked })).toEqual(expect.objectContaining({ status: 'OK' }));
		// An instance ID that GREEN-API does not know: 403, explained by the credential's rule (2.x).
		const otherInstance = { ...main, data: { ...main.data, idInstance: '1101009999' } };
		const forbidden = await h.client.request('POST', '/rest/credentials/test', { credentials: otherInstance });
		expect(forbidden.status).toBe('Error');
		expect(forbidden.message).toMatch(Number(version.split('.')[0]) >= 2 ? /^The Instance ID or the API URL is wrong/ : /Instance ID|credential/i);
	});

	test('Custom API Call: the HTTP Request node with the GREEN-API credential reaches any method, the token only the API URL', async () => {
		const api = h.sandbox.url;
		const { idInstance } = INSTANCES.main;
		const other = await otherHost();
		const run = async (name: string, url: string, method?: string, jsonBody?: string) => {
			const created = await h.client.request('POST', '/rest/workflows', customCallWorkflow(`e2e Custom API Call ${name}`, url, method, jsonBody));
			const e = await h.run(String(created.id));
			for (const token of ALL_TOKENS) expect(e.raw).not.toContain(token);
			return e;
		};
		try {
			const byMethod = (m: string) => h.sandbox.stats().byMethod?.[m]?.ok ?? 0;

			const settingsBefore = byMethod('getWaSettings');
			const settings = await run('method', `${api}/getWaSettings`);
			expect(settings.error()).toBeUndefined();
			expect(settings.items('HTTP Request')).toEqual([expect.objectContaining({ phone: '79001234567', stateInstance: 'authorized' })]);
			expect(byMethod('getWaSettings')).toBe(settingsBefore + 1);

			const state = await run('console address', `${api}/waInstance${idInstance}/getStateInstance/`);
			expect(state.error()).toBeUndefined();
			expect(state.items('HTTP Request')).toEqual([{ stateInstance: 'authorized' }]);

			const checked = await run('POST', `${api}/checkWhatsapp`, 'POST', '{"phoneNumber": 79001234567}');
			expect(checked.error()).toBeUndefined();
			expect(checked.items('HTTP Request')).toEqual([{ existsWhatsapp: true }]);

			// The sandbox has no getSettings (GREEN-API has): its 404 shows the request got there, and the failure stays token-free.
			const missing = await run('method the sandbox lacks', `${api}/getSettings`);
			expect(missing.status).toBe('error');
			expect(String(missing.error()?.httpCode)).toBe('404');

			const elsewhere = await run('another host', `${other.url}/getWaSettings`);
			expect(elsewhere.items('HTTP Request')).toEqual([{ answeredBy: 'another host' }]);
			expect(other.seen.map((r) => r.url)).toEqual(['/getWaSettings']);
			for (const token of ALL_TOKENS) expect(JSON.stringify(other.seen)).not.toContain(token);
		} finally {
			await other.close();
		}
	}, 3 * MIN);

	test('the credential test with the API token pasted into the Instance ID field says so without showing it', async () => {
		const main = credentialsFor(h.sandbox.url).find((c) => c.id === CRED.main.id)!;
		const token = INSTANCES.main.apiTokenInstance;
		const res = await h.client.request('POST', '/rest/credentials/test', { credentials: { ...main, data: { ...main.data, idInstance: token } } });
		expect(res.status).toBe('Error');
		expect(res.message).toMatch(/Instance ID.*50 characters/);
		for (let i = 0; i + 6 <= token.length; i++) expect(JSON.stringify(res)).not.toContain(token.slice(i, i + 6));
	});

	test(
		'active trigger: no execution while the state stays, one when the sandbox changes it',
		async () => {
			const wf = 'E2eTrigger000001';
			const id = INSTANCES.trigger.idInstance;
			const polls = () => sandboxCount(h.sandbox, id);
			await h.activate(wf);
			try {
				// The activation poll only records the current state.
				await waitFor('the activation poll', () => polls() >= 1, 30e3, 250);
				const afterActivation = polls();
				// Next scheduled poll (every minute, at a random second): same state, nothing emitted.
				await waitFor('a scheduled poll with the state unchanged', () => polls() > afterActivation, 75e3, 250);
				await env.sleep(3000);
				expect(await h.executionsOf(wf)).toHaveLength(0);

				h.sandbox.setState(id, 'yellowCard');
				const beforeChange = polls();
				await waitFor('the poll after the state change', () => polls() > beforeChange, 75e3, 250);
				const list = await waitFor(
					'an execution of the trigger workflow',
					async () => {
						const l = await h.executionsOf(wf);
						return l.length > 0 && l.every((x: any) => x.stoppedAt) ? l : undefined;
					},
					20e3,
					500,
				);
				expect(list).toHaveLength(1);
				const e = await h.execution(list[0].id);
				expect(e.status).toBe('success');
				expect(e.mode).toBe('trigger');
				expect(e.items('GREEN-API Trigger')).toEqual([
					expect.objectContaining({
						event: 'stateChanged',
						idInstance: id,
						stateInstance: 'yellowCard',
						previousState: 'authorized',
					}),
				]);
				expect(e.items('State changed')).toHaveLength(1);
				realStateChange = e.items('GREEN-API Trigger')[0];
			} finally {
				await h.deactivate(wf).catch(() => undefined);
				h.sandbox.setState(id, 'authorized');
			}
		},
		5 * MIN,
	);

	test('"Fetch Test Event" (a manual run of the trigger) gives every field of a real state change', async () => {
		if (!realStateChange) throw new Error('no real stateChanged event to compare with: the active-trigger test above failed');
		const e = await h.run('E2eTriggerTest01', 'GREEN-API Trigger');
		expect(e.error()).toBeUndefined();
		expect(e.status).toBe('success');
		expect(e.mode).toBe('manual');
		const events = e.items('GREEN-API Trigger');
		expect(events).toHaveLength(1);
		const [event] = events;
		expect(event).toEqual(expect.objectContaining({ idInstance: INSTANCES.main.idInstance, stateInstance: 'authorized' }));
		// it says which event it is
		expect(typeof event.event).toBe('string');
		expect(Object.keys(realStateChange).filter((key) => !(key in event))).toEqual([]);
	});

	if (version === BROWSER_VERSION) {
		test('editor in headless Chromium: nodes panel, credential form and test, a run', async () => browserChecks(h), 5 * MIN);
	} else {
		test('nodes panel in headless Chromium: one entry, its description, the trigger\'s event', async () => nodesPanelChecks(h), 3 * MIN);
	}

	test('no API token appears in any execution or in n8n\'s output', async () => {
		// fetch every stored execution once more, so trigger and error executions are included
		const all = await h.client.request('GET', '/rest/executions?limit=100');
		for (const x of all.results ?? all) await h.execution(x.id);
		const log = h.handle.readLog() + (fs.existsSync(path.join(h.home, 'n8n-cli.log')) ? fs.readFileSync(path.join(h.home, 'n8n-cli.log'), 'utf8') : '');
		// n8n ran at its debug level (see startHarness), where it logs the most about each request.
		expect(log).toMatch(/ \| debug \| /);
		for (const token of ALL_TOKENS) {
			expect(log.includes(token)).toBe(false);
			for (const text of h.seenExecutionText) expect(text.includes(token)).toBe(false);
		}
	});
});
