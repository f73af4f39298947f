'use strict';
/**
 * A real n8n for development and end-to-end tests. This file only gathers the modules of
 * scripts/lib/, one concern each, for the scripts and tests that import it:
 *
 * - config.js     paths (GREEN_API_N8N_CACHE, default .cache/), tested versions, demo owner
 * - run.js        commands with output in log files, progress lines, waiting for readiness
 * - lock.js       one install into the cache at a time (proper-lockfile)
 * - install.js    Node 24 and n8n@version in the cache (install scripts off, then a rebuild)
 * - package.js    `npm pack`, and npm install of the tarball into an n8n user folder
 * - ports.js      free loopback ports
 * - processes.js  process trees (pidtree): stop by pid, check all ended, kill on exit
 * - n8n.js        n8n's environment, CLI imports, `n8n start` and `n8n worker`
 * - client.js     n8n's REST API (login, types, workflows, executions)
 * - services.js   PostgreSQL and Redis for queue mode (apt install when missing)
 *
 * `node scripts/n8n-env.js install [version...]` prepares the cache (CI, or by hand).
 */
const config = require('./lib/config');
const run = require('./lib/run');
const install = require('./lib/install');
const pkg = require('./lib/package');
const ports = require('./lib/ports');
const processes = require('./lib/processes');
const n8n = require('./lib/n8n');
const { N8nClient } = require('./lib/client');

module.exports = {
	ROOT: config.ROOT,
	CACHE_DIR: config.CACHE_DIR,
	LOG_DIR: config.LOG_DIR,
	DEFAULT_N8N_VERSION: config.DEFAULT_N8N_VERSION,
	N8N_1X_VERSION: config.N8N_1X_VERSION,
	TESTED_N8N_VERSIONS: config.TESTED_N8N_VERSIONS,
	PACKAGE_NAME: config.PACKAGE_NAME,
	OWNER: config.OWNER,
	ensureNode24: install.ensureNode24,
	ensureN8n: install.ensureN8n,
	isN8nInstalled: install.isN8nInstalled,
	n8nDir: install.n8nDir,
	packPackage: pkg.packPackage,
	createN8nHome: pkg.createN8nHome,
	installPackage: pkg.installPackage,
	importCredentials: n8n.importCredentials,
	importWorkflows: n8n.importWorkflows,
	n8nCli: n8n.n8nCli,
	startN8n: n8n.startN8n,
	startWorker: n8n.startWorker,
	stopN8n: n8n.stopN8n,
	freePort: ports.freePort,
	freePorts: ports.freePorts,
	preferredPort: ports.preferredPort,
	descendants: processes.descendants,
	isAlive: processes.isAlive,
	runLogged: run.runLogged,
	captureOutput: run.captureOutput,
	N8nClient,
	fmtSecs: run.fmtSecs,
	sleep: run.sleep,
};

if (require.main === module) {
	(async () => {
		const [cmd = 'install', ...versions] = process.argv.slice(2);
		if (cmd !== 'install') {
			console.error('usage: node scripts/n8n-env.js install [n8n-version ...]');
			process.exit(2);
		}
		const started = Date.now();
		for (const v of versions.length ? versions : [config.DEFAULT_N8N_VERSION]) await install.ensureN8n(v);
		console.error(`done in ${run.fmtSecs(Date.now() - started)}`);
	})().catch((err) => {
		console.error(err.message);
		process.exit(1);
	});
}
