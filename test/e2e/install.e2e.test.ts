/**
 * The package the ways users get it, through a real npm registry (verdaccio, started once by
 * registry.setup.js; n8n's processes reach it as registry.npmjs.org, see scripts/lib/registry.js).
 * One user folder and one SQLite database live through the whole suite, in this order:
 *
 * 1. n8n 1.123.81: the package installed by name through n8n's REST API (what Settings >
 *    Community nodes calls), its nodes run against the sandbox, the trigger activated.
 * 2. n8n stopped, the instance's state changed while it is down; n8n 2.41.1 started on the same
 *    folder and database: the package loads, the workflow is still active, old executions open,
 *    the change made during the upgrade fires exactly once.
 * 3. A later version published: n8n shows the update, it is applied from the editor (headless
 *    Chromium) while the trigger is active and the state changes around it: no transition lost
 *    or repeated.
 * 4. Uninstalled from the editor (what n8n says about the workflows that use the nodes), then
 *    installed again by name in the editor (typed name, the risk checkbox); the trigger workflow
 *    stays active throughout and fires again.
 * 5. Start-up installs, as after a container rebuild (nodes folder gone, database kept):
 *    N8N_REINSTALL_MISSING_PACKAGES brings it back; N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV with
 *    N8N_COMMUNITY_PACKAGES does not while the pin matches the database, and installs the pinned
 *    version when it differs.
 * Throughout: no API token in any execution, in n8n's logs or in the database file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createRequire } from 'module';

import { CRED, INSTANCES, MANUAL_TRIGGER, NODE_TYPE, PKG, TRIGGER_TYPE, credentialsFor, env, opWorkflow, registryOfRun, triggerWorkflow, waitFor } from './harness';
import { SCREENSHOT_DIR, inEditor, nodesPanelChecks } from './browser';
import type { Harness } from './harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSandbox } = require('../../sandbox/server.js');

type Json = Record<string, any>;
type Page = any;

const MIN = 60e3;
const V1 = env.N8N_1X_VERSION as string;
const V2 = env.DEFAULT_N8N_VERSION as string;
const WF = { state: 'InstallGetState1', trigger: 'InstallTrigger01' };
const TRIGGER_ID = INSTANCES.trigger.idInstance;
const TOKENS = [INSTANCES.main.apiTokenInstance, INSTANCES.trigger.apiTokenInstance];

// (undefined outside jest.e2e.config.js: beforeAll says so)
const REGISTRY = registryOfRun()!;
const NEXT: string = REGISTRY?.next;

const WANTED = !process.env.GREEN_API_E2E_VERSIONS || [V1, V2].every((v) => process.env.GREEN_API_E2E_VERSIONS!.split(',').includes(v));

/** One running n8n on the suite's user folder. */
interface Instance {
	version: string;
	handle: any;
	client: any;
	run(workflowId: string): Promise<Json>;
	executionsOf(workflowId: string): Promise<Json[]>;
	execution(id: string): Promise<Json>;
	packages(): Promise<Json[]>;
}

