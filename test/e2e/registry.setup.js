'use strict';
/**
 * Jest global set-up of the end-to-end suites: one verdaccio for all of them, with the packed
 * package published as its package.json version, and registry.npmjs.org served by it for the n8n
 * processes the suites start (scripts/lib/registry.js says why and how). The suites read
 * GREEN_API_E2E_REGISTRY: { url, dir, tgz, version, next, env }
 * (next: the later version a suite publishes when it needs an update).
 */
const { startRegistry, startNpmjsStandIn } = require('../../scripts/lib/registry');
const { packPackage } = require('../../scripts/lib/package');

module.exports = async function setup() {
	const log = (msg) => process.stderr.write(`${msg}\n`);
	log('');
	const registry = await startRegistry({ log });
	let standIn;
	try {
		standIn = await startNpmjsStandIn(registry, { log });
		const tgz = await packPackage({ log });
		await registry.publish(tgz, log);
		const [version] = await registry.versions();
		const next = version.replace(/\d+$/, (patch) => String(Number(patch) + 1));
		process.env.GREEN_API_E2E_REGISTRY = JSON.stringify({ url: registry.url, dir: registry.dir, tgz, version, next, env: standIn.env });
	} catch (err) {
		if (standIn) await standIn.stop();
		await registry.stop();
		throw err;
	}
	globalThis.__greenApiRegistry = { registry, standIn };
};
