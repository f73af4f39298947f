/**
 * Templates in the real editor (headless Chromium, as test/e2e/browser.ts drives it): open each
 * given workflow, check that the canvas shows its nodes, and save a screenshot for the README.
 */
import * as path from 'path';

import { SCREENSHOT_DIR, inEditor } from '../browser';
import { env } from '../harness';
import type { Harness } from '../harness';

export async function screenshotWorkflows(h: Harness, shots: Array<{ workflowId: string; nodeNames: string[]; file: string }>): Promise<void> {
	await inEditor(
		h,
		async (page) => {
			for (const shot of shots) {
				await page.goto(`${h.handle.url}/workflow/${shot.workflowId}`);
				const nodes = page.locator('[data-test-id="canvas-node"]');
				for (const name of shot.nodeNames) await nodes.filter({ hasText: name }).first().waitFor();
				// let the canvas finish fitting the view before the picture
				await env.sleep(1500);
				await page.screenshot({ path: path.join(SCREENSHOT_DIR, shot.file) });
			}
		},
		'failure-templates.png',
	);
}
