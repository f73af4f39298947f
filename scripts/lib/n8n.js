'use strict';
/**
 * Running n8n: its environment, CLI commands (imports) and the processes (`n8n start`, and
 * `n8n worker` for queue mode), each on free ports, each waited for until it answers.
 */
const fs = require('fs');
const path = require('path');
const http = require('http');
const { spawn } = require('child_process');
const { createRequire } = require('module');

const { OWNER } = require('./config');
const { defaultLog, runLogged, fmtSecs, waitUntil } = require('./run');
const { npmEnv, n8nDir } = require('./install');
const { freePorts } = require('./ports');
const { track, stopTree } = require('./processes');

/**
 * @typedef {import('./run').Log} Log
 * @typedef {{ log?: Log, env?: Record<string, string>, readyTimeoutMs?: number }} StartOptions
 */

function bcryptHash(password, version) {
	// n8n ships bcryptjs; use it instead of depending on it ourselves.
	const req = createRequire(path.join(n8nDir(version), 'node_modules', 'n8n', 'package.json'));
	return req('bcryptjs').hashSync(password, 10);
}

/**
 * n8n's environment: Node 24's bin first on PATH (n8n's task runner and anything else it spawns
 * run on the Node n8n itself runs on, not on whatever `node` the shell has), and nothing of the
 * caller's own n8n settings.
 */
function n8nBaseEnv(home, extra = {}, nodeBin) {
	const env = npmEnv(nodeBin ? [path.dirname(nodeBin)] : []);
	// Settings of a user's own n8n must not leak in; nor jest's NODE_ENV=test, with which n8n
	// silences its logger and exits at start without a word.
	for (const key of Object.keys(env)) if (/^(N8N_|DB_|EXECUTIONS_|GENERIC_|QUEUE_|WEBHOOK_URL|JEST_|NODE_OPTIONS$)/.test(key)) delete env[key];
	Object.assign(env, {
		NODE_ENV: 'production',
		N8N_USER_FOLDER: home,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		DB_SQLITE_POOL_SIZE: '2',
		N8N_RUNNERS_ENABLED: 'true',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		NO_COLOR: '1',
	});
	Object.assign(env, extra);
	return env;
}

/** Runs an n8n CLI command (e.g. import:workflow) against a user folder, before start. */
async function n8nCli(n8n, home, args, { log = defaultLog, env: extraEnv = {} } = {}) {
	const env = n8nBaseEnv(home, extraEnv, n8n.nodeBin);
	const logFile = path.join(home, 'n8n-cli.log');
	await runLogged(n8n.nodeBin, [n8n.binJs, ...args], { cwd: home, env, logFile, label: `n8n ${args[0]}`, log });
}

function writeTemp(home, name, data) {
	const file = path.join(home, name);
	fs.writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data, null, 2));
	return file;
}

/** creds: array of { id, name, type, data } with plain data (n8n encrypts it on import). */
async function importCredentials(n8n, home, creds, opts) {
	const file = writeTemp(home, 'import-credentials.json', creds);
	await n8nCli(n8n, home, ['import:credentials', `--input=${file}`], opts);
	fs.rmSync(file, { force: true });
}

/** workflows: array of workflow JSON objects (with id). */
async function importWorkflows(n8n, home, workflows, opts) {
	const dir = path.join(home, 'import-workflows');
	fs.mkdirSync(dir, { recursive: true });
	workflows.forEach((wf, i) => writeTemp(dir, `${i}-${wf.id || 'wf'}.json`, wf));
	await n8nCli(n8n, home, ['import:workflow', '--separate', `--input=${dir}`], opts);
	fs.rmSync(dir, { recursive: true, force: true });
}

function httpStatus(url, { timeoutMs = 3000 } = {}) {
	return new Promise((resolve) => {
		const req = http.get(url, { timeout: timeoutMs }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode));
		});
		req.on('error', () => resolve(0));
		req.on('timeout', () => {
			req.destroy();
			resolve(0);
		});
	});
}

/**
 * Spawns an n8n command in its own process group, output into <home>/<logName>, and waits until
 * ready() is true. The handle's stop() ends the process and its task runner and checks both went.
 * @param {{ version: string, nodeBin: string, binJs: string }} n8n @param {string} home
 * @param {{ command: string, args?: string[], env: NodeJS.ProcessEnv, logName: string, what: string, ready: () => Promise<boolean>, readyTimeoutMs: number, log: Log }} options
 */
