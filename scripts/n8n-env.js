'use strict';
/**
 * A real n8n for development and end-to-end tests, with no dependencies beyond Node and npm.
 *
 * - ensureNode24(): Node 24 from the npm registry (package node-linux-<arch>) in .cache/node24.
 * - ensureN8n(version): n8n@version in .cache/n8n-<version> (install scripts off, then
 *   `npm rebuild sqlite3 isolated-vm` with Node 24 first on PATH). Idempotent: a marker file
 *   `.complete` is written last; concurrent runs wait on a lock folder.
 * - packPackage(): `npm pack` of this repository into a temp folder (needs a prior build).
 * - createN8nHome() / installPackage() / importCredentials() / importWorkflows(): prepare a user
 *   folder the way a user's n8n looks after installing the community package.
 * - startN8n(): free ports, headless owner, diagnostics off, 127.0.0.1 only; waits for /healthz.
 *   The returned handle has stop(), which ends n8n and its task-runner child (process group) and
 *   checks that both are gone.
 * - N8nClient: login, node/credential types, run a workflow, read executions, activate.
 *
 * Install output goes to log files under .cache/logs, never to the terminal.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const http = require('http');
const crypto = require('crypto');
const { spawn } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const CACHE_DIR = path.resolve(process.env.GREEN_API_N8N_CACHE || path.join(ROOT, '.cache'));
const LOG_DIR = path.join(CACHE_DIR, 'logs');
const DEFAULT_N8N_VERSION = '2.41.1';
const N8N_1X_VERSION = '1.123.81';
const TESTED_N8N_VERSIONS = [DEFAULT_N8N_VERSION, N8N_1X_VERSION];
const PACKAGE_NAME = 'n8n-nodes-green-api';

const OWNER = {
	email: 'owner@example.com',
	password: 'GreenApi-Demo-1',
	firstName: 'Demo',
	lastName: 'Owner',
};

// ---------------------------------------------------------------------------------------------
// small helpers

function defaultLog(msg) {
	process.stderr.write(`${msg}\n`);
}

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function fmtSecs(ms) {
	const s = Math.round(ms / 1000);
	return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Runs a command with its output in a log file; shows a progress line while it runs. */
function runLogged(cmd, args, { cwd, env, logFile, label, log = defaultLog, timeoutMs = 30 * 60e3 }) {
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const out = fs.openSync(logFile, 'a');
	fs.writeSync(out, `\n$ ${cmd} ${args.join(' ')}   (cwd ${cwd})\n`);
	const started = Date.now();
	const tty = process.stderr.isTTY;
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', out, out] });
		const tick = setInterval(() => {
			const line = `  … ${label}: ${fmtSecs(Date.now() - started)} (log: ${path.relative(process.cwd(), logFile)})`;
			if (tty) process.stderr.write(`\r${line}   `);
			else log(line);
		}, tty ? 1000 : 30000);
		const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
		child.on('error', (err) => {
			clearInterval(tick);
			clearTimeout(timer);
			fs.closeSync(out);
			reject(err);
		});
		child.on('exit', (code, signal) => {
			clearInterval(tick);
			clearTimeout(timer);
			fs.closeSync(out);
			if (tty) process.stderr.write('\r\x1b[K');
			if (code === 0) {
				log(`  ✓ ${label} (${fmtSecs(Date.now() - started)})`);
				resolve();
			} else {
				let tail = '';
				try {
					tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
				} catch {}
				reject(new Error(`${label} failed (exit ${code ?? signal}); see ${logFile}\n${tail}`));
			}
		});
	});
}

/** A lock folder (mkdir is atomic) so two runs do not install into the same cache at once. */
async function withLock(name, fn, log = defaultLog) {
	fs.mkdirSync(CACHE_DIR, { recursive: true });
	const lock = path.join(CACHE_DIR, `${name}.lock`);
	let announced = false;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch (err) {
			if (err.code !== 'EEXIST') throw err;
			let owner = NaN;
			try {
				owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
			} catch {}
			if (owner && !isAlive(owner)) {
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (!announced) {
				log(`  … waiting for another run (pid ${owner}) to finish installing ${name}`);
				announced = true;
			}
			await sleep(2000);
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return err.code === 'EPERM';
	}
}

function npmEnv(extraPathDirs = []) {
	const env = { ...process.env };
	// `npm run` exports npm_config_* of the calling project (e.g. ignore-scripts); do not let
	// them leak into the nested installs, which set their own flags.
	for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key];
	env.PATH = [...extraPathDirs, process.env.PATH].join(path.delimiter);
	env.npm_config_audit = 'false';
	env.npm_config_fund = 'false';
	env.npm_config_update_notifier = 'false';
	return env;
}

