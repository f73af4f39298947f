#!/usr/bin/env node
'use strict';
/**
 * `npm run dev`: build the package, start the GREEN-API sandbox with a demo instance and a real
 * n8n (2.41.1 unless N8N_VERSION says otherwise, e.g. N8N_VERSION=1.123.81) with the package
 * installed from its tarball, a GREEN-API credential pointing at the sandbox and the demo
 * workflows from scripts/demo/. Ctrl-C stops n8n, its task runner and the sandbox.
 *
 * First run: installs Node 24 and n8n into .cache/ (about 3 GB and 5-10 minutes for 2.41.1; see
 * README "Try it in a real n8n"). n8n and its task runner run on that Node 24.
 *
 * Options: --fresh (forget the n8n data of earlier dev runs), --no-build (use dist/ as it is),
 * --no-activate (leave the trigger demo inactive). Env: N8N_VERSION, N8N_PORT (default: first
 * free from 5678), SANDBOX_PORT (default: first free from 3700).
 */
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const env = require('./n8n-env');
// The demo instance is the one a hand-started sandbox (`npm run sandbox`) serves too, so the
// printed curl line and the dev credential meet either sandbox.
const { startSandbox, DEMO: DEMO_INSTANCE } = require('../sandbox/server.js');
const DEMO_CREDENTIAL = { id: 'GreenApiDemoCred', name: 'GREEN-API sandbox (demo)' };
const TRIGGER_DEMO_ID = 'GreenApiDemoWtch';

const args = new Set(process.argv.slice(2));
const version = process.env.N8N_VERSION || env.DEFAULT_N8N_VERSION;
const log = (msg) => process.stderr.write(`${msg}\n`);

let n8nHandle;
let sandbox;
let stopping = false;

async function stopAll(code) {
	if (stopping) return;
	stopping = true;
	log('\nStopping …');
	if (n8nHandle) {
		try {
			const { pids, killed } = await n8nHandle.stop();
			log(`  ✓ n8n stopped (pids ${pids.join(', ')}${killed ? ', had to be killed' : ''})`);
		} catch (err) {
			log(`  ✗ ${err.message}`);
			code = code || 1;
		}
	}
	if (sandbox) {
		await sandbox.close().catch(() => undefined);
		log('  ✓ sandbox stopped');
	}
	process.exit(code);
}

async function main() {
	const started = Date.now();
	if (!fs.existsSync(path.join(env.ROOT, 'sandbox', 'server.js'))) throw new Error('sandbox/server.js is missing');

	if (!args.has('--no-build')) {
		log('Building the package (npm run build) …');
		const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: env.ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stderr}`);
		log('  ✓ build');
	}

	const n8n = await env.ensureN8n(version, { log });
	const tgz = await env.packPackage({ log });

	sandbox = await startSandbox({
		port: Number(process.env.SANDBOX_PORT) || (await env.preferredPort(3700)),
		instances: [{ ...DEMO_INSTANCE }],
	});
	log(`  ✓ GREEN-API sandbox at ${sandbox.url} (demo instance ${DEMO_INSTANCE.idInstance})`);

	// The dev user folder survives restarts (your own workflows stay); the demo credential and
	// workflows are imported again on each start, so they follow the sandbox's port.
	let home = path.join(env.CACHE_DIR, 'dev', `n8n-${version}`);
	const pidFile = path.join(home, 'dev.pid');
	const otherPid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : 0;
	if (otherPid && otherPid !== process.pid && env.isAlive(otherPid)) {
		// another `npm run dev` uses that folder (and its SQLite database): run from a temp one
		home = env.createN8nHome(`green-api-dev-${version}-`);
		log(`  … another npm run dev (pid ${otherPid}) is using the dev data; this one uses ${home}`);
	} else {
		if (args.has('--fresh')) fs.rmSync(home, { recursive: true, force: true });
		fs.mkdirSync(path.join(home, '.n8n'), { recursive: true });
		fs.writeFileSync(pidFile, String(process.pid));
		process.on('exit', () => {
			try {
				if (Number(fs.readFileSync(pidFile, 'utf8')) === process.pid) fs.rmSync(pidFile);
			} catch {
				// the pid file is gone already (--fresh, or removed by hand): nothing to clean up
			}
		});
	}

	await env.installPackage(home, tgz, { log });
	await env.importCredentials(
		n8n,
		home,
		[{ ...DEMO_CREDENTIAL, type: 'greenApi', data: { apiUrl: sandbox.url, idInstance: DEMO_INSTANCE.idInstance, apiTokenInstance: DEMO_INSTANCE.apiTokenInstance } }],
		{ log },
	);
	const demoDir = path.join(__dirname, 'demo');
	const workflows = fs
		.readdirSync(demoDir)
		.filter((f) => f.endsWith('.workflow.json'))
		.sort()
		.map((f) => JSON.parse(fs.readFileSync(path.join(demoDir, f), 'utf8')));
	await env.importWorkflows(n8n, home, workflows, { log });

	const port = Number(process.env.N8N_PORT) || (await env.preferredPort(5678));
	n8nHandle = await env.startN8n(n8n, home, { port, log });
	n8nHandle.child.on('exit', (code, signal) => {
		if (stopping) return;
		log(`\nn8n exited on its own (${code ?? signal}); last lines of ${n8nHandle.logFile}:`);
		log(n8nHandle.readLog().split('\n').slice(-20).join('\n'));
		stopAll(1);
	});

	const client = new env.N8nClient(n8nHandle.url);
	await client.login();
	let triggerNote = 'inactive (activate it in the editor)';
	if (!args.has('--no-activate')) {
		try {
			const wf = await client.getWorkflow(TRIGGER_DEMO_ID);
			await client.request('POST', `/rest/workflows/${TRIGGER_DEMO_ID}/activate`, { versionId: wf.versionId });
			triggerNote = 'active: polls the sandbox every minute';
		} catch (err) {
			triggerNote = `could not be activated: ${err.message.slice(0, 200)}`;
		}
	}

	const wfUrl = (id) => `${n8nHandle.url}/workflow/${id}`;
	log(`
────────────────────────────────────────────────────────────────────────────
 n8n ${version} with ${env.PACKAGE_NAME} is ready (${env.fmtSecs(Date.now() - started)})

   Editor     ${n8nHandle.url}
   Log in     ${env.OWNER.email}  /  ${env.OWNER.password}

   Demo workflows
     ${wfUrl('GreenApiDemoChk1')}
        state of the demo instance + three numbers checked (click "Execute workflow")
     ${wfUrl(TRIGGER_DEMO_ID)}
        GREEN-API Trigger on the demo instance, ${triggerNote}
   Credential "${DEMO_CREDENTIAL.name}" points at the sandbox.

   GREEN-API sandbox ${sandbox.url}   instance ${DEMO_INSTANCE.idInstance}
     change the instance's state (the trigger demo records an execution within a minute):
     curl -X POST ${sandbox.url}/admin/instances/${DEMO_INSTANCE.idInstance}/state \\
          -H 'content-type: application/json' -d '{"stateInstance":"yellowCard"}'

   n8n log    ${n8nHandle.logFile}
   Rebuilt the package? Restart (Ctrl-C, npm run dev) to install the new tarball.
   Press Ctrl-C to stop n8n, its task runner and the sandbox.
────────────────────────────────────────────────────────────────────────────`);
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
process.on('SIGHUP', () => stopAll(0));

main().catch((err) => {
	log(`\n✗ ${err.message}`);
	stopAll(1);
});
