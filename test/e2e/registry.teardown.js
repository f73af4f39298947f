'use strict';
/** Stops what registry.setup.js started (verdaccio by pid; the proxy is a server of this process). */
module.exports = async function teardown() {
	const started = globalThis.__greenApiRegistry;
	if (!started) return;
	await started.standIn.stop();
	await started.registry.stop();
};
