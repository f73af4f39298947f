/**
 * GREEN-API as AI tools and the templates under templates/, in one real n8n 2.41.1 (one start for
 * both parts: n8n takes most of a minute to come up on a busy machine).
 *
 * - "MCP": the MCP server template, activated, and the official MCP SDK client in the model's
 *   place: the tools a model is offered (name, description, input schema), what each call returns
 *   against the sandbox, tool errors, pacing of a burst of calls, no token anywhere.
 * - "templates": every template imports and uses node types n8n knows; those that can run, run
 *   against the sandbox with outside services (email) replaced by a No Op node that records what
 *   would have been sent; the AI agent template's wiring is what the README says.
 */
import * as fs from 'fs';
import * as path from 'path';

import { ALL_TOKENS, CRED, INSTANCES, WRONG_TOKEN, env, startHarness } from './harness';
import type { Execution, Harness } from './harness';
import { McpSession } from './mcp/mcp-client';
import { screenshotWorkflows } from './mcp/editor';
import { connectionTriples, readTemplate, templateFiles, templateForTest } from './mcp/templates';
import { instanceOperations } from '../../nodes/GreenApi/resources/instance';

const VERSION = env.DEFAULT_N8N_VERSION as string;
const MIN = 60e3;
const MAIN = INSTANCES.main.idInstance;

type Json = Record<string, any>;

/** Outside services become a No Op: its output items are exactly what would have been sent. */
const RECORDER = { type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} };

const WF = {
	mcp: 'TmplMcpServer001',
	mcpWrongToken: 'TmplMcpWrongTok1',
	mcpDefaults: 'McpToolDefaults1',
	alert: 'TmplHealthAlert1',
	reboot: 'TmplAutoReboot01',
	contacts: 'TmplContacts0001',
	agent: 'TmplAiAgent00001',
	/** the health alert as users import it (email node and all), only shown in the editor */
	alertAsShipped: 'TmplHealthAlert2',
};

/** The MCP server template served a second time, on another path, with a wrong API token. */
function mcpWithWrongToken(): Json {
	const wf = templateForTest('green-api-mcp-server.json', WF.mcpWrongToken, CRED.wrongToken);
	const trigger = wf.nodes.find((n: Json) => n.type.endsWith('.mcpTrigger'));
	trigger.parameters.path = 'green-api-wrong-token';
	trigger.webhookId = 'e2e00000-0000-4000-8000-00000000bad1';
	return wf;
}

/**
 * Tool nodes as a user gets them when adding them in the editor and changing nothing but the
 * operation: Tool Description "Set Automatically", Phone Number "Defined automatically by the
 * model" (the editor writes `$fromAI('Phone_Number', '', 'string')`).
 */
function mcpWithDefaults(): Json {
	const tool = (name: string, operation: string, extra: Json = {}, i = 0) => ({
		id: `e2e00000-0000-4000-8000-0000000d000${i}`,
		name,
		type: `${env.PACKAGE_NAME}.greenApiTool`,
		typeVersion: 1,
		position: [i * 200, 240],
		parameters: { resource: 'instance', operation, ...extra, options: {} },
		credentials: { greenApi: CRED.main },
	});
	const nodes = [
		{ id: 'e2e00000-0000-4000-8000-0000000d0000', name: 'MCP Server Trigger', type: '@n8n/n8n-nodes-langchain.mcpTrigger', typeVersion: 2, position: [0, 0], webhookId: 'e2e00000-0000-4000-8000-00000000def1', parameters: { path: 'green-api-defaults' } },
		tool('GREEN-API', 'getState', {}, 1),
		tool('GREEN-API1', 'checkWhatsapp', { phoneNumber: "={{ $fromAI('Phone_Number', ``, 'string') }}" }, 2),
		tool('GREEN-API2', 'getQrCode', {}, 3),
		// offered here only to read its description; never called
		tool('GREEN-API3', 'logout', {}, 4),
	];
	const connections: Json = {};
	for (const n of nodes.slice(1)) connections[n.name] = { ai_tool: [[{ node: 'MCP Server Trigger', type: 'ai_tool', index: 0 }]] };
	return { id: WF.mcpDefaults, name: 'e2e MCP tools with default settings', active: false, settings: { executionOrder: 'v1' }, nodes, connections, pinData: {} };
}

