/**
 * Templates in the real editor (headless Chromium, as test/e2e/browser.ts drives it): open each
 * given workflow, check that the canvas shows its nodes, and save a screenshot for the README.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { CHROMIUM, SCREENSHOT_DIR } from '../browser';
import { env } from '../harness';
import type { Harness } from '../harness';

export async function screenshotWorkflows(h: Harness, shots: Array<{ workflowId: string; nodeNames: string[]; file: string }>): Promise<void> {
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM_PATH)`);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { chromium } = require('playwright-core');
	fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'green-api-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: { width: 1440, height: 900 },
	});
	context.setDefaultTimeout(30e3);
	const page = context.pages()[0] ?? (await context.newPage());
	try {
		await page.goto(`${h.handle.url}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"], input[name="email"]').first().fill(env.OWNER.email);
		await page.locator('input[name="password"]').fill(env.OWNER.password);
		await page.locator('[data-test-id="form-submit-button"]').click();
		await page.waitForURL((u: URL) => !u.pathname.includes('signin'), { timeout: 30e3 });
		for (const shot of shots) {
			await page.goto(`${h.handle.url}/workflow/${shot.workflowId}`);
			const nodes = page.locator('[data-test-id="canvas-node"]');
			for (const name of shot.nodeNames) await nodes.filter({ hasText: name }).first().waitFor();
			// let the canvas finish fitting the view before the picture
			await env.sleep(1500);
			await page.screenshot({ path: path.join(SCREENSHOT_DIR, shot.file) });
		}
	} catch (err) {
		await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'failure-templates.png') }).catch(() => undefined);
		throw err;
	} finally {
		await context.close();
		fs.rmSync(userDataDir, { recursive: true, force: true });
	}
}
