/**
 * The editor in headless Chromium (Debian's `chromium`, driven by playwright-core; nothing is
 * downloaded): log in, search the nodes panel for "whatsapp" (one entry for both nodes, with
 * their shared description and the trigger's event), add the GREEN-API node from the nodes panel
 * (icon, every action of the description),
 * create a GREEN-API credential in its form (API URL, Instance ID, API Token), see n8n's
 * credential test succeed against the sandbox, run the node and see the state in its output.
 *
 * Screenshots go to E2E_SCREENSHOT_DIR (default .cache/e2e-screenshots; `npm run
 * docs:screenshots` sets it to docs/), plus failure.png when a step fails.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { INSTANCES, env } from './harness';
import type { Harness } from './harness';
import { instanceOperations } from '../../nodes/GreenApi/resources/instance';

/**
 * What the nodes panel shows for the pair: written out here, not read from the node,
 * since this is the text users are promised.
 */
export const PANEL_DESCRIPTION = 'Watch and manage WhatsApp instances through GREEN-API: state alerts, number checks, QR codes, reboots, unban appeals';
export const TRIGGER_EVENT = 'On WhatsApp instance state change';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(env.ROOT, process.env.E2E_SCREENSHOT_DIR || path.join('.cache', 'e2e-screenshots'));

const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

function loadPlaywright(): any {
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		return require('playwright-core');
	} catch {
		throw new Error('playwright-core is not installed: it is a devDependency (npm install)');
	}
}

type Page = any;

/** Chromium with n8n open and the owner logged in; screenshots failure.png when fn throws. */
/** Runs fn in a fresh headless Chromium logged in to h's n8n as the owner; a failure leaves a screenshot. */
export async function inEditor(h: Harness, fn: (page: Page) => Promise<void>, failureShot = `failure-${h.version}.png`): Promise<void> {
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM_PATH)`);
	const { chromium } = loadPlaywright();
	fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'green-api-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1440, height: 900 },
	});
	context.setDefaultTimeout(30e3);
	const page = context.pages()[0] ?? (await context.newPage());
	try {
		// log in as the owner
		await page.goto(`${h.handle.url}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(env.OWNER.email);
		await page.locator('input[name="password"]').fill(env.OWNER.password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL((u: URL) => !u.pathname.includes('signin'), { timeout: 30e3 });
		await fn(page);
	} catch (err) {
		await page.screenshot({ path: path.join(SCREENSHOT_DIR, failureShot) }).catch(() => undefined);
		throw err;
	} finally {
		await context.close();
		fs.rmSync(userDataDir, { recursive: true, force: true });
	}
}

const searchBar = (page: Page) => page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();

/** A new workflow with the nodes panel open ("What triggers this workflow?"). */
async function openNodesPanel(h: Harness, page: Page): Promise<void> {
	await page.goto(`${h.handle.url}/workflow/new`);
	await page.locator('[data-test-id="canvas-plus-button"], [data-test-id="canvas-add-button"]').first().click();
}

/**
 * The nodes panel searched as a user would ("whatsapp"): one entry for both nodes, showing the
 * description written for the pair; opened, it names the trigger's event.
 */
async function checkNodesPanel(h: Harness, page: Page): Promise<void> {
	const byTestId = (id: string) => page.locator(`[data-test-id="${id}"]`);
	await openNodesPanel(h, page);
	await searchBar(page).fill('whatsapp');
	// n8n marks an entry with several actions "action-item", one without "node-item"
	const entry = page
		.locator('[data-test-id="node-creator-action-item"], [data-test-id="node-creator-node-item"]')
		.filter({ has: byTestId('node-creator-item-name').filter({ hasText: /^GREEN-API$/ }) });
	await entry.first().waitFor();
	expect(await entry.count()).toBe(1);
	const description = entry.locator('[data-test-id="node-creator-item-description"]');
	if (Number(h.version.split('.')[0]) >= 2) {
		expect((await description.innerText()).replace(/\s+/g, ' ').trim()).toBe(PANEL_DESCRIPTION);
	} else {
		// n8n 1.x lists search results without descriptions (its own WhatsApp Business Cloud too):
		// nothing to read there, and nothing wrong may show either.
		expect(await description.count()).toBe(0);
	}
	await page.screenshot({ path: path.join(SCREENSHOT_DIR, `n8n-node-panel-search-${h.version}.png`) });
	await entry.click();
	await byTestId('node-creator').getByText(TRIGGER_EVENT, { exact: true }).first().waitFor();
	expect(await byTestId('node-creator').getByText(/On new GREEN-API event/i).count()).toBe(0);
	await page.screenshot({ path: path.join(SCREENSHOT_DIR, `n8n-node-panel-events-${h.version}.png`) });
}