const WORKFLOWS: Json[] = [
	templateForTest('green-api-mcp-server.json', WF.mcp, CRED.main),
	mcpWithWrongToken(),
	mcpWithDefaults(),
	templateForTest('green-api-instance-health-alert.json', WF.alert, CRED.main, { 'Send alert': RECORDER }),
	templateForTest('green-api-auto-reboot.json', WF.reboot, CRED.main, {
		'Send alert': RECORDER,
		// five minutes in the template; a few seconds are enough for the sandbox's reboot
		'Wait for the restart': { type: 'n8n-nodes-base.wait', typeVersion: 1.1, parameters: { amount: 4, unit: 'seconds' }, webhookId: 'e2e00000-0000-4000-8000-00000000a417' },
	}),
	templateForTest('green-api-clean-contact-list.json', WF.contacts, CRED.main),
	templateForTest('green-api-ai-agent-with-approval.json', WF.agent, CRED.main),
	templateForTest('green-api-instance-health-alert.json', WF.alertAsShipped, CRED.main),
];

describe(`n8n ${VERSION}: GREEN-API tools through MCP, and the templates`, () => {
	let h: Harness;
	let mcp: McpSession;
	const sessions: McpSession[] = [];
	/** run a workflow from a given start node (h.run only starts from a Manual Trigger) */
	let runFrom: (workflowId: string, startNode: string) => Promise<Execution>;

	beforeAll(async () => {
		const started = Date.now();
		h = await startHarness(VERSION, WORKFLOWS);
		for (const id of [WF.mcp, WF.mcpWrongToken, WF.mcpDefaults]) await h.activate(id);
		mcp = await McpSession.connect(h.handle.url, 'green-api');
		sessions.push(mcp);
		process.stderr.write(`  n8n with templates up and MCP connected in ${env.fmtSecs(Date.now() - started)}\n`);

		runFrom = async (workflowId, startNode) => {
			const workflowData = await h.client.getWorkflow(workflowId);
			const res = await h.client.request('POST', `/rest/workflows/${workflowId}/run`, { workflowData, triggerToStartFrom: { name: startNode } });
			const deadline = Date.now() + 120e3;
			for (;;) {
				const e = await h.client.request('GET', `/rest/executions/${res.executionId}`);
				if (e?.stoppedAt && !['new', 'running', 'waiting'].includes(e.status)) return h.execution(res.executionId);
				if (Date.now() > deadline) throw new Error(`execution ${res.executionId} still ${e?.status} after 120 s`);
				await env.sleep(300);
			}
		};
	}, 30 * MIN);

	afterAll(async () => {
		for (const s of sessions) await s.close().catch(() => undefined);
		if (h) await h.stop();
	}, 2 * MIN);

	beforeEach(() => h.sandbox.reset());

	describe('MCP: what a model sees', () => {
		test('the server introduces itself with instructions, and offers exactly the four read-only tools', async () => {
			expect(mcp.instructions).toMatch(/international format with the country code/);
			expect(mcp.instructions).toMatch(/never send messages, log out or reboot/);
			const tools = await mcp.listTools();
			expect(tools.map((t) => t.name).sort()).toEqual(['check_whatsapp', 'get_account_info', 'get_qr_code', 'get_state']);
		});

		test('each tool says when to use it and what it returns', async () => {
			const tools = Object.fromEntries((await mcp.listTools()).map((t) => [t.name, t]));
			for (const t of Object.values(tools)) {
				expect(t.description).toMatch(/\bUse\b|\buse it\b/);
				expect(t.description).toMatch(/Returns /);
			}
			// states are explained where a model reads them, not only their names
			for (const s of ['authorized =', 'notAuthorized =', 'blocked =', 'starting =', 'yellowCard =']) expect(tools.get_state.description).toContain(s);
			expect(tools.check_whatsapp.description).toMatch(/existsWhatsapp \(true or false\)/);
			expect(tools.check_whatsapp.description).toMatch(/quota/);
			expect(tools.get_account_info.description).toMatch(/Returns phone/);
			// a model cannot look at a PNG: the tool says so and what to tell the person instead
			expect(tools.get_qr_code.description).toMatch(/you cannot see or scan the image/);
			expect(tools.get_qr_code.description).toMatch(/GREEN-API console/);
		});

		test('input schemas: Check WhatsApp asks for phoneNumber and states the format; the others take nothing', async () => {
			const tools = Object.fromEntries((await mcp.listTools()).map((t) => [t.name, t]));
			const schema: any = tools.check_whatsapp.inputSchema;
			expect(schema.type).toBe('object');
			expect(schema.required).toEqual(['phoneNumber']);
			expect(Object.keys(schema.properties)).toEqual(['phoneNumber']);
			expect(schema.properties.phoneNumber.type).toBe('string');
			expect(schema.properties.phoneNumber.description).toMatch(/international format with the country code/);
			expect(schema.properties.phoneNumber.description).toMatch(/\+44 1234 567890/);
			expect(schema.properties.phoneNumber.description).toMatch(/11 to 16 digits/);
			for (const name of ['get_state', 'get_account_info', 'get_qr_code']) {
				expect(Object.keys((tools[name].inputSchema as any).properties ?? {})).toEqual([]);
			}
		});

		test('get_state returns the state with its meaning and the recommended action', async () => {
			h.sandbox.setState(MAIN, 'yellowCard');
			const a = await mcp.call('get_state');
			expect(a.isError).toBe(false);
			expect(a.json).toEqual([
				{ stateInstance: 'yellowCard', meaning: expect.stringMatching(/suspended for suspected spam/), recommendedAction: 'reboot' },
			]);
			h.sandbox.setState(MAIN, 'blocked');
			const b = await mcp.call('get_state');
			expect(b.json).toEqual([{ stateInstance: 'blocked', meaning: expect.stringMatching(/banned/), recommendedAction: 'appeal' }]);
		});

		test('check_whatsapp answers for the number it was asked about, as pasted', async () => {
			const yes = await mcp.call('check_whatsapp', { phoneNumber: '+44 1234 567891' });
			expect(yes.isError).toBe(false);
			expect(yes.json).toEqual([{ phoneNumber: '441234567891', existsWhatsapp: true }]);
			// the sandbox: a number ending in 0 has no WhatsApp
			const no = await mcp.call('check_whatsapp', { phoneNumber: '0049 151 1234 5670' });
			expect(no.json).toEqual([{ phoneNumber: '4915112345670', existsWhatsapp: false }]);
			expect(h.sandbox.stats().byMethod.checkWhatsapp.ok).toBe(2);
		});

		test('get_account_info returns the linked phone and the state', async () => {
			const a = await mcp.call('get_account_info');
			expect(a.isError).toBe(false);
			expect(a.json).toEqual([expect.objectContaining({ phone: '79001234567', stateInstance: 'authorized', meaning: expect.any(String) })]);
		});

		test('get_qr_code: "alreadyLogged" when linked; when not, a short answer without the image (a model cannot use it)', async () => {
			const linked = await mcp.call('get_qr_code');
			expect(linked.isError).toBe(false);
			expect(linked.json).toEqual([expect.objectContaining({ type: 'alreadyLogged', explanation: expect.stringMatching(/no QR code is needed/) })]);

			h.sandbox.setState(MAIN, 'notAuthorized');
			const unlinked = await mcp.call('get_qr_code');
			expect(unlinked.isError).toBe(false);
			expect(unlinked.json).toEqual([{ type: 'qrCode', explanation: expect.any(String) }]);
			// n8n leaves binary data out of tool answers: no base64 PNG eats the model's context
			expect(unlinked.text).not.toMatch(/iVBORw0KGgo/);
			expect(unlinked.text.length).toBeLessThan(500);
		});

		test('a bad phone number is a readable tool error naming the value and the accepted formats', async () => {
			const words = await mcp.call('check_whatsapp', { phoneNumber: 'call me' });
			expect(words.isError).toBe(true);
			expect(words.text).toContain('"call me" is not a phone number');
			expect(words.text).toMatch(/international format with the country code, e\.g\. \+44 1234 567890/);
			const short = await mcp.call('check_whatsapp', { phoneNumber: '12345' });
			expect(short.isError).toBe(true);
			expect(short.text).toContain('"12345" has 5 digits');
			expect(short.text).toMatch(/11 to 16 digits/);
			// refused before any request: no quota used
			expect(h.sandbox.stats().byMethod.checkWhatsapp).toBeUndefined();
		});

		test('a wrong API token is a tool error that says so, without the token', async () => {
			const wrong = await McpSession.connect(h.handle.url, 'green-api-wrong-token');
			sessions.push(wrong);
			for (const name of ['get_state', 'get_account_info']) {
				const a = await wrong.call(name);
				expect(a.isError).toBe(true);
				expect(a.text).toMatch(/GREEN-API refused the API token \(401 Unauthorized\)/);
				expect(a.text).toMatch(/Check the API Token in the GREEN-API credential/);
				expect(a.text).not.toContain(WRONG_TOKEN);
			}
		});

		test(
			'15 Check WhatsApp calls sent at once all succeed, each with its own number',
			async () => {
				const numbers = Array.from({ length: 15 }, (_, i) => `4412345678${String(i).padStart(2, '0')}`);
				const started = Date.now();
				const answers = await Promise.all(numbers.map((n) => mcp.call('check_whatsapp', { phoneNumber: n })));
				const took = Date.now() - started;
				expect(answers.filter((a) => a.isError).map((a) => a.text)).toEqual([]);
				expect(answers.map((a) => a.json[0])).toEqual(numbers.map((n) => ({ phoneNumber: n, existsWhatsapp: !n.endsWith('0') })));
				const s = h.sandbox.stats().byMethod.checkWhatsapp;
				expect(s.ok).toBe(15);
				// Printed, not asserted: how many 429s the calls meet depends on how fast n8n starts
				// their executions (one try with a pacer per execution met none), so this cannot tell
				// whether they share the pacer; test/pacing.test.ts proves that executions do.
				process.stderr.write(`  15 MCP check_whatsapp calls: ${took} ms, sandbox saw ${s.requests} requests, ${s.rateLimited} x 429\n`);
			},
			3 * MIN,
		);

		test('defaults a user gets in the editor: the tool is named after the node and described by its operation', async () => {
			const session = await McpSession.connect(h.handle.url, 'green-api-defaults');
			sessions.push(session);
			const tools = Object.fromEntries((await session.listTools()).map((t) => [t.name, t]));
			expect(Object.keys(tools).sort()).toEqual(['GREEN-API', 'GREEN-API1', 'GREEN-API2', 'GREEN-API3']);
			// each operation brings its own tool description (change B below), not n8n's "<action> in <node name>"
			expect(tools['GREEN-API'].description).not.toBe('Get the state of the instance in GREEN-API');
			expect(tools['GREEN-API3'].description).not.toBe('Log out the instance in GREEN-API');
			// the AI button's $fromAI carries no description unless the user writes one
			expect((tools['GREEN-API1'].inputSchema as any).properties.Phone_Number).toEqual({ type: 'string' });
			const a = await session.call('GREEN-API1', { Phone_Number: '+7 900 123-45-67' });
			expect(a.json).toEqual([{ phoneNumber: '79001234567', existsWhatsapp: true }]);
		});

		test('tool calls are stored as executions, and no token appears in them, in n8n\'s log or in anything the client received', async () => {
			const list = await h.executionsOf(WF.mcp);
			expect(list.length).toBeGreaterThan(10);
			const wrongList = await h.executionsOf(WF.mcpWrongToken);
			expect(wrongList.length).toBeGreaterThanOrEqual(2);
			for (const x of [...list, ...wrongList]) await h.execution(x.id);
			const everything = [...sessions.flatMap((s) => s.received), ...h.seenExecutionText, h.handle.readLog()].join('\n');
			// the searches can find something: the tool answers are in there
			expect(everything).toContain('existsWhatsapp');
			expect(everything).toContain('GREEN-API refused the API token');
			for (const token of ALL_TOKENS) expect(everything.includes(token)).toBe(false);
		});
	});

	describe('templates', () => {
		test('every template is linked from the README and uses only node types n8n knows at those versions', async () => {
			const readme = fs.readFileSync(path.join(env.ROOT, 'README.md'), 'utf8');
			const known: Json[] = await h.client.nodeTypes();
			const has = (type: string, version: number) =>
				known.some((t) => t.name === type && (Array.isArray(t.version) ? t.version : [t.version]).includes(version));
			const files = templateFiles();
			expect(files.length).toBe(5);
			for (const file of files) {
				expect(readme).toContain(`(templates/${file})`);
				const wf = readTemplate(file);
				expect(wf.name).toMatch(/^GREEN-API: /);
				const unknown = wf.nodes.filter((n: Json) => !has(n.type, n.typeVersion)).map((n: Json) => `${n.name} (${n.type} v${n.typeVersion})`);
				expect(unknown).toEqual([]);
				// every connection joins two nodes of the template
				const names = new Set(wf.nodes.map((n: Json) => n.name));
				for (const t of connectionTriples(wf)) for (const end of t.split(/ -\[.*\]-> /)) expect(names).toContain(end);
			}
		});

		test('every template imported into n8n as it is (nodes and connections unchanged)', async () => {
			for (const [file, id] of [
				['green-api-mcp-server.json', WF.mcp],
				['green-api-instance-health-alert.json', WF.alert],
				['green-api-auto-reboot.json', WF.reboot],
				['green-api-clean-contact-list.json', WF.contacts],
				['green-api-ai-agent-with-approval.json', WF.agent],
			]) {
				const stored = await h.client.getWorkflow(id);
				const tmpl = readTemplate(file);
				expect(stored.nodes.map((n: Json) => n.name).sort()).toEqual(tmpl.nodes.map((n: Json) => n.name).sort());
				expect(connectionTriples(stored)).toEqual(connectionTriples(tmpl));
			}
		});

		test('AI agent: Reboot and Logout reach the agent only through the chat approval tool', async () => {
			const wf = await h.client.getWorkflow(WF.agent);
			const byName = Object.fromEntries(wf.nodes.map((n: Json) => [n.name, n]));
			expect(byName['Ask for approval in chat'].type).toBe('@n8n/n8n-nodes-langchain.chatHitlTool');
			expect(byName['reboot_instance'].parameters.operation).toBe('reboot');
			expect(byName['logout_instance'].parameters.operation).toBe('logout');
			expect(connectionTriples(wf)).toEqual(
				[
					'AI Agent -[main]-> Reply in chat',
					'Ask for approval in chat -[ai_tool]-> AI Agent',
					'Chat model -[ai_languageModel]-> AI Agent',
					'When chat message received -[main]-> AI Agent',
					'check_whatsapp -[ai_tool]-> AI Agent',
					'get_account_info -[ai_tool]-> AI Agent',
					'get_state -[ai_tool]-> AI Agent',
					'logout_instance -[ai_tool]-> Ask for approval in chat',
					'reboot_instance -[ai_tool]-> Ask for approval in chat',
				].sort(),
			);
			// every GREEN-API operation that changes something is behind the approval step
			const changing = instanceOperations.filter((op) => op.warning !== undefined).map((op) => op.value);
			const destructive = wf.nodes.filter((n: Json) => n.type.endsWith('.greenApiTool') && changing.includes(n.parameters.operation));
			for (const n of destructive) {
				expect(connectionTriples({ connections: { [n.name]: wf.connections[n.name] } })).toEqual([`${n.name} -[ai_tool]-> Ask for approval in chat`]);
				expect(n.parameters.toolDescription).toMatch(/A person must approve each call/);
			}
			expect(destructive).toHaveLength(2);
		});

		test('health alert, notAuthorized: the alert names the state, its meaning and how to re-link that still works when read (no 20-second QR code)', async () => {
			h.sandbox.setState(MAIN, 'notAuthorized');
			const e = await runFrom(WF.alert, 'GREEN-API Trigger');
			expect(e.status).toBe('success');
			const sent = e.items('Send alert');
			expect(sent).toHaveLength(1);
			expect(sent[0]).toEqual(expect.objectContaining({ idInstance: MAIN, stateInstance: 'notAuthorized', subject: `WhatsApp instance ${MAIN} is notAuthorized` }));
			expect(sent[0].text).toMatch(/^State: notAuthorized\nMeaning: Not linked to a phone.*\nWhat to do: Re-link the phone: .*GREEN-API console.*QR code shown there.*Get Link Code/s);
			expect(e.binaries('Send alert')).toEqual([undefined]);
			// no QR code taken: it would have expired long before the e-mail is read
			expect(h.sandbox.stats().byMethod.qr).toBeUndefined();
		});

		test('health alert, blocked and yellowCard: the right state and action', async () => {
			for (const [state, action] of [
				['blocked', /file an appeal .*Unban/],
				['yellowCard', /reboot the instance/],
			] as const) {
				h.sandbox.setState(MAIN, state);
				const e = await runFrom(WF.alert, 'GREEN-API Trigger');
				expect(e.status).toBe('success');
				const sent = e.items('Send alert');
				expect(sent).toEqual([expect.objectContaining({ stateInstance: state })]);
				expect(sent[0].text).toMatch(action);
				expect(sent[0].text).not.toMatch(/Re-link/);
			}
		});

		test('the templates that send e-mail say in their note that they need an SMTP credential', () => {
			for (const file of templateFiles()) {
				const wf = readTemplate(file);
				const note = wf.nodes.filter((n: Json) => n.type === 'n8n-nodes-base.stickyNote').map((n: Json) => n.parameters.content).join('\n');
				const sendsEmail = wf.nodes.some((n: Json) => n.type === 'n8n-nodes-base.emailSend');
				expect([file, sendsEmail && /SMTP credential/.test(note)]).toEqual([file, sendsEmail]);
			}
		});

		test('auto-reboot: stuck in starting -> rebooted exactly once, re-checked, recovered (no alert)', async () => {
			// the trigger's poll sees starting, the re-check after the restart sees authorized
			h.sandbox.scriptStates(MAIN, ['starting', 'authorized']);
			const e = await runFrom(WF.reboot, 'GREEN-API Trigger');
			expect(e.status).toBe('success');
			expect(h.sandbox.stats().byMethod.reboot.ok).toBe(1);
			expect(h.sandbox.stats().byMethod.reboot.requests).toBe(1);
			expect(e.items('Re-check state')).toEqual([expect.objectContaining({ stateInstance: 'authorized' })]);
			expect(e.items('Recovered')).toHaveLength(1);
			expect(e.items('Send alert')).toEqual([]);
		});

		test('auto-reboot: still starting after the reboot -> one reboot and an alert; an authorized instance is left alone', async () => {
			h.sandbox.setState(MAIN, 'starting');
			const e = await runFrom(WF.reboot, 'GREEN-API Trigger');
			expect(e.status).toBe('success');
			expect(h.sandbox.stats().byMethod.reboot.requests).toBe(1);
			expect(e.items('Send alert')).toEqual([expect.objectContaining({ stateInstance: 'starting', subject: `WhatsApp instance ${MAIN} is still starting after a reboot` })]);

			h.sandbox.reset();
			const ok = await runFrom(WF.reboot, 'GREEN-API Trigger');
			expect(ok.status).toBe('success');
			expect(h.sandbox.stats().byMethod.reboot).toBeUndefined();
			expect(ok.items('Reboot')).toEqual([]);
		});

		test('clean a contact list: on WhatsApp / not on WhatsApp / invalid, in a successful run', async () => {
			const e = await h.run(WF.contacts);
			expect(e.status).toBe('success');
			const pick = (node: string) => e.items(node).map((i) => [i.name, i.whatsappNumber ?? i.checkedNumber ?? i.reason]);
			expect(pick('On WhatsApp')).toEqual([
				['Ann', '447700900123'],
				['Dan', '79001234567'],
			]);
			expect(pick('Not on WhatsApp')).toEqual([['Bob', '4915112345670']]);
			expect(pick('Invalid number')).toEqual([
				['Chloe', expect.stringContaining('"call me" is not a phone number')],
				['Eve', expect.stringContaining('"12345" has 5 digits')],
			]);
			// invalid numbers never reached GREEN-API
			expect(h.sandbox.stats().byMethod.checkWhatsapp.requests).toBe(3);
		});

		test(
			'templates in the editor in headless Chromium (screenshots for the README)',
			async () => {
				await screenshotWorkflows(h, [
					{ workflowId: WF.agent, nodeNames: ['AI Agent', 'Ask for approval in chat', 'reboot_instance', 'logout_instance'], file: 'template-ai-agent-approval.png' },
					{ workflowId: WF.alertAsShipped, nodeNames: ['GREEN-API Trigger', 'Compose alert', 'Send alert'], file: 'template-health-alert.png' },
				]);
			},
			5 * MIN,
		);
	});

	describe('Get QR Code tells a model what to do with a QR code it cannot see', () => {
		test('the qrCode answer says the image is for a person and names the link-code alternative', async () => {
			h.sandbox.setState(MAIN, 'notAuthorized');
			const a = await mcp.call('get_qr_code');
			expect(a.json[0].type).toBe('qrCode');
			expect(a.json[0].explanation).toMatch(/image/i);
			expect(a.json[0].explanation).toMatch(/person|user/i);
			expect(a.json[0].explanation).toMatch(/use Get Link Code/);
			expect(a.json[0].explanation).not.toMatch(/^Scan this QR code/);
		});
	});

	describe('automatic tool descriptions say when to use a tool and what it returns', () => {
		test('the editor default ("Set Automatically") gives a model more than the action name', async () => {
			const session = await McpSession.connect(h.handle.url, 'green-api-defaults');
			sessions.push(session);
			const tools = Object.fromEntries((await session.listTools()).map((t) => [t.name, t]));
			expect(tools['GREEN-API'].description).toMatch(/stateInstance/);
			expect(tools['GREEN-API1'].description).toMatch(/existsWhatsapp/);
			expect(tools['GREEN-API2'].description).toMatch(/cannot|person/);
			expect(tools['GREEN-API3'].description).toMatch(/ask a human/i);
		});
	});
});
