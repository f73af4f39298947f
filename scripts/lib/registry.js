'use strict';
/**
 * A real npm registry for install tests: verdaccio@6.8.0 (the last line that runs on Node 20)
 * from the npm registry, installed once into <cache>/verdaccio-6.8.0, started on a free loopback
 * port with its storage in a temporary folder, stopped by pid. Our package is served from its
 * storage only; every other name is proxied to the registry npm is configured with here.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const tls = require('tls');
const { spawn } = require('child_process');

const { ROOT, CACHE_DIR, LOG_DIR, PACKAGE_NAME } = require('./config');
const { defaultLog, runLogged, captureOutput, fmtSecs, waitUntil } = require('./run');
const { npmEnv, npmCmd } = require('./install');
const { withLock } = require('./lock');
const { freePort } = require('./ports');
const { track, stopTree } = require('./processes');

const VERDACCIO_VERSION = '6.8.0';
const verdaccioDir = () => path.join(CACHE_DIR, `verdaccio-${VERDACCIO_VERSION}`);
const verdaccioBin = () => path.join(verdaccioDir(), 'node_modules', 'verdaccio', 'bin', 'verdaccio');

async function ensureVerdaccio({ log = defaultLog } = {}) {
	const marker = path.join(verdaccioDir(), '.complete');
	if (fs.existsSync(marker)) return verdaccioBin();
	return withLock(`verdaccio-${VERDACCIO_VERSION}`, async () => {
		if (fs.existsSync(marker)) return verdaccioBin();
		const dir = verdaccioDir();
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'verdaccio-cache', private: true }, null, 2));
		await runLogged(npmCmd(), ['install', `verdaccio@${VERDACCIO_VERSION}`, '--ignore-scripts', '--no-package-lock'], {
			cwd: dir,
			env: npmEnv(),
			logFile: path.join(LOG_DIR, 'verdaccio-install.log'),
			label: `npm install verdaccio@${VERDACCIO_VERSION}`,
			log,
		});
		fs.writeFileSync(marker, new Date().toISOString());
		return verdaccioBin();
	}, log);
}

/** The registry npm uses here (a mirror, say): verdaccio proxies everything but our package to it. */
async function upstreamRegistry() {
	const out = (await captureOutput(npmCmd(), ['config', 'get', 'registry'], { env: npmEnv(), cwd: os.tmpdir() })).trim();
	return /^https?:\/\//.test(out) ? out : 'https://registry.npmjs.org/';
}

/**
 * Starts verdaccio and signs up a publisher (its token stays in the temp folder). Returns
 * { url, dir, pid, logFile, stop() } and publisher()'s functions.
 */
