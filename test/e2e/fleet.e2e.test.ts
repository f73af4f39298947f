/**
 * The fleet trigger (GREEN-API Trigger with a partner credential) active in a real n8n, over a
 * sandbox partner account of 50 instances, through the fleet health alert template as shipped
 * (its email node replaced by a node that records what would have been sent, the instance list
 * refreshed on every poll so that a deleted instance shows within one poll): one execution per
 * poll with changes, one item per changed instance, none without a change; a restart of n8n
 * repeats nothing; no partner or instance token in any stored execution or in n8n's log.
 *
 * Versions: GREEN_API_E2E_VERSIONS (comma-separated) or both tested lines (2.41.1, 1.123.81).
 */
import * as fs from 'fs';
import * as path from 'path';

import { env, startHarness, waitFor } from './harness';
import type { Harness } from './harness';
import { readTemplate } from './mcp/templates';

type Json = Record<string, any>;

const VERSIONS: string[] = (process.env.GREEN_API_E2E_VERSIONS || env.TESTED_N8N_VERSIONS.join(','))
	.split(',')
	.map((v: string) => v.trim())
	.filter(Boolean);
const MIN = 60e3;

const PARTNER_TOKEN = 'e2efleetpartner'.padEnd(40, '7c6b5a4938');
const FLEET_SIZE = 50;
const WF = { alert: 'FleetHealthAlert', heal: 'FleetSelfHealing' };
const RECORDER = { type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} };

/** The template as shipped, but for the nodes named in `replace` and the trigger's options in `options`. */
function template(file: string, id: string, replace: Record<string, Json>, options: Json = {}): Json {
	const wf = readTemplate(file);
	wf.id = id;
	wf.active = false;
	wf.nodes = wf.nodes.map((node: Json) => {
		if (replace[node.name]) return { id: node.id, name: node.name, position: node.position, ...replace[node.name] };
		if (node.type.endsWith('.greenApiTrigger')) return { ...node, parameters: { ...node.parameters, options: { ...node.parameters.options, ...options } } };
		return node;
	});
	return wf;
}

/** The templates name this credential (id and name); the suite imports it with the sandbox's URL. */
function partnerCredential(sandbox: { url: string }): Json[] {
	const ref = readTemplate('green-api-fleet-health-alert.json').nodes.find((n: Json) => n.credentials?.greenApiPartnerApi).credentials.greenApiPartnerApi;
	return [{ ...ref, type: 'greenApiPartnerApi', data: { partnerApiUrl: sandbox.url, partnerToken: PARTNER_TOKEN } }];
}

