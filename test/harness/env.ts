/**
 * Must be imported before anything from n8n-core runs (engine.ts imports it first).
 *
 * n8n-core's InstanceSettings reads N8N_USER_FOLDER when it is first resolved from the DI
 * container (the first node run), not at import time, and then writes `<folder>/.n8n/config`
 * (an encryption key). Pointing it at a fresh temp folder keeps ~/.n8n untouched.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The temp folder used as N8N_USER_FOLDER for this test file (jest module registry). */
export const userFolder: string = mkdtempSync(join(tmpdir(), 'n8n-harness-'));
process.env.N8N_USER_FOLDER = userFolder;
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';

// Requests go to 127.0.0.1; never route them through a proxy configured in the environment.
if (['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'].some((v) => process.env[v])) {
	const noProxy = process.env.NO_PROXY ?? process.env.no_proxy ?? '';
	process.env.NO_PROXY = [noProxy, '127.0.0.1', 'localhost'].filter(Boolean).join(',');
}

const removeUserFolder = () => rmSync(userFolder, { recursive: true, force: true });
if (typeof afterAll === 'function') {
	// Imported while jest collects a test file: runs after that file's last test.
	afterAll(removeUserFolder);
} else {
	process.once('exit', removeUserFolder);
}