function npmCmd() {
	return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

// ---------------------------------------------------------------------------------------------
// Node 24 and n8n installs

function node24Dir() {
	return path.join(CACHE_DIR, 'node24');
}

function node24Bin() {
	return path.join(node24Dir(), 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
}

async function ensureNode24({ log = defaultLog } = {}) {
	const dir = node24Dir();
	const marker = path.join(dir, '.complete');
	if (fs.existsSync(marker) && fs.existsSync(node24Bin())) return node24Bin();
	return withLock('node24', async () => {
		if (fs.existsSync(marker) && fs.existsSync(node24Bin())) return node24Bin();
		log(`Installing Node 24 (npm package node-${process.platform}-${process.arch}@24) into ${path.relative(ROOT, dir)} …`);
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'node24-cache', private: true }, null, 2));
		await runLogged(npmCmd(), ['install', `node-${process.platform}-${process.arch}@24`, '--ignore-scripts', '--no-package-lock'], {
			cwd: dir,
			env: npmEnv(),
			logFile: path.join(LOG_DIR, 'node24-install.log'),
			label: 'npm install Node 24',
			log,
		});
		fs.chmodSync(node24Bin(), 0o755);
		const version = await captureOutput(node24Bin(), ['--version']);
		if (!/^v24\./.test(version.trim())) throw new Error(`expected Node 24, got ${version}`);
		fs.writeFileSync(marker, JSON.stringify({ node: version.trim(), at: new Date().toISOString() }));
		log(`  ✓ Node ${version.trim()}`);
		return node24Bin();
	}, log);
}

function n8nDir(version) {
	return path.join(CACHE_DIR, `n8n-${version}`);
}

function n8nBinJs(version) {
	return path.join(n8nDir(version), 'node_modules', 'n8n', 'bin', 'n8n');
}

function isN8nInstalled(version) {
	return fs.existsSync(path.join(n8nDir(version), '.complete')) && fs.existsSync(n8nBinJs(version));
}

/** Installs n8n@version into .cache/n8n-<version> (idempotent). Returns { dir, binJs, nodeBin }. */
async function ensureN8n(version = DEFAULT_N8N_VERSION, { log = defaultLog } = {}) {
	const nodeBin = await ensureNode24({ log });
	const dir = n8nDir(version);
	const result = { version, dir, binJs: n8nBinJs(version), nodeBin };
	if (isN8nInstalled(version)) return result;
	return withLock(`n8n-${version}`, async () => {
		if (isN8nInstalled(version)) return result;
		const first = !fs.existsSync(path.join(os.homedir(), '.npm', '_cacache'));
		log(
			`Installing n8n@${version} into ${path.relative(ROOT, dir)} (first time only: ` +
				`about 2 GB on disk, 2-6 minutes${first ? ' plus downloads' : ''}) …`,
		);
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		const pkg = { name: `n8n-${version}-cache`, private: true };
		// n8n 1.x depends on xlsx from a URL outside the npm registry; the registry's 0.18.5 works.
		if (Number(version.split('.')[0]) < 2) pkg.overrides = { xlsx: '0.18.5' };
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
		const env = npmEnv([path.dirname(nodeBin)]);
		const logFile = path.join(LOG_DIR, `n8n-${version}-install.log`);
		await runLogged(npmCmd(), ['install', `n8n@${version}`, '--ignore-scripts', '--no-package-lock', '--loglevel=http'], {
			cwd: dir,
			env,
			logFile,
			label: `npm install n8n@${version}`,
			log,
		});
		await runLogged(npmCmd(), ['rebuild', 'sqlite3', 'isolated-vm', '--foreground-scripts'], {
			cwd: dir,
			env,
			logFile,
			label: 'npm rebuild sqlite3 isolated-vm (Node 24)',
			log,
		});
		const reported = (await captureOutput(nodeBin, [n8nBinJs(version), '--version'], { env: n8nBaseEnv(fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-ver-'))) })).trim();
		if (!reported.split('\n').some((l) => l.trim() === version)) {
			throw new Error(`n8n@${version} installed but \`n8n --version\` printed: ${reported}`);
		}
		fs.writeFileSync(path.join(dir, '.complete'), JSON.stringify({ version, node: nodeBin, at: new Date().toISOString() }));
		log(`  ✓ n8n ${version} ready`);
		return result;
	}, log);
}

function captureOutput(cmd, args, { env, cwd } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { env: env || process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (out += d));
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))));
	});
}

