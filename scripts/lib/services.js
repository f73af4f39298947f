'use strict';
/**
 * PostgreSQL and Redis for n8n's queue mode, each on a free 127.0.0.1 port with its data in a
 * temporary folder, started as our child (own process group) and stopped by pid.
 *
 * ensureServices() installs Debian's `postgresql` and `redis-server` with apt when they are
 * missing (root on Debian/Ubuntu, as CI runs). Elsewhere (macOS: `brew install postgresql redis`)
 * it only looks for the binaries on PATH and says what to install.
 * PostgreSQL refuses to run as root: as root, initdb and postgres run as the `postgres` user, in a
 * data folder that user owns.
 */
const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const { LOG_DIR } = require('./config');
const { defaultLog, runLogged, fmtSecs, waitUntil } = require('./run');
const { freePort } = require('./ports');
const { track, stopTree } = require('./processes');

function onPath(cmd) {
	for (const dir of (process.env.PATH || '').split(path.delimiter)) {
		const file = path.join(dir, cmd);
		if (fs.existsSync(file)) return file;
	}
	return undefined;
}

/** Folder of initdb/postgres: PATH, else Debian's /usr/lib/postgresql/<newest>/bin. */
function postgresBinDir() {
	const initdb = onPath('initdb');
	if (initdb && fs.existsSync(path.join(path.dirname(fs.realpathSync(initdb)), 'postgres'))) return path.dirname(fs.realpathSync(initdb));
	const base = '/usr/lib/postgresql';
	if (fs.existsSync(base)) {
		const versions = fs.readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
		for (const v of versions) if (fs.existsSync(path.join(base, v, 'bin', 'postgres'))) return path.join(base, v, 'bin');
	}
	return undefined;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Installs what is missing (apt, as root) and returns { pgBin, redisServer }. */
async function ensureServices({ log = defaultLog } = {}) {
	const missing = [];
	if (!postgresBinDir()) missing.push('postgresql');
	if (!onPath('redis-server')) missing.push('redis-server');
	if (missing.length) {
		if (process.platform !== 'linux' || !onPath('apt-get') || !isRoot()) {
			throw new Error(`queue mode needs ${missing.join(' and ')} on PATH: install them (Debian/Ubuntu: apt-get install ${missing.join(' ')}; macOS: brew install postgresql redis)`);
		}
		const logFile = path.join(LOG_DIR, 'apt-services.log');
		const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		await runLogged('apt-get', ['update'], { cwd: os.tmpdir(), env, logFile, label: 'apt-get update', log });
		await runLogged('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { cwd: os.tmpdir(), env, logFile, label: `apt-get install ${missing.join(' ')}`, log });
	}
	const pgBin = postgresBinDir();
	const redisServer = onPath('redis-server');
	if (!pgBin || !redisServer) throw new Error(`still missing after install: ${!pgBin ? 'postgresql ' : ''}${!redisServer ? 'redis-server' : ''}`);
	return { pgBin, redisServer };
}

function canConnect(port) {
	return new Promise((resolve) => {
		const sock = net.connect({ host: '127.0.0.1', port });
		sock.setTimeout(2000);
		sock.once('connect', () => {
			sock.destroy();
			resolve(true);
		});
		sock.once('error', () => resolve(false));
		sock.once('timeout', () => {
			sock.destroy();
			resolve(false);
		});
	});
}

function redisPing(port) {
	return new Promise((resolve) => {
		const sock = net.connect({ host: '127.0.0.1', port });
		let answer = '';
		sock.setTimeout(2000);
		sock.once('connect', () => sock.write('PING\r\n'));
		sock.on('data', (d) => {
			answer += d;
			if (answer.includes('\r\n')) {
				sock.destroy();
				resolve(answer.startsWith('+PONG'));
			}
		});
		sock.once('error', () => resolve(false));
		sock.once('timeout', () => {
			sock.destroy();
			resolve(false);
		});
	});
}

/** @param {string} cmd @param {string[]} args @param {{ logFile: string, cwd: string, uid?: number, gid?: number }} options */
function spawnService(cmd, args, { logFile, uid, gid, cwd }) {
	const out = fs.openSync(logFile, 'a');
	const child = spawn(cmd, args, { cwd, uid, gid, stdio: ['ignore', out, out], detached: true });
	fs.closeSync(out);
	track(child.pid);
	let exited = null;
	child.on('exit', (code, signal) => (exited = { code, signal }));
	return { child, exited: () => exited };
}

/** A throw-away PostgreSQL: trust auth for `postgres` on 127.0.0.1 only. Returns { port, user, database, pid, stop(), dir }. */
/** @param {{ pgBin?: string, log?: import('./run').Log }} [options] */
async function startPostgres({ pgBin, log = defaultLog } = {}) {
	pgBin ??= (await ensureServices({ log })).pgBin;
	const started = Date.now();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'green-api-pg-'));
	const data = path.join(dir, 'data');
	const socketDir = path.join(dir, 'socket');
	fs.mkdirSync(socketDir);
	let ids = {};
	if (isRoot()) {
		const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
		const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
		if (!Number.isInteger(uid) || !uid) throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as');
		ids = { uid, gid };
		fs.chownSync(dir, uid, gid);
		fs.chownSync(socketDir, uid, gid);
	}
	const logFile = path.join(dir, 'postgres.log');
	fs.writeFileSync(logFile, '');
	if (ids.uid) fs.chownSync(logFile, ids.uid, ids.gid);
	await runLogged(path.join(pgBin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
		cwd: dir,
		env: process.env,
		logFile,
		label: 'initdb',
		log,
		...ids,
	});
	const port = await freePort();
	// fsync off: a test database that dies with the machine is no loss.
	const args = ['-D', data, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
	const svc = spawnService(path.join(pgBin, 'postgres'), args, { logFile, cwd: dir, ...ids });
	const pid = svc.child.pid;
	const handle = {
		port,
		host: '127.0.0.1',
		user: 'postgres',
		database: 'postgres',
		pid,
		dir,
		logFile,
		// SIGINT is PostgreSQL's "fast" shutdown: ends sessions, then stops.
		async stop() {
			const r = await stopTree(pid, { signal: 'SIGINT', graceMs: 15000, what: 'postgres' });
			fs.rmSync(dir, { recursive: true, force: true });
			return r;
		},
	};
	try {
		await waitUntil('postgres', () => canConnect(port).then((ok) => ok && fs.readFileSync(logFile, 'utf8').includes('ready to accept connections')), {
			timeoutMs: 60e3,
			stop: () => svc.exited() && `exited (${JSON.stringify(svc.exited())}): ${fs.readFileSync(logFile, 'utf8').slice(-1500)}`,
		});
	} catch (err) {
		await handle.stop().catch(() => undefined);
		throw err;
	}
	log(`  ✓ postgres on 127.0.0.1:${port} (pid ${pid}, ${fmtSecs(Date.now() - started)})`);
	return handle;
}

/** A throw-away Redis: no persistence, 127.0.0.1 only. Returns { port, pid, stop() }. */
/** @param {{ redisServer?: string, log?: import('./run').Log }} [options] */
async function startRedis({ redisServer, log = defaultLog } = {}) {
	redisServer ??= (await ensureServices({ log })).redisServer;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'green-api-redis-'));
	const logFile = path.join(dir, 'redis.log');
	const port = await freePort();
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes'];
	const svc = spawnService(redisServer, args, { logFile, cwd: dir });
	const pid = svc.child.pid;
	const handle = {
		port,
		host: '127.0.0.1',
		pid,
		dir,
		logFile,
		async stop() {
			const r = await stopTree(pid, { signal: 'SIGTERM', graceMs: 10000, what: 'redis-server' });
			fs.rmSync(dir, { recursive: true, force: true });
			return r;
		},
	};
	try {
		await waitUntil('redis-server', () => redisPing(port), { timeoutMs: 30e3, stop: () => svc.exited() && `exited (${JSON.stringify(svc.exited())})` });
	} catch (err) {
		await handle.stop().catch(() => undefined);
		throw err;
	}
	log(`  ✓ redis on 127.0.0.1:${port} (pid ${pid})`);
	return handle;
}

/** The environment main and workers share in queue mode (database, Redis, key). */
function queueModeEnv({ postgres, redis, encryptionKey }) {
	return {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		N8N_ENCRYPTION_KEY: encryptionKey,
	};
}

// `node scripts/lib/services.js install`: what .ci/run calls before the e2e suite.
if (require.main === module) {
	ensureServices()
		.then(({ pgBin, redisServer }) => console.error(`postgres: ${pgBin}\nredis-server: ${redisServer}`))
		.catch((err) => {
			console.error(err.message);
			process.exit(1);
		});
}

module.exports = { ensureServices, startPostgres, startRedis, queueModeEnv };