for (const version of VERSIONS) {
	describe(`n8n ${version}: the fleet trigger over ${FLEET_SIZE} sandbox instances`, () => {
		let h: Harness;
		let fleet: Array<{ idInstance: string; apiTokenInstance: string }> = [];
		const tokens = () => [PARTNER_TOKEN, ...fleet.map((i) => i.apiTokenInstance)];
		const statePolls = (): number => h.sandbox.stats().byMethod?.getStateInstance?.requests ?? 0;
		/** Waits for the next scheduled poll of the whole fleet to be over. */
		const nextPoll = async (what: string) => {
			const before = statePolls();
			await waitFor(what, () => statePolls() >= before + FLEET_SIZE - 1, 80e3, 250);
			await env.sleep(3000);
		};
		const ended = async (count: number): Promise<Json[]> =>
			await waitFor(
				`${count} ended executions of the fleet alert`,
				async () => {
					const l = await h.executionsOf(WF.alert);
					return l.length >= count && l.every((x: Json) => x.stoppedAt) ? l : undefined;
				},
				30e3,
				500,
			);

		beforeAll(async () => {
			h = await startHarness(
				version,
				[
					template('green-api-fleet-health-alert.json', WF.alert, { 'Send alert': RECORDER }, { listEveryMinutes: 0 }),
					template('green-api-fleet-self-healing.json', WF.heal, {
						'Send alert': RECORDER,
						// five minutes in the template; the sandbox's reboot takes a moment
						'Wait for the restart': { type: 'n8n-nodes-base.wait', typeVersion: 1.1, parameters: { amount: 3, unit: 'seconds' }, webhookId: 'e2e00000-0000-4000-8000-00000000f417' },
					}),
				],
				{ credentials: partnerCredential },
			);
			h.sandbox.partner.addAccount(PARTNER_TOKEN);
			fleet = h.sandbox.partner.addInstances(PARTNER_TOKEN, { count: FLEET_SIZE, idPrefix: '5501', stateInstance: 'authorized' });
		}, 30 * MIN);

		afterAll(async () => {
			if (h) await h.stop();
		}, 3 * MIN);

		test(
			'the activated template fires once per poll with changes, one line per changed instance, and never again after a restart',
			async () => {
				await h.activate(WF.alert);
				// The activation poll records the fleet.
				await waitFor('the activation poll', () => statePolls() >= FLEET_SIZE, 60e3, 250);
				await nextPoll('a scheduled poll with nothing changed');
				expect(await h.executionsOf(WF.alert)).toHaveLength(0);

				const [a, b, c, gone] = [fleet[3], fleet[17], fleet[42], fleet[49]];
				h.sandbox.setState(a.idInstance, 'notAuthorized');
				h.sandbox.setState(b.idInstance, 'blocked');
				h.sandbox.setState(c.idInstance, 'sleepMode'); // not in the template's Fire On States
				h.sandbox.partner.deleteInstance(PARTNER_TOKEN, gone.idInstance);
				await nextPoll('the poll after the changes');
				const [first] = await ended(1);
				const e = await h.execution(first.id);
				expect(e.status).toBe('success');
				expect(e.mode).toBe('trigger');
				const events = e.items('GREEN-API Fleet Trigger');
				expect(events.map((x) => [x.event, x.idInstance, x.stateInstance]).sort()).toEqual(
					[
						['instanceDeleted', gone.idInstance, 'authorized'],
						['stateChanged', a.idInstance, 'notAuthorized'],
						['stateChanged', b.idInstance, 'blocked'],
					].sort(),
				);
				expect(events.find((x) => x.idInstance === a.idInstance)).toEqual(
					expect.objectContaining({ name: `Sandbox ${a.idInstance}`, typeInstance: 'whatsapp', previousState: 'authorized', recommendedAction: 'relink' }),
				);
				// One message for the poll, a line per instance, grouped by what to do.
				const sent = e.items('Send alert');
				expect(sent).toHaveLength(1);
				expect(sent[0].subject).toBe('WhatsApp fleet: 3 instances changed');
				expect(sent[0].text).toMatch(new RegExp(`^Re-link the phone.*:\\n- Sandbox ${a.idInstance} \\(${a.idInstance}, whatsapp\\): stateChanged, authorized -> notAuthorized\\. Not linked`, 'm'));
				expect(sent[0].text).toMatch(new RegExp(`^Appeal the ban \\(Unban\\):\\n- Sandbox ${b.idInstance} .*authorized -> blocked`, 'm'));
				expect(sent[0].text).toMatch(new RegExp(`^Nothing to do:\\n- Sandbox ${gone.idInstance} .*instanceDeleted`, 'm'));

				await nextPoll('one more poll');
				expect(await h.executionsOf(WF.alert)).toHaveLength(1);

				// A restart: the activation poll after it compares against what n8n saved.
				await h.restart();
				const afterRestart = statePolls();
				await waitFor('the activation poll after the restart', () => statePolls() >= afterRestart + FLEET_SIZE - 1, 90e3, 250);
				await env.sleep(3000);
				expect(await h.executionsOf(WF.alert)).toHaveLength(1);

				// A change after the restart: exactly one more execution, with that change only.
				h.sandbox.setState(a.idInstance, 'authorized');
				h.sandbox.setState(fleet[5].idInstance, 'yellowCard');
				await nextPoll('the poll after the change');
				const list = await ended(2);
				expect(list).toHaveLength(2);
				const latest = await h.execution(list.map((x: Json) => String(x.id)).sort((x: string, y: string) => Number(y) - Number(x))[0]);
				expect(latest.items('GREEN-API Fleet Trigger').map((x) => [x.event, x.idInstance, x.stateInstance, x.previousState])).toEqual([
					['stateChanged', fleet[5].idInstance, 'yellowCard', 'authorized'],
				]);
				await h.deactivate(WF.alert);
			},
			12 * MIN,
		);

		test('self-healing template: an instance in starting is rebooted once through the partner credential, then re-checked', async () => {
			const stuck = fleet[8];
			h.sandbox.scriptStates(stuck.idInstance, ['starting', 'authorized']);
			const before = h.sandbox.stats().byInstance?.[stuck.idInstance]?.requests ?? 0;
			const run = await h.run(WF.heal, 'GREEN-API Fleet Trigger');
			expect(run.error()).toBeUndefined();
			expect(run.status).toBe('success');
			// Fetch Test Event: the first 10 live instances; only the one in starting goes on.
			expect(run.items('Reboot')).toHaveLength(1);
			expect(run.items('Re-check state')).toEqual([expect.objectContaining({ stateInstance: 'authorized' })]);
			expect(run.items('Recovered')).toHaveLength(1);
			expect(run.items('Send alert')).toEqual([]);
			expect(h.sandbox.stats().byMethod.reboot.requests).toBe(1);
			expect((h.sandbox.stats().byInstance?.[stuck.idInstance]?.requests ?? 0) - before).toBe(3);
		});

		test('no partner or instance token in any stored execution or in n8n\'s log', async () => {
			const all = await h.client.request('GET', '/rest/executions?limit=100');
			for (const x of all.results ?? all) await h.execution(x.id);
			const log = h.handle.readLog() + (fs.existsSync(path.join(h.home, 'n8n-cli.log')) ? fs.readFileSync(path.join(h.home, 'n8n-cli.log'), 'utf8') : '');
			expect(log.length).toBeGreaterThan(0);
			expect(h.seenExecutionText.length).toBeGreaterThanOrEqual(3);
			for (const token of tokens()) {
				expect(log.includes(token)).toBe(false);
				for (const text of h.seenExecutionText) expect(text.includes(token)).toBe(false);
			}
		});
	});
}