// ---------------------------------------------------------------------------------------------
// the package, the way users install it

/** `npm pack` this repository (dist/ must be built) into outDir; returns the .tgz path. */
async function packPackage({ outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'green-api-pack-')), log = defaultLog } = {}) {
	const out = await captureOutput(npmCmd(), ['pack', '--pack-destination', outDir, '--json', '--ignore-scripts'], {
		cwd: ROOT,
		env: npmEnv(),
	});
	const json = JSON.parse(out.slice(out.indexOf('[')));
	const tgz = path.join(outDir, json[0].filename);
	log(`  ✓ npm pack: ${path.basename(tgz)} (${json[0].files.length} files, ${Math.round(json[0].size / 1024)} kB)`);
	return tgz;
}

/** Makes a user folder for n8n (N8N_USER_FOLDER); n8n keeps its data in <home>/.n8n. */
function createN8nHome(prefix = 'green-api-n8n-') {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	fs.mkdirSync(path.join(home, '.n8n'), { recursive: true });
	return home;
}

/**
 * Installs the packed tarball into <home>/.n8n/nodes the way n8n's Community Nodes does
 * (npm install there, scripts off, no dev or peer dependencies).
 */
async function installPackage(home, tgz, { log = defaultLog } = {}) {
	const nodesDir = path.join(home, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const pkgFile = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(pkgFile)) fs.writeFileSync(pkgFile, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	await runLogged(
		npmCmd(),
		['install', tgz, '--ignore-scripts', '--omit=dev', '--omit=peer', '--no-package-lock', '--install-strategy=shallow'],
		{ cwd: nodesDir, env: npmEnv(), logFile: path.join(home, 'package-install.log'), label: `npm install ${path.basename(tgz)} into .n8n/nodes`, log },
	);
	const installed = path.join(nodesDir, 'node_modules', PACKAGE_NAME, 'package.json');
	if (!fs.existsSync(installed)) throw new Error(`${PACKAGE_NAME} is not in ${nodesDir}/node_modules after npm install`);
	return path.dirname(installed);
}

// ---------------------------------------------------------------------------------------------
// running n8n

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

function isPortFree(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.unref();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

/** The first free port of [preferred, preferred+20), else any free port. */
async function preferredPort(preferred) {
	for (let p = preferred; p < preferred + 20; p++) if (await isPortFree(p)) return p;
	return freePort();
}

function bcryptHash(password, nodeBin, version) {
	// n8n ships bcryptjs; use it instead of depending on it ourselves.
	const { createRequire } = require('module');
	const req = createRequire(path.join(n8nDir(version), 'node_modules', 'n8n', 'package.json'));
	let bcrypt;
	try {
		bcrypt = req('bcryptjs');
	} catch {
		bcrypt = require(require.resolve('bcryptjs', { paths: [path.join(n8nDir(version), 'node_modules')] }));
	}
	return bcrypt.hashSync(password, 10);
}

function n8nBaseEnv(home, extra = {}) {
	const env = npmEnv();
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
	const env = n8nBaseEnv(home, extraEnv);
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

function httpGet(url, { timeoutMs = 3000 } = {}) {
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
 * Starts `n8n start` on free ports (N8N_PORT, N8N_RUNNERS_BROKER_PORT) and waits for /healthz.
 * stdout+stderr go to <home>/n8n.log (handle.logFile); handle.readLog() returns it.
 */
async function startN8n(n8n, home, { port, log = defaultLog, env: extraEnv = {}, readyTimeoutMs = 180e3 } = {}) {
	const n8nPort = port || (await freePort());
	let brokerPort = await freePort();
	while (brokerPort === n8nPort) brokerPort = await freePort();
	const env = n8nBaseEnv(home, {
		N8N_PORT: String(n8nPort),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${n8nPort}/`,
		WEBHOOK_URL: `http://127.0.0.1:${n8nPort}/`,
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcryptHash(OWNER.password, n8n.nodeBin, n8n.version),
		...extraEnv,
	});
	const logFile = path.join(home, 'n8n.log');
	const out = fs.openSync(logFile, 'a');
	const started = Date.now();
	// detached: n8n leads its own process group, so stop() can end it and its task runner together.
	const child = spawn(n8n.nodeBin, [n8n.binJs, 'start'], { cwd: home, env, stdio: ['ignore', out, out], detached: true });
	fs.closeSync(out);
	let exited = null;
	child.on('exit', (code, signal) => (exited = { code, signal }));
	const url = `http://127.0.0.1:${n8nPort}`;
	const handle = {
		url,
		port: n8nPort,
		brokerPort,
		home,
		pid: child.pid,
		child,
		logFile,
		version: n8n.version,
		readLog: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
		stop: (opts) => stopN8n(handle, opts),
		get exited() {
			return exited;
		},
	};
	activeHandles.add(handle);
	const tty = process.stderr.isTTY;
	while (true) {
		if (exited) {
			activeHandles.delete(handle);
			throw new Error(`n8n ${n8n.version} exited during start (${JSON.stringify(exited)}):\n${handle.readLog().split('\n').slice(-40).join('\n')}`);
		}
		// readiness = database up; the REST API answers a moment later on 1.x
		if ((await httpGet(`${url}/healthz/readiness`)) === 200 && (await httpGet(`${url}/rest/settings`)) === 200) break;
		if (Date.now() - started > readyTimeoutMs) {
			await stopN8n(handle);
			throw new Error(`n8n ${n8n.version} not ready after ${fmtSecs(readyTimeoutMs)}:\n${handle.readLog().split('\n').slice(-40).join('\n')}`);
		}
		if (tty) process.stderr.write(`\r  … starting n8n ${n8n.version}: ${fmtSecs(Date.now() - started)}   `);
		await sleep(500);
	}
	if (tty) process.stderr.write('\r\x1b[K');
	log(`  ✓ n8n ${n8n.version} up at ${url} (pid ${child.pid}, started in ${fmtSecs(Date.now() - started)})`);
	return handle;
}

const activeHandles = new Set();

/** All pids in the process group / descendants of pid (Linux /proc). */
function descendants(pid) {
	const result = [];
	let procs = [];
	try {
		procs = fs
			.readdirSync('/proc')
			.filter((d) => /^\d+$/.test(d))
			.map((d) => {
				try {
					const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
					const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
					return { pid: Number(d), ppid: Number(fields[1]), pgid: Number(fields[2]), state: fields[0] };
				} catch {
					return null;
				}
			})
			.filter(Boolean);
	} catch {
		return result;
	}
	const seen = new Set([pid]);
	let grew = true;
	while (grew) {
		grew = false;
		for (const p of procs) {
			if (!seen.has(p.pid) && (seen.has(p.ppid) || p.pgid === pid) && p.state !== 'Z') {
				seen.add(p.pid);
				result.push(p.pid);
				grew = true;
			}
		}
	}
	return result;
}

/**
 * Stops n8n: SIGTERM to its process group (n8n and its task runner), SIGKILL after graceMs,
 * then verifies that no process of the group is left. Returns { pids, killed }.
 */
async function stopN8n(handle, { graceMs = 20000 } = {}) {
	activeHandles.delete(handle);
	const pid = handle.pid;
	const group = [pid, ...descendants(pid)];
	const alive = () => group.filter((p) => isAlive(p) && !isZombie(p));
	const signalAll = (sig) => {
		try {
			process.kill(-pid, sig);
		} catch {}
		for (const p of alive()) {
			try {
				process.kill(p, sig);
			} catch {}
		}
	};
	if (alive().length) signalAll('SIGTERM');
	const deadline = Date.now() + graceMs;
	while (alive().length && Date.now() < deadline) await sleep(200);
	let killed = false;
	if (alive().length) {
		killed = true;
		signalAll('SIGKILL');
		const d2 = Date.now() + 5000;
		while (alive().length && Date.now() < d2) await sleep(100);
	}
	const left = alive();
	if (left.length) throw new Error(`n8n processes still running after stop: ${left.join(', ')}`);
	return { pids: group, killed };
}

function isZombie(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
	} catch {
		return true; // gone
	}
}

/** Synchronous last resort (process 'exit'): SIGKILL every n8n group still running. */
function killAllStartedSync() {
	for (const h of activeHandles) {
		try {
			process.kill(-h.pid, 'SIGKILL');
		} catch {}
	}
	activeHandles.clear();
}
process.on('exit', killAllStartedSync);

// ---------------------------------------------------------------------------------------------
// REST client

class N8nClient {
	constructor(baseUrl) {
		this.baseUrl = baseUrl.replace(/\/$/, '');
		this.cookie = '';
		this.browserId = crypto.randomUUID();
	}

	async request(method, urlPath, body, { raw = false } = {}) {
		const headers = { accept: 'application/json', 'browser-id': this.browserId };
		if (this.cookie) headers.cookie = this.cookie;
		if (body !== undefined) headers['content-type'] = 'application/json';
		const res = await fetch(`${this.baseUrl}${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
		const setCookie = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
		for (const c of setCookie) {
			const pair = c.split(';')[0];
			if (pair.startsWith('n8n-auth=')) this.cookie = pair;
		}
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		if (raw) return { status: res.status, json, text };
		if (!res.ok) {
			const err = new Error(`${method} ${urlPath} -> ${res.status}: ${text.slice(0, 500)}`);
			err.status = res.status;
			err.body = json ?? text;
			throw err;
		}
		return json && typeof json === 'object' && 'data' in json ? json.data : json;
	}

	/**
	 * Logs in as the owner. n8n 2.x creates the owner from N8N_INSTANCE_OWNER_* at start; 1.x
	 * does not know those variables, so on a fresh 1.x the owner is set up here (POST
	 * /rest/owner/setup, what the setup screen does) and then logged in.
	 */
	async login(email = OWNER.email, password = OWNER.password) {
		const attempt = () => this.request('POST', '/rest/login', { emailOrLdapLoginId: email, email, password }, { raw: true });
		let r = await attempt();
		if (r.status >= 400) {
			const settings = await this.request('GET', '/rest/settings', undefined, { raw: true });
			if (settings.json?.data?.userManagement?.showSetupOnFirstLoad) {
				const setup = await this.request('POST', '/rest/owner/setup', { email, password, firstName: OWNER.firstName, lastName: OWNER.lastName }, { raw: true });
				if (setup.status >= 400) throw new Error(`owner setup failed: ${setup.status} ${setup.text.slice(0, 300)}`);
				r = await attempt();
			}
		}
		if (r.status >= 400) throw new Error(`login failed: ${r.status} ${r.text.slice(0, 300)}`);
		return r.json?.data;
	}

	nodeTypes() {
		return this.request('GET', '/types/nodes.json');
	}

	credentialTypes() {
		return this.request('GET', '/types/credentials.json');
	}

	getWorkflow(id) {
		return this.request('GET', `/rest/workflows/${id}`);
	}
}

module.exports = {
	ROOT,
	CACHE_DIR,
	LOG_DIR,
	DEFAULT_N8N_VERSION,
	N8N_1X_VERSION,
	TESTED_N8N_VERSIONS,
	PACKAGE_NAME,
	OWNER,
	ensureNode24,
	ensureN8n,
	isN8nInstalled,
	n8nDir,
	packPackage,
	createN8nHome,
	installPackage,
	importCredentials,
	importWorkflows,
	n8nCli,
	startN8n,
	stopN8n,
	freePort,
	preferredPort,
	descendants,
	isAlive,
	runLogged,
	captureOutput,
	N8nClient,
	fmtSecs,
	sleep,
};

// `node scripts/n8n-env.js install [version...]`: prepare the cache (used by CI and by hand).
if (require.main === module) {
	(async () => {
		const [cmd = 'install', ...versions] = process.argv.slice(2);
		if (cmd !== 'install') {
			console.error('usage: node scripts/n8n-env.js install [n8n-version ...]');
			process.exit(2);
		}
		const started = Date.now();
		for (const v of versions.length ? versions : [DEFAULT_N8N_VERSION]) await ensureN8n(v);
		console.error(`done in ${fmtSecs(Date.now() - started)}`);
	})().catch((err) => {
		console.error(err.message);
		process.exit(1);
	});
}