(WANTED ? describe : describe.skip)(`install, update, uninstall and upgrade through an npm registry (n8n ${V1} -> ${V2})`, () => {
	let sandbox: any;
	let home: string;
	let n8n: Instance | undefined;
	const logs: string[] = [];
	const started = Date.now();
	/** the manual execution run on 1.x, opened again after the upgrade */
	let firstExecutionId = '';
	const log = (msg: string) => process.stderr.write(`${msg}\n`);
	const polls = () => sandbox.stats().byInstance?.[TRIGGER_ID]?.requests ?? 0;
	const installedOnDisk = () => {
		const file = path.join(home, '.n8n', 'nodes', 'node_modules', PKG, 'package.json');
		return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).version : undefined;
	};

	async function start(version: string, extraEnv: Record<string, string> = {}): Promise<Instance> {
		const bin = await env.ensureN8n(version, { log });
		const handle = await env.startN8n(bin, home, { log, env: { ...REGISTRY.env, ...extraEnv } });
		const client = new env.N8nClient(handle.url);
		await client.login();
		const flatted = createRequire(path.join(bin.dir, 'node_modules', 'n8n', 'package.json'))('flatted');
		const execution = async (id: string) => {
			const e = await client.request('GET', `/rest/executions/${id}`);
			const data = typeof e.data === 'string' ? flatted.parse(e.data) : e.data;
			const items = (node: string) => (data?.resultData?.runData?.[node]?.[0]?.data?.main?.[0] ?? []).map((i: Json) => i.json);
			return { ...e, data, items, error: data?.resultData?.error };
		};
		n8n = {
			version,
			handle,
			client,
			execution,
			async run(workflowId) {
				const workflowData = await client.getWorkflow(workflowId);
				const res = await client.request('POST', `/rest/workflows/${workflowId}/run`, { workflowData, triggerToStartFrom: { name: MANUAL_TRIGGER } });
				return waitFor(`execution ${res.executionId}`, async () => {
					const e = await execution(res.executionId);
					return e.stoppedAt && !['new', 'running', 'waiting'].includes(e.status) ? e : undefined;
				}, 2 * MIN, 300);
			},
			async executionsOf(workflowId) {
				const res = await client.request('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=50`);
				return res.results ?? res;
			},
			packages: () => client.request('GET', '/rest/community-packages'),
		};
		return n8n;
	}

	async function stop() {
		if (!n8n) return;
		const { handle, version } = n8n;
		n8n = undefined;
		await handle.stop();
		logs.push(handle.readLog());
		fs.renameSync(handle.logFile, path.join(home, `n8n-${version}-${logs.length}.log`));
	}

	/** A harness-shaped view of the running n8n, for the editor helpers of browser.ts. */
	const asHarness = () => ({ version: n8n!.version, handle: n8n!.handle }) as unknown as Harness;
	const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `install-${name}.png`) });

	async function communityNodesPage(page: Page) {
		await page.goto(`${n8n!.handle.url}/settings/community-nodes`);
		await page.getByText('Community nodes').first().waitFor();
	}

	const triggerEvents = async () => {
		const list = await waitFor('trigger executions ended', async () => {
			const l = await n8n!.executionsOf(WF.trigger);
			return l.every((x) => x.stoppedAt) ? l : undefined;
		}, 30e3, 500);
		const events: Json[] = [];
		for (const x of [...list].sort((a, b) => Number(a.id) - Number(b.id))) events.push(...(await n8n!.execution(x.id)).items('GREEN-API Trigger'));
		return events.map((e) => `${e.previousState}->${e.stateInstance}`);
	};

	/** Waits for the trigger's next scheduled poll (every minute, at a random second) and a little more. */
	async function nextPoll() {
		const before = polls();
		await waitFor('the trigger\'s next poll', () => polls() > before, 80e3, 250);
		await env.sleep(3000);
	}

	beforeAll(async () => {
		if (!process.env.GREEN_API_E2E_REGISTRY) throw new Error('GREEN_API_E2E_REGISTRY is not set: run through jest.e2e.config.js (its global set-up starts the registry)');
		const n8n1 = await env.ensureN8n(V1, { log });
		await env.ensureN8n(V2, { log });
		sandbox = await startSandbox({ port: 0, instances: [{ ...INSTANCES.main }, { ...INSTANCES.trigger }] });
		home = env.createN8nHome('green-api-install-');
		const creds = credentialsFor(sandbox.url).filter((c) => [CRED.main.id, CRED.trigger.id].includes(c.id));
		await env.importCredentials(n8n1, home, creds, { log });
		await env.importWorkflows(n8n1, home, [opWorkflow(WF.state, CRED.main, { operation: 'getState' }), triggerWorkflow(WF.trigger, CRED.trigger)], { log });
	}, 30 * MIN);

	afterAll(async () => {
		try {
			await stop();
		} finally {
			if (sandbox) await sandbox.close();
			const keep = path.join(env.CACHE_DIR, 'e2e-logs');
			fs.mkdirSync(keep, { recursive: true });
			if (home) {
				for (const f of fs.readdirSync(home).filter((x) => x.endsWith('.log'))) fs.copyFileSync(path.join(home, f), path.join(keep, `install-${f}`));
				if (!process.env.E2E_KEEP_HOME) fs.rmSync(home, { recursive: true, force: true });
			}
			log(`  install suite: ${env.fmtSecs(Date.now() - started)} wall time`);
		}
	}, 3 * MIN);

	test(`n8n ${V1}: installed by name from the registry (n8n's REST API), its nodes run against the sandbox`, async () => {
		await start(V1);
		expect(await n8n!.packages()).toEqual([]);
		const installed = await n8n!.client.request('POST', '/rest/community-packages', { name: PKG });
		expect(installed).toEqual(expect.objectContaining({ packageName: PKG, installedVersion: REGISTRY.version }));
		expect(installedOnDisk()).toBe(REGISTRY.version);
		await waitFor('both node types listed', async () => {
			const types: Json[] | undefined = await n8n!.client.nodeTypes().catch(() => undefined);
			return Array.isArray(types) && [NODE_TYPE, TRIGGER_TYPE].every((t) => types.some((x) => x.name === t));
		}, 60e3);
		const e = await n8n!.run(WF.state);
		expect(e.status).toBe('success');
		expect(e.items('GREEN-API')).toEqual([expect.objectContaining({ stateInstance: 'authorized' })]);
		firstExecutionId = String(e.id);
	}, 20 * MIN);

	test(`n8n ${V1}: the trigger activated (its first poll only records the state)`, async () => {
		const wf = await n8n!.client.getWorkflow(WF.trigger);
		await n8n!.client.request('POST', `/rest/workflows/${WF.trigger}/activate`, { versionId: wf.versionId }).catch(async () =>
			// 1.x activates through a PATCH of the workflow
			n8n!.client.request('PATCH', `/rest/workflows/${WF.trigger}`, { active: true, versionId: wf.versionId }),
		);
		await waitFor('the activation poll', () => polls() >= 1, 60e3, 250);
		await env.sleep(2000);
		expect(await n8n!.executionsOf(WF.trigger)).toHaveLength(0);
	}, 3 * MIN);

	test(`n8n upgraded to ${V2} on the same folder and database: package loaded, workflow active, the change made meanwhile fires once`, async () => {
		await stop();
		// a transition while n8n is down for the upgrade
		sandbox.setState(TRIGGER_ID, 'yellowCard');
		await start(V2);
		const [pkg] = await n8n!.packages();
		expect(pkg).toEqual(expect.objectContaining({ packageName: PKG, installedVersion: REGISTRY.version }));
		expect(pkg.failedLoading).toBeFalsy();
		expect((await n8n!.client.nodeTypes()).map((t: Json) => t.name)).toEqual(expect.arrayContaining([NODE_TYPE, TRIGGER_TYPE]));
		const wf = await n8n!.client.getWorkflow(WF.trigger);
		expect(wf.active).toBe(true);
		// the execution made on 1.x still opens, the credential still works
		const old = await n8n!.execution(firstExecutionId);
		expect(old.items('GREEN-API')).toEqual([expect.objectContaining({ stateInstance: 'authorized' })]);
		expect((await n8n!.run(WF.state)).status).toBe('success');
		// the start-up poll compares with the state 1.x stored: one execution for the change
		await waitFor('the trigger execution for the change made during the upgrade', async () => (await n8n!.executionsOf(WF.trigger)).length > 0, 90e3);
		expect(await triggerEvents()).toEqual(['authorized->yellowCard']);
	}, 20 * MIN);

	test('update in place from the editor: n8n shows the new version; no transition lost or repeated around it', async () => {
		await REGISTRY.publisher.publishVersion(REGISTRY.tgz, NEXT, log);
		const [pkg] = await n8n!.packages();
		expect(pkg.updateAvailable).toBe(NEXT);
		await inEditor(asHarness(), async (page) => {
			await communityNodesPage(page);
			const card = page.locator('[data-test-id="community-package-card"]').filter({ hasText: PKG });
			await card.getByRole('button', { name: 'Update' }).waitFor();
			await shot(page, 'update-available');
			// the state changes just before the update
			sandbox.setState(TRIGGER_ID, 'notAuthorized');
			await card.getByRole('button', { name: 'Update' }).click();
			const modal = page.getByRole('dialog').filter({ hasText: 'Update node package' });
			await modal.getByText('e2e InstallTrigger01').waitFor();
			await shot(page, 'update-confirm');
			await modal.getByRole('button', { name: 'Confirm update' }).click();
			// the card shows the new version once n8n has installed and loaded it
			await card.getByText(`v${NEXT}`).waitFor({ timeout: 3 * MIN });
			await shot(page, 'updated');
		}, 'install-failure-update.png');
		expect(installedOnDisk()).toBe(NEXT);
		expect((await n8n!.packages())[0]).toEqual(expect.objectContaining({ installedVersion: NEXT }));
		expect((await n8n!.client.getWorkflow(WF.trigger)).active).toBe(true);
		expect((await n8n!.run(WF.state)).status).toBe('success');
		await waitFor('the trigger execution for the change made around the update', async () => (await n8n!.executionsOf(WF.trigger)).length > 1, 90e3);
		await nextPoll();
		expect(await triggerEvents()).toEqual(['authorized->yellowCard', 'yellowCard->notAuthorized']);
	}, 10 * MIN);

	test('uninstalled from the editor: what n8n says about the workflows using the nodes; then installed again by name in the editor', async () => {
		let warning = '';
		await inEditor(asHarness(), async (page) => {
			await communityNodesPage(page);
			const card = page.locator('[data-test-id="community-package-card"]').filter({ hasText: PKG });
			await card.locator('[data-test-id="action-toggle"]').click();
			await page.getByText('Uninstall package').last().click();
			const modal = page.getByRole('dialog').filter({ hasText: 'Uninstall' });
			await modal.getByText('e2e InstallTrigger01').waitFor();
			warning = (await modal.innerText()).replace(/\s+/g, ' ');
			await shot(page, 'uninstall-confirm');
			await modal.getByRole('button', { name: 'Confirm uninstall' }).click();
			await page.getByText('Package uninstalled').first().waitFor({ timeout: 2 * MIN });
		}, 'install-failure-uninstall.png');
		log(`  uninstall dialog: "${warning}"`);
		expect(warning).toContain('e2e InstallGetState1');
		expect(warning).toContain('e2e InstallTrigger01');
		expect(await n8n!.packages()).toEqual([]);
		expect(installedOnDisk()).toBeUndefined();
		expect((await n8n!.client.nodeTypes()).map((t: Json) => t.name)).not.toContain(NODE_TYPE);
		const broken = await n8n!.run(WF.state).catch((err: Error) => ({ status: 'refused', error: { message: err.message } }));
		log(`  a run without the package: ${broken.status}: ${broken.error?.message}`);
		expect(broken.status).not.toBe('success');

		// installed again by name, as a user types it
		await inEditor(asHarness(), async (page) => {
			await communityNodesPage(page);
			await page.getByRole('button', { name: /Install a community node|Install/ }).first().click();
			await page.locator('[data-test-id="package-name-input"] input, input[data-test-id="package-name-input"]').first().pressSequentially(PKG);
			await page.locator('[data-test-id="user-agreement-checkbox"]').click();
			await shot(page, 'install-modal');
			await page.locator('[data-test-id="install-community-package-button"]').click();
			await page.locator('[data-test-id="community-package-card"]').filter({ hasText: PKG }).waitFor({ timeout: 3 * MIN });
			await shot(page, 'installed');
		}, 'install-failure-install.png');
		expect(installedOnDisk()).toBe(NEXT);
		await nodesPanelChecks(asHarness());
		expect((await n8n!.run(WF.state)).status).toBe('success');
		// the trigger workflow was never deactivated; polls while the package was away failed (error
		// executions), and with the package back the next change fires once
		expect((await n8n!.client.getWorkflow(WF.trigger)).active).toBe(true);
		const failed = (await n8n!.executionsOf(WF.trigger)).filter((x) => x.status === 'error');
		for (const x of failed) {
			const e = await n8n!.execution(x.id);
			const message = e.error?.message ?? e.data?.resultData?.runData?.['GREEN-API Trigger']?.[0]?.error?.message;
			log(`  trigger execution ${x.id} while uninstalled: ${e.status}, "${message}"`);
		}
		const before = await triggerEvents();
		sandbox.setState(TRIGGER_ID, 'authorized');
		await waitFor('a trigger event after the reinstall', async () => (await triggerEvents()).length > before.length, 2 * MIN, 2000);
		await nextPoll();
		expect(await triggerEvents()).toEqual([...before, 'notAuthorized->authorized']);
	}, 12 * MIN);

	test('container rebuilt (nodes folder gone, database kept): N8N_REINSTALL_MISSING_PACKAGES installs the package at start', async () => {
		await stop();
		fs.rmSync(path.join(home, '.n8n', 'nodes'), { recursive: true, force: true });
		await start(V2, { N8N_REINSTALL_MISSING_PACKAGES: 'true' });
		expect(installedOnDisk()).toBe(NEXT);
		expect((await n8n!.packages())[0]).toEqual(expect.objectContaining({ installedVersion: NEXT }));
		expect(n8n!.handle.readLog()).toMatch(/Packages reinstalled successfully/);
		expect((await n8n!.run(WF.state)).status).toBe('success');
	}, 10 * MIN);

	test('container rebuilt with N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV and the pin unchanged: n8n does not bring the package back', async () => {
		await stop();
		fs.rmSync(path.join(home, '.n8n', 'nodes'), { recursive: true, force: true });
		// the database lists NEXT, the pin says NEXT: nothing to reconcile, and nothing checks the folder
		await start(V2, { N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV: 'true', N8N_COMMUNITY_PACKAGES: JSON.stringify([{ name: PKG, version: NEXT }]) });
		expect(installedOnDisk()).toBeUndefined();
		const [pkg] = await n8n!.packages();
		expect(pkg).toEqual(expect.objectContaining({ packageName: PKG, installedVersion: NEXT, failedLoading: true }));
		expect((await n8n!.client.nodeTypes()).map((t: Json) => t.name)).not.toContain(NODE_TYPE);
	}, 10 * MIN);

	test('N8N_COMMUNITY_PACKAGES pinning another version: installed at start; the editor cannot change it', async () => {
		await stop();
		await start(V2, { N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV: 'true', N8N_COMMUNITY_PACKAGES: JSON.stringify([{ name: PKG, version: REGISTRY.version }]) });
		expect(installedOnDisk()).toBe(REGISTRY.version);
		expect((await n8n!.packages())[0]).toEqual(expect.objectContaining({ installedVersion: REGISTRY.version }));
		expect((await n8n!.run(WF.state)).status).toBe('success');
		const refused = await n8n!.client.request('PATCH', '/rest/community-packages', { name: PKG }).then(() => undefined, (err: any) => err);
		expect(refused?.status).toBeGreaterThanOrEqual(400);
		log(`  an update from the editor while managed by env: ${refused?.status} ${JSON.stringify(refused?.body).slice(0, 200)}`);
	}, 10 * MIN);

	test('no API token in any execution, in the logs of both n8n versions or in the database file', async () => {
		const texts: string[] = [];
		const all = await n8n!.client.request('GET', '/rest/executions?limit=100');
		for (const x of all.results ?? all) texts.push(JSON.stringify((await n8n!.client.request('GET', `/rest/executions/${x.id}`)).data));
		expect(texts.length).toBeGreaterThan(5);
		// the database with its write-ahead log
		const dbFiles = fs.readdirSync(path.join(home, '.n8n')).filter((f) => f.startsWith('database.sqlite'));
		expect(dbFiles).toContain('database.sqlite');
		const db = dbFiles.map((f) => fs.readFileSync(path.join(home, '.n8n', f)).toString('latin1')).join('\n');
		const cli = path.join(home, 'n8n-cli.log');
		const all2 = [...texts, db, ...logs, n8n!.handle.readLog(), fs.existsSync(cli) ? fs.readFileSync(cli, 'utf8') : ''];
		for (const token of TOKENS) for (const t of all2) expect(t.includes(token)).toBe(false);
	}, 3 * MIN);
});