async function startRegistry({ log = defaultLog } = {}) {
	const bin = await ensureVerdaccio({ log });
	const started = Date.now();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'green-api-registry-'));
	const port = await freePort();
	const url = `http://127.0.0.1:${port}/`;
	const config = [
		`storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
		'auth:',
		`  htpasswd: { file: ${JSON.stringify(path.join(dir, 'htpasswd'))}, max_users: 10 }`,
		'uplinks:',
		`  upstream: { url: ${JSON.stringify(await upstreamRegistry())}, timeout: 60s }`,
		'packages:',
		`  ${JSON.stringify(PACKAGE_NAME)}: { access: $all, publish: $authenticated, unpublish: $authenticated }`,
		"  '**': { access: $all, publish: $authenticated, proxy: upstream }",
		'log: { type: stdout, format: pretty, level: warn }',
		'publish: { allow_offline: true }',
	].join('\n');
	const configFile = path.join(dir, 'config.yaml');
	fs.writeFileSync(configFile, `${config}\n`);
	const logFile = path.join(dir, 'verdaccio.log');
	const out = fs.openSync(logFile, 'a');
	const child = spawn(process.execPath, [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`], {
		cwd: dir,
		env: npmEnv(),
		stdio: ['ignore', out, out],
		detached: true,
	});
	fs.closeSync(out);
	track(child.pid);
	let exited = null;
	child.on('exit', (code, signal) => (exited = { code, signal }));
	const stop = async () => {
		const r = await stopTree(child.pid, { what: 'verdaccio', graceMs: 10000 });
		fs.rmSync(dir, { recursive: true, force: true });
		return r;
	};
	try {
		await waitUntil('verdaccio', () => fetch(`${url}-/ping`).then((r) => r.ok, () => false), {
			timeoutMs: 60e3,
			stop: () => exited && `exited (${JSON.stringify(exited)}): ${fs.readFileSync(logFile, 'utf8').slice(-1500)}`,
		});
	} catch (err) {
		await stop().catch(() => undefined);
		throw err;
	}
	// A publisher account (what `npm adduser` does), its token in an npmrc of the temp folder only.
	const user = 'publisher';
	const res = await fetch(`${url}-/user/org.couchdb.user:${user}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name: user, password: `pw-${process.pid}-${Date.now()}` }),
	});
	const { token } = /** @type {{ token?: string }} */ (await res.json());
	if (!res.ok || !token) throw new Error(`verdaccio: adding a user failed (${res.status})`);
	const npmrc = path.join(dir, 'publisher.npmrc');
	fs.writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
	log(`  ✓ verdaccio ${VERDACCIO_VERSION} at ${url} (pid ${child.pid}, ${fmtSecs(Date.now() - started)})`);
	return { ...publisher({ url, dir }), pid: child.pid, logFile, stop };
}

/**
 * Publishing to a running registry, from what a process knows of it ({ url, dir }: the jest
 * global set-up starts it, the suites publish): publish(tgz), publishVersion(tgz, version),
 * versions().
 * @param {{ url: string, dir: string }} registry
 */
function publisher({ url, dir }) {
	const publish = (tgz, log = defaultLog, tag = 'latest') =>
		runLogged(npmCmd(), ['publish', tgz, '--registry', url, '--userconfig', path.join(dir, 'publisher.npmrc'), '--ignore-scripts', '--tag', tag], {
			cwd: dir,
			env: npmEnv(),
			logFile: path.join(dir, 'publish.log'),
			label: `npm publish ${path.basename(tgz)}`,
			log,
		});
	return {
		url,
		dir,
		publish,
		/**
		 * Publishes tgz under another version number (a temporary copy; the repository is untouched),
		 * under dist-tag `tag`: a suite whose version must not become what an install by name gets
		 * uses a tag of its own.
		 */
		async publishVersion(tgz, version, log = defaultLog, tag = 'latest') {
			const work = fs.mkdtempSync(path.join(dir, 'bump-'));
			await captureOutput('tar', ['-xzf', tgz, '-C', work]);
			const pkgFile = path.join(work, 'package', 'package.json');
			const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
			pkg.version = version;
			fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
			const packed = await captureOutput(npmCmd(), ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: path.join(work, 'package'), env: npmEnv() });
			await publish(path.join(work, JSON.parse(packed.slice(packed.indexOf('[')))[0].filename), log, tag);
		},
		/** The versions the registry serves for our package. */
		async versions() {
			const r = await fetch(`${url}${PACKAGE_NAME}`);
			if (!r.ok) return [];
			const packument = /** @type {{ versions?: Record<string, unknown> }} */ (await r.json());
			return Object.keys(packument.versions ?? {});
		},
	};
}

const NPMJS_HOST = 'registry.npmjs.org';

/**
 * n8n (without an enterprise licence) installs community packages from https://registry.npmjs.org
 * only. For n8n's processes that host is served here by verdaccio: an HTTPS proxy (HTTPS_PROXY,
 * which n8n and npm both honour) that answers CONNECT to registry.npmjs.org:443 itself, with a
 * certificate from a CA made for the run, and passes the requests on to verdaccio. Any other host
 * is refused. Returns { env, stop() }: env is what an n8n process needs to go through it.
 */
async function startNpmjsStandIn(registry, { log = defaultLog } = {}) {
	const dir = fs.mkdtempSync(path.join(registry.dir, 'npmjs-'));
	const f = (name) => path.join(dir, name);
	const ssl = (args) => captureOutput('openssl', args, { cwd: dir });
	await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=green-api test registry CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
	await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('host.key'), '-out', f('host.csr'), '-subj', `/CN=${NPMJS_HOST}`]);
	fs.writeFileSync(f('host.ext'), `subjectAltName=DNS:${NPMJS_HOST}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
	await ssl(['x509', '-req', '-in', f('host.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('host.pem'), '-days', '2', '-extfile', f('host.ext')]);
	// npm reads `cafile` from the machine's npmrc (it then trusts only that file): give it both.
	const system = '/etc/ssl/certs/ca-certificates.crt';
	fs.writeFileSync(f('bundle.pem'), fs.readFileSync(f('ca.pem'), 'utf8') + (fs.existsSync(system) ? fs.readFileSync(system, 'utf8') : ''));

	const target = new URL(registry.url);
	const inner = http.createServer((req, res) => {
		const headers = { ...req.headers, host: NPMJS_HOST, 'x-forwarded-proto': 'https' };
		const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (r) => {
			res.writeHead(r.statusCode ?? 502, r.headers);
			r.pipe(res);
		});
		up.on('error', () => res.writeHead(502).end());
		req.pipe(up);
	});
	const secure = { key: fs.readFileSync(f('host.key')), cert: fs.readFileSync(f('host.pem')) };
	const proxy = http.createServer((_req, res) => res.writeHead(403).end());
	const sockets = new Set();
	proxy.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	proxy.on('connect', (req, socket) => {
		socket.on('error', () => socket.destroy());
		if (req.url !== `${NPMJS_HOST}:443`) {
			socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		const tlsSocket = new tls.TLSSocket(socket, { isServer: true, ...secure });
		tlsSocket.on('error', () => socket.destroy());
		inner.emit('connection', tlsSocket);
	});
	await new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(undefined)));
	const { port } = /** @type {import('net').AddressInfo} */ (proxy.address());
	const proxyUrl = `http://127.0.0.1:${port}`;
	log(`  ✓ ${NPMJS_HOST} served by verdaccio through an HTTPS proxy at ${proxyUrl}`);
	return {
		proxyUrl,
		env: {
			HTTPS_PROXY: proxyUrl,
			https_proxy: proxyUrl,
			NO_PROXY: '127.0.0.1,localhost',
			no_proxy: '127.0.0.1,localhost',
			NODE_EXTRA_CA_CERTS: f('ca.pem'),
			npm_config_cafile: f('bundle.pem'),
			// a cache of this run's own: packuments of earlier runs (other tarballs) must not be reused
			npm_config_cache: path.join(dir, 'npm-cache'),
		},
		stop: () =>
			new Promise((resolve) => {
				for (const s of sockets) s.destroy();
				proxy.close(() => inner.close(() => resolve(undefined)));
			}),
	};
}

/** The repository's own package.json version (the first version published to the test registry). */
const packageVersion = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

// `node scripts/lib/registry.js install`: what CI may call to prepare the cache.
if (require.main === module) {
	ensureVerdaccio()
		.then((bin) => console.error(`verdaccio: ${bin}`))
		.catch((err) => {
			console.error(err.message);
			process.exit(1);
		});
}

module.exports = { VERDACCIO_VERSION, ensureVerdaccio, startRegistry, publisher, startNpmjsStandIn, packageVersion };