/** Only the nodes panel: cheap enough for every tested n8n line. */
export function nodesPanelChecks(h: Harness): Promise<void> {
	return inEditor(h, (page) => checkNodesPanel(h, page));
}

export function browserChecks(h: Harness): Promise<void> {
	return inEditor(h, (page) => fullEditorChecks(h, page));
}

async function fullEditorChecks(h: Harness, page: Page): Promise<void> {
	const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOT_DIR, name) });
	const byTestId = (id: string) => page.locator(`[data-test-id="${id}"]`);
	const search = searchBar(page);
	const { idInstance, apiTokenInstance } = INSTANCES.main;
	await checkNodesPanel(h, page);

	// a new workflow with a manual trigger
	await openNodesPanel(h, page);
	await search.fill('Manual Trigger');
	await byTestId('node-creator-item-name').filter({ hasText: 'Manual Trigger' }).first().waitFor();
	await page.keyboard.press('Enter');
	await byTestId('canvas-handle-plus').first().waitFor();
	if (await byTestId('ndv').isVisible()) await byTestId('ndv-close-button').click();

	// the nodes panel: our node with its icon and actions
	await byTestId('canvas-handle-plus').first().click();
	await search.fill('GREEN-API');
	const item = byTestId('node-creator-item-name').filter({ hasText: /^GREEN-API$/ }).first();
	await item.waitFor();
	const icons: string[] = await byTestId('node-creator').locator('img').evaluateAll((els: any[]) => els.map((e) => e.getAttribute('src')));
	expect(icons.some((src) => /\/icons\/n8n-nodes-green-api\/dist\/icons\/greenApi\.svg$/.test(src ?? ''))).toBe(true);
	await item.click();
	await page.getByText(`Actions (${instanceOperations.length})`).waitFor();
	for (const { action } of instanceOperations) await page.getByText(action, { exact: true }).waitFor();
	// the icon really loads (an <img> that failed has naturalWidth 0)
	const iconOk = await byTestId('node-creator')
		.locator('img[src*="greenApi.svg"]')
		.first()
		.evaluate((img: any) => img.complete && img.naturalWidth > 0);
	expect(iconOk).toBe(true);
	await shot('n8n-node-panel.png');

	// add "Get State"; the node details view opens
	await page.getByText('Get the state of the instance', { exact: true }).click();
	await byTestId('node-credentials-select').waitFor();

	// the credential form
	await byTestId('node-credentials-select').click();
	await byTestId('node-credentials-select-item-new').click();
	const dialog = byTestId('credential-edit-dialog');
	await dialog.waitFor();
	for (const label of ['API URL', 'Instance ID', 'API Token']) await dialog.getByText(label).first().waitFor();
	const tokenInput = dialog.locator('[data-test-id="parameter-input-apiTokenInstance"] input');
	expect(await tokenInput.getAttribute('type')).toBe('password');
	await dialog.locator('[data-test-id="parameter-input-apiUrl"] input').fill(h.sandbox.url);
	await dialog.locator('[data-test-id="parameter-input-idInstance"] input').fill(idInstance);
	await tokenInput.fill(apiTokenInstance);
	// Save runs n8n's credential test; on success n8n 2.x closes the form with a toast.
	await byTestId('credential-save-button').click();
	await page.getByText('Credential successfully created').first().waitFor();
	// Reopen it: n8n tests it again and shows the result at the top of the form. (Wait
	// first: GREEN-API allows one getStateInstance per second per instance.)
	await env.sleep(2000);
	await byTestId('credential-edit-button').click();
	await dialog.waitFor();
	await dialog.getByText('Connection tested successfully').waitFor();
	await shot('n8n-credential-test.png');
	await page.locator('button.el-dialog__headerbtn[aria-label="Close this dialog"]').last().click();
	await dialog.waitFor({ state: 'hidden' });

	// run the workflow and look at the node's output
	await env.sleep(1200);
	if (await byTestId('ndv').isVisible()) await byTestId('ndv-close-button').click();
	await byTestId('execute-workflow-button').first().click();
	await page.getByText(/Workflow executed successfully/i).first().waitFor({ timeout: 60e3 });
	await byTestId('canvas-node').filter({ hasText: 'Get the state of the instance' }).first().dblclick();
	const output = byTestId('ndv-data-container').last();
	await output.getByText('authorized').first().waitFor();
	expect(await output.innerText()).toContain('stateInstance');
	await shot('n8n-node-run.png');

	// the token typed into the form is not on the page (the field is masked)
	expect(await page.content()).not.toContain(apiTokenInstance);
}