async function spawnN8n(n8n, home, { command, args = [], env, logName, what, ready, readyTimeoutMs, log }) {
	const logFile = path.join(home, logName);
	const out = fs.openSync(logFile, 'a');
	const started = Date.now();
	const child = spawn(n8n.nodeBin, [n8n.binJs, command, ...args], { cwd: home, env, stdio: ['ignore', out, out], detached: true });
	fs.closeSync(out);
	track(child.pid);
	let exited = null;
	child.on('exit', (code, signal) => (exited = { code, signal }));
	const readLog = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
	const handle = {
		pid: child.pid,
		child,
		home,
		logFile,
		version: n8n.version,
		readLog,
		stop: (opts) => stopTree(child.pid, { what, ...opts }),
		get exited() {
			return exited;
		},
	};
	const tty = process.stderr.isTTY;
	try {
		await waitUntil(`${what}`, ready, {
			timeoutMs: readyTimeoutMs,
			stop: () => exited && `exited during start (${JSON.stringify(exited)})`,
			onTick: (ms) => tty && process.stderr.write(`\r  … starting ${what}: ${fmtSecs(ms)}   `),
		});
	} catch (err) {
		if (tty) process.stderr.write('\r\x1b[K');
		await handle.stop().catch(() => undefined);
		err.message += `:\n${readLog().split('\n').slice(-40).join('\n')}`;
		throw err;
	}
	if (tty) process.stderr.write('\r\x1b[K');
	log(`  ✓ ${what} up (pid ${child.pid}, started in ${fmtSecs(Date.now() - started)})`);
	return handle;
}

/**
 * Starts `n8n start` on free ports (N8N_PORT, N8N_RUNNERS_BROKER_PORT) and waits for /healthz.
 * stdout+stderr go to <home>/n8n.log (handle.logFile); handle.readLog() returns it.
 */
/** @param {{ version: string, nodeBin: string, binJs: string }} n8n @param {string} home @param {StartOptions & { port?: number }} [options] */
async function startN8n(n8n, home, { port, log = defaultLog, env: extraEnv = {}, readyTimeoutMs = 180e3 } = {}) {
	const [p1, brokerPort] = await freePorts(2);
	const n8nPort = port || p1;
	const env = n8nBaseEnv(
		home,
		{
			N8N_PORT: String(n8nPort),
			N8N_RUNNERS_BROKER_PORT: String(brokerPort === n8nPort ? p1 : brokerPort),
			N8N_EDITOR_BASE_URL: `http://127.0.0.1:${n8nPort}/`,
			WEBHOOK_URL: `http://127.0.0.1:${n8nPort}/`,
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
			N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
			N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
			N8N_INSTANCE_OWNER_PASSWORD_HASH: bcryptHash(OWNER.password, n8n.version),
			...extraEnv,
		},
		n8n.nodeBin,
	);
	const url = `http://127.0.0.1:${n8nPort}`;
	const handle = await spawnN8n(n8n, home, {
		command: 'start',
		env,
		logName: 'n8n.log',
		what: `n8n ${n8n.version} at ${url}`,
		// readiness = database up; the REST API answers a moment later on 1.x
		ready: async () => (await httpStatus(`${url}/healthz/readiness`)) === 200 && (await httpStatus(`${url}/rest/settings`)) === 200,
		readyTimeoutMs,
		log,
	});
	return Object.assign(handle, { url, port: n8nPort, brokerPort: Number(env.N8N_RUNNERS_BROKER_PORT) });
}

/**
 * Starts `n8n worker` (queue mode): env must carry the same database, Redis and
 * N8N_ENCRYPTION_KEY as the main. A worker has two servers of its own: the health server
 * (QUEUE_HEALTH_CHECK_PORT, on here so that we can wait for /healthz/readiness) and its task
 * broker (N8N_RUNNERS_BROKER_PORT); both get free ports. concurrency: executions it runs at
 * once (n8n's default 10).
 */
/** @param {{ version: string, nodeBin: string, binJs: string }} n8n @param {string} home @param {StartOptions & { name?: string, concurrency?: number }} [options] */
async function startWorker(n8n, home, { name = 'worker', concurrency, log = defaultLog, env: extraEnv = {}, readyTimeoutMs = 180e3 } = {}) {
	const [healthPort, brokerPort] = await freePorts(2);
	const env = n8nBaseEnv(
		home,
		{
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			...extraEnv,
		},
		n8n.nodeBin,
	);
	const url = `http://127.0.0.1:${healthPort}`;
	const handle = await spawnN8n(n8n, home, {
		command: 'worker',
		args: concurrency ? [`--concurrency=${concurrency}`] : [],
		env,
		logName: `${name}.log`,
		what: `n8n ${n8n.version} ${name}`,
		ready: async () => (await httpStatus(`${url}/healthz/readiness`)) === 200,
		readyTimeoutMs,
		log,
	});
	return Object.assign(handle, { name, healthUrl: url, brokerPort });
}

async function stopN8n(handle, opts) {
	return handle.stop(opts);
}

module.exports = { n8nBaseEnv, n8nCli, importCredentials, importWorkflows, startN8n, startWorker, stopN8n, httpStatus };
