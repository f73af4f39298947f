'use strict';
/**
 * Node 24 and n8n, installed once into the cache (GREEN_API_N8N_CACHE, default .cache/):
 * - Node 24 from the npm registry (package node-<platform>-<arch>), in <cache>/node24;
 * - n8n@version in <cache>/n8n-<version>: install scripts off, then `npm rebuild sqlite3
 *   isolated-vm` with Node 24 first on PATH. A `.complete` marker is written last, so a broken
 *   install is redone; concurrent runs wait on a lock.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const { ROOT, CACHE_DIR, LOG_DIR, DEFAULT_N8N_VERSION } = require('./config');
const { defaultLog, runLogged, captureOutput } = require('./run');
const { withLock } = require('./lock');

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

/**
 * What a first install costs, measured on a 2-core machine sharing its CPU, npm cache cold:
 * n8n 2.41.1 took 4m50s here (npm install 2m58s, rebuild 1m46s) and 2.9 GiB (3.1 GB); a user
 * saw 10 minutes on a slower network. n8n 1.123.81: about 1.8 GB.
 */
const FIRST_INSTALL = { major2: 'about 3 GB on disk, 5-10 minutes', major1: 'about 2 GB on disk, 3-8 minutes' };

/** Installs n8n@version into <cache>/n8n-<version> (idempotent). Returns { version, dir, binJs, nodeBin }. */
async function ensureN8n(version = DEFAULT_N8N_VERSION, { log = defaultLog } = {}) {
	const nodeBin = await ensureNode24({ log });
	const dir = n8nDir(version);
	const result = { version, dir, binJs: n8nBinJs(version), nodeBin };
	if (isN8nInstalled(version)) return result;
	return withLock(`n8n-${version}`, async () => {
		if (isN8nInstalled(version)) return result;
		const major = Number(version.split('.')[0]);
		const warmCache = fs.existsSync(path.join(os.homedir(), '.npm', '_cacache'));
		log(
			`Installing n8n@${version} into ${path.relative(ROOT, dir) || dir} (first time only: ` +
				`${major < 2 ? FIRST_INSTALL.major1 : FIRST_INSTALL.major2}${warmCache ? ', less with a warm npm cache' : ''}) …`,
		);
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		const pkg = { name: `n8n-${version}-cache`, private: true };
		// n8n 1.x depends on xlsx from a URL outside the npm registry; the registry's 0.18.5 works.
		if (major < 2) pkg.overrides = { xlsx: '0.18.5' };
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
		const home = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-ver-'));
		const reported = (await captureOutput(nodeBin, [n8nBinJs(version), '--version'], { env: { ...env, N8N_USER_FOLDER: home } })).trim();
		fs.rmSync(home, { recursive: true, force: true });
		if (!reported.split('\n').some((l) => l.trim() === version)) {
			throw new Error(`n8n@${version} installed but \`n8n --version\` printed: ${reported}`);
		}
		fs.writeFileSync(path.join(dir, '.complete'), JSON.stringify({ version, node: nodeBin, at: new Date().toISOString() }));
		log(`  ✓ n8n ${version} ready`);
		return result;
	}, log);
}

module.exports = { npmEnv, npmCmd, node24Bin, ensureNode24, n8nDir, n8nBinJs, isN8nInstalled, ensureN8n, FIRST_INSTALL };
