'use strict';
/**
 * GREEN-API sandbox: a local HTTP server that answers like GREEN-API for the methods this package
 * uses, plus an admin interface to script states, inject faults and read statistics.
 * Tests, the benchmark and the demo run against it because the real API is unreachable from here.
 * The behaviour follows /work/shared/GREEN-API.md; sandbox/README.md lists the rules.
 *
 * Plain CommonJS with JSDoc types and no dependencies, so anything can start it without a build.
 */
const http = require('http');
const zlib = require('zlib');
const crypto = require('crypto');

/** HTTP verb of each GREEN-API method we imitate (also the list of known methods). @type {Readonly<Record<string, 'GET'|'POST'>>} */
const METHODS = Object.freeze({
	getStateInstance: 'GET',
	checkWhatsapp: 'POST',
	unban: 'POST',
	reboot: 'GET',
	logout: 'GET',
	qr: 'GET',
	getWaSettings: 'GET',
});

/** Requests per second per instance, as GREEN-API publishes them (unban: none published). */
const DEFAULT_RATE_LIMITS = Object.freeze({
	getStateInstance: 1,
	checkWhatsapp: 10,
	unban: 10,
	reboot: 1,
	logout: 1,
	qr: 3,
	getWaSettings: 1,
});

const DEFAULTS = Object.freeze({
	host: '127.0.0.1',
	port: 0,
	latencyMs: 0,
	latencyJitterMs: 0,
	rateLimits: DEFAULT_RATE_LIMITS,
	/** @type {number|false} */
	retryAfter: false,
	/** @type {'json'|'text'} */
	errorStyle: 'json',
	rebootMs: 3000,
});

const INSTANCE_DEFAULTS = Object.freeze({
	stateInstance: 'authorized',
	checkWhatsappQuota: 30000,
	phone: '79001234567',
	unbanStatus: 'UNBANNED',
});

const FAULT_KINDS = ['status', 'html', 'empty', 'null', 'delay', 'drop'];
const RATE_WINDOW_MS = 1000;
const MAX_ARRIVALS = 100000;
const QR_REFRESH_MS = 20000; // GREEN-API's QR code changes every 20 s
const HTML_502 =
	'<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

/**
 * @typedef {Object} InstanceDef
 * @property {string|number} idInstance
 * @property {string} apiTokenInstance
 * @property {string|null} [stateInstance] default 'authorized'; null = still being created
 * @property {number} [checkWhatsappQuota] checks allowed before HTTP 466 (default 30000)
 * @property {string} [phone] the account's own number (default '79001234567')
 * @property {string[]} [knownNumbers] numbers once connected to the instance; unban works only for these (default [phone])
 * @property {string} [unbanStatus] what unban answers (default 'UNBANNED')
 *
 * @typedef {Object} Fault
 * @property {string|number} [idInstance] absent = any instance
 * @property {string} [method] absent = any method
 * @property {number} [count] how many matching requests it applies to (default 1)
 * @property {'status'|'html'|'empty'|'null'|'delay'|'drop'} kind
 * @property {number} [status] for 'status' (default 500) and 'html' (default 502)
 * @property {unknown} [body] for 'status': a string is sent as text, anything else as JSON
 * @property {number} [delayMs] for 'delay' (default 60000)
 *
 * @typedef {Object} SandboxOptions
 * @property {string} [host]
 * @property {number} [port] 0 = ephemeral
 * @property {number} [latencyMs] added before every API answer
 * @property {number} [latencyJitterMs] latency varies uniformly by +- this much
 * @property {Partial<Record<string, number|null>>} [rateLimits] per method; null = unlimited
 * @property {number|false} [retryAfter] seconds for a Retry-After header on 429 answers
 * @property {'json'|'text'} [errorStyle] how 400 errors are written
 * @property {number} [rebootMs] how long reboot keeps the instance in 'starting'
 * @property {InstanceDef[]} [instances]
 *
 * @typedef {Object} InstanceView
 * @property {string} idInstance
 * @property {string} apiTokenInstance
 * @property {string|null} stateInstance
 * @property {(string|null)[]} script states still to be served by getStateInstance
 * @property {boolean} rebooting
 * @property {number} checkWhatsappQuota
 * @property {number} checkWhatsappUsed
 * @property {string} phone
 * @property {string[]} knownNumbers
 * @property {string} unbanStatus
 *
 * @typedef {Object} Bucket
 * @property {number} requests
 * @property {number} ok 2xx answers
 * @property {number} rateLimited 429 answers from the rate limiter
 * @property {number} faults requests an injected fault applied to
 * @property {Record<string, number>} byStatus
 *
 * @typedef {Object} Stats
 * @property {number} total API requests received (admin requests are not counted)
 * @property {Record<string, number>} byStatus answers by HTTP status; 'dropped' = closed without answer, '499' = client left first
 * @property {Record<string, Bucket>} byMethod
 * @property {Record<string, Bucket>} byInstance
 * @property {number} inFlight
 * @property {number} maxConcurrent
 * @property {number|null} firstAt epoch ms of the first request
 * @property {number|null} lastAt epoch ms of the last request
 * @property {Record<string, number[]>} arrivals epoch ms at which each method's requests passed the rate limiter (first 100000)
 *
 * @typedef {Object} Sandbox
 * @property {string} url e.g. http://127.0.0.1:PORT
 * @property {number} port
 * @property {() => Promise<void>} close stops the server, ends pending waits and destroys open sockets
 * @property {(def: InstanceDef) => InstanceView} addInstance replaces an instance with the same id
 * @property {() => InstanceView[]} listInstances
 * @property {(id: string|number, state: string|null) => InstanceView} setState clears the script and any pending reboot
 * @property {(id: string|number, states: (string|null)[]) => InstanceView} scriptStates each getStateInstance takes the next state; the last one stays
 * @property {(fault: Fault) => void} injectFault
 * @property {(ms: number, jitterMs?: number) => void} setLatency
 * @property {(method: string, perSecond: number|null) => void} setRateLimit
 * @property {() => Stats} stats a copy
 * @property {() => void} resetStats
 * @property {() => void} reset everything back to how startSandbox left it (instances added later stay, reset to their definition)
 *
 * @typedef {{ status: number, type: string, body: string, headers?: Record<string, string> }} Reply
 * @typedef {Reply | { drop: true }} Answer drop = destroy the socket without answering
 *
 * @typedef {Object} Instance
 * @property {string} id
 * @property {string} token
 * @property {string|null} initialState
 * @property {string|null} state
 * @property {(string|null)[]} script
 * @property {{ timer: NodeJS.Timeout, back: string|null } | null} reboot
 * @property {number} quota
 * @property {number} used
 * @property {string} phone
 * @property {string[]} knownNumbers
 * @property {string} unbanStatus
 */

/** @type {Answer} */
const DROP = { drop: true };

/** @param {number} status @param {string} body @returns {Reply} */
const text = (status, body) => ({ status, type: 'text/plain; charset=utf-8', body });
/** @param {number} status @param {unknown} value @returns {Reply} */
const json = (status, value) => ({ status, type: 'application/json', body: JSON.stringify(value) });

// performance.now() is monotonic; adding timeOrigin gives epoch ms that the rate window can trust.
const now = () => performance.timeOrigin + performance.now();

/**
 * GREEN-API documents an integer; a numeric string is accepted too, as the real API seems to.
 * @param {unknown} value
 * @returns {{ digits: string, error?: undefined } | { error: string }}
 */
function parsePhone(value) {
	const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
	if (!/^\d+$/.test(s)) return { error: "Wrong format. 'phoneNumber' must contain only digits" };
	if (s.length < 11 || s.length > 16) return { error: 'bad phone number, valid from 11 to 16 digits' };
	return { digits: s };
}

/** @param {string} type @param {Buffer} data */
function pngChunk(type, data) {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'ascii');
	const crc = Buffer.alloc(4);
	// zlib.crc32 needs Node >= 20.15, which package.json's engines already asks for.
	crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(type)), 0); // the CRC covers type + data
	return Buffer.concat([head, data, crc]);
}

/**
 * A QR-looking PNG (29x29 modules with finder squares and timing lines, the rest pseudo-random
 * from `seed`). A valid PNG, but not a scannable QR code: there is no WhatsApp session to link.
 * @param {string} seed
 * @returns {Buffer}
 */
function qrPng(seed) {
	const modules = 29;
	const quiet = 4;
	const scale = 8;
	const side = (modules + 2 * quiet) * scale;
	let bits = Buffer.alloc(0);
	for (let i = 0; bits.length * 8 < modules * modules; i++) {
		bits = Buffer.concat([bits, crypto.createHash('sha256').update(`${seed}:${i}`).digest()]);
	}
	/** @param {number} x @param {number} y */
	const dark = (x, y) => {
		for (const [cx, cy] of [[3, 3], [modules - 4, 3], [3, modules - 4]]) {
			const d = Math.max(Math.abs(x - cx), Math.abs(y - cy));
			if (d <= 4) return d !== 2 && d !== 4; // ring, gap, 3x3 centre, white separator
		}
		if (x === 6 || y === 6) return (x + y) % 2 === 0; // timing lines
		const n = y * modules + x;
		return ((bits[n >> 3] >> (n & 7)) & 1) === 1;
	};
	// 8-bit grayscale rows, each preceded by filter type 0 (none).
	const raw = Buffer.alloc(side * (side + 1), 255);
	for (let py = 0; py < side; py++) {
		raw[py * (side + 1)] = 0;
		const my = Math.floor(py / scale) - quiet;
		for (let px = 0; px < side; px++) {
			const mx = Math.floor(px / scale) - quiet;
			if (mx >= 0 && my >= 0 && mx < modules && my < modules && dark(mx, my)) raw[py * (side + 1) + 1 + px] = 0;
		}
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(side, 0);
	ihdr.writeUInt32BE(side, 4);
	ihdr.set([8, 0, 0, 0, 0], 8); // bit depth 8, grayscale, deflate, no filter set, no interlace
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', ihdr),
		pngChunk('IDAT', zlib.deflateSync(raw)),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

/** @param {http.IncomingMessage} req @returns {Promise<string>} */
function readBody(req) {
	return new Promise((resolve, reject) => {
		/** @type {Buffer[]} */
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/** @param {string} method @param {unknown} perSecond @returns {number|null} */
function checkRateLimit(method, perSecond) {
	if (!Object.hasOwn(METHODS, method)) throw adminError(400, `unknown method ${method}`);
	if (perSecond === null || (typeof perSecond === 'number' && Number.isInteger(perSecond) && perSecond >= 0)) return perSecond;
	throw adminError(400, `rate limit of ${method}: an integer >= 0 (requests per second) or null (none)`);
}

/** An error whose `status` the admin interface answers with. @param {number} status @param {string} message */
function adminError(status, message) {
	return Object.assign(new Error(message), { status });
}

/**
 * Starts a sandbox. Resolves once it listens.
 * @param {SandboxOptions} [options]
 * @returns {Promise<Sandbox>}
 */
async function startSandbox(options = {}) {
	const config = { ...DEFAULTS, ...options, rateLimits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits } };
	if (config.errorStyle !== 'json' && config.errorStyle !== 'text') throw new Error("errorStyle must be 'json' or 'text'");
	for (const [method, perSecond] of Object.entries(config.rateLimits)) checkRateLimit(method, perSecond);

	// What admin calls change; reset() puts it back.
	let latency = { ms: config.latencyMs, jitterMs: config.latencyJitterMs };
	/** @type {Record<string, number|null>} */
	let rateLimits = { ...config.rateLimits };
	/** @type {Map<string, Instance>} */
	const instances = new Map();
	/** @type {(Fault & { remaining: number })[]} */
	let faults = [];
	/** @type {Map<string, number[]>} accepted request times of the last second, per instance+method */
	const windows = new Map();
	let inFlight = 0;
	let stats = emptyStats();
	let closed = false;
	/** @type {Set<{ timer: NodeJS.Timeout, resolve: () => void }>} waits that close() must end */
	const waits = new Set();
	/** @type {Set<import('net').Socket>} */
	const sockets = new Set();
	/** @type {Map<string, { slot: number, base64: string }>} */
	const qrCache = new Map();

	/** @returns {Stats} */
	function emptyStats() {
		return { total: 0, byStatus: {}, byMethod: {}, byInstance: {}, inFlight, maxConcurrent: inFlight, firstAt: null, lastAt: null, arrivals: {} };
	}

	/** @param {Record<string, Bucket>} map @param {string} key @returns {Bucket} */
	function bucket(map, key) {
		return (map[key] ??= { requests: 0, ok: 0, rateLimited: 0, faults: 0, byStatus: {} });
	}

	/** @param {number} ms @returns {Promise<void>} */
	function sleep(ms) {
		return new Promise((resolve) => {
			const wait = { resolve, timer: setTimeout(() => (waits.delete(wait), resolve()), ms) };
			waits.add(wait);
		});
	}

	/** @param {string} message @returns {Answer} */
	function badRequest(message) {
		return config.errorStyle === 'text' ? text(400, message) : json(400, { message });
	}

	/** @param {string|number} id @returns {Instance} */
	function getInstance(id) {
		const inst = instances.get(String(id));
		if (!inst) throw adminError(404, `no instance ${id}`);
		return inst;
	}

	/** @param {Instance} inst */
	function cancelReboot(inst) {
		if (inst.reboot) clearTimeout(inst.reboot.timer);
		inst.reboot = null;
	}

	// Any explicit state change wins over a reboot still in progress.
	/** @param {Instance} inst @param {string|null} state */
	function changeState(inst, state) {
		cancelReboot(inst);
		inst.state = state;
	}

	/** @param {unknown} state */
	function checkState(state) {
		if (state !== null && typeof state !== 'string') throw adminError(400, 'a state is a string or null');
		return state;
	}

	/** @param {Instance} inst @returns {InstanceView} */
	function view(inst) {
		return {
			idInstance: inst.id,
			apiTokenInstance: inst.token,
			stateInstance: inst.state,
			script: [...inst.script],
			rebooting: inst.reboot !== null,
			checkWhatsappQuota: inst.quota,
			checkWhatsappUsed: inst.used,
			phone: inst.phone,
			knownNumbers: [...inst.knownNumbers],
			unbanStatus: inst.unbanStatus,
		};
	}

	/** @param {InstanceDef} def @returns {InstanceView} */
	function addInstance(def) {
		if (!def || !/^\d{1,10}$/.test(String(def.idInstance))) throw adminError(400, 'idInstance must be 1 to 10 digits');
		if (typeof def.apiTokenInstance !== 'string' || !/^[^/?#\s]+$/.test(def.apiTokenInstance)) {
			throw adminError(400, 'apiTokenInstance must be a non-empty string usable in a URL path');
		}
		// null is a real state ("still being created"), so only undefined takes the default.
		const state = def.stateInstance === undefined ? INSTANCE_DEFAULTS.stateInstance : checkState(def.stateInstance);
		const quota = Number(def.checkWhatsappQuota ?? INSTANCE_DEFAULTS.checkWhatsappQuota);
		if (!(quota >= 0)) throw adminError(400, 'checkWhatsappQuota must be a number >= 0');
		const phone = String(def.phone ?? INSTANCE_DEFAULTS.phone);
		const id = String(def.idInstance);
		const old = instances.get(id);
		if (old) cancelReboot(old);
		/** @type {Instance} */
		const inst = {
			id,
			token: def.apiTokenInstance,
			initialState: state,
			state,
			script: [],
			reboot: null,
			quota,
			used: 0,
			phone,
			knownNumbers: (def.knownNumbers ?? [phone]).map(String),
			unbanStatus: String(def.unbanStatus ?? INSTANCE_DEFAULTS.unbanStatus),
		};
		instances.set(id, inst);
		return view(inst);
	}

	/** @param {Fault} fault */
	function injectFault(fault) {
		const f = { ...fault, count: fault?.count ?? 1 };
		if (!FAULT_KINDS.includes(f.kind)) throw adminError(400, `kind must be one of ${FAULT_KINDS.join(', ')}`);
		if (f.method !== undefined && !Object.hasOwn(METHODS, f.method)) throw adminError(400, `unknown method ${f.method}`);
		if (!Number.isInteger(f.count) || f.count < 1) throw adminError(400, 'count must be an integer >= 1');
		if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 100 && f.status <= 599)) {
			throw adminError(400, 'status must be an HTTP status code');
		}
		const idInstance = f.idInstance === undefined || f.idInstance === null ? undefined : String(f.idInstance);
		faults.push({ ...f, idInstance, remaining: f.count });
	}

	/** Takes one use of the first queued fault matching this request. @param {string} id @param {string} method */
	function takeFault(id, method) {
		if (faults.length === 0) return null;
		const i = faults.findIndex((f) => (f.idInstance === undefined || f.idInstance === id) && (f.method === undefined || f.method === method));
		if (i < 0) return null;
		const fault = faults[i];
		if (--fault.remaining === 0) faults.splice(i, 1);
		return fault;
	}

	/** @param {Fault} fault @returns {Answer} */
	function faultAnswer(fault) {
		switch (fault.kind) {
			case 'status': {
				const status = fault.status ?? 500;
				if (fault.body === undefined) return text(status, http.STATUS_CODES[status] ?? 'Error');
				return typeof fault.body === 'string' ? text(status, fault.body) : json(status, fault.body);
			}
			case 'html':
				return { status: fault.status ?? 502, type: 'text/html', body: HTML_502 };
			case 'empty':
				return { status: 200, type: 'application/json', body: '' };
			case 'null':
				return json(200, null);
			default:
				return DROP;
		}
	}

	/**
	 * Sliding window over accepted requests: refused requests do not count, so a client that
	 * keeps hammering still gets through once the window has room.
	 * @param {string} id @param {string} method
	 */
	function admit(id, method) {
		const t = now();
		const limit = rateLimits[method];
		if (limit !== null && limit !== undefined) {
			const key = `${id} ${method}`;
			let times = windows.get(key);
			if (!times) windows.set(key, (times = []));
			while (times.length > 0 && times[0] <= t - RATE_WINDOW_MS) times.shift();
			if (times.length >= limit) return false;
			times.push(t);
		}
		const arrivals = (stats.arrivals[method] ??= []);
		if (arrivals.length < MAX_ARRIVALS) arrivals.push(t);
		return true;
	}

	/** @param {Instance} inst @returns {Answer|null} */
	function refuseUnlessAuthorized(inst) {
		if (inst.state === 'authorized') return null;
		return badRequest(inst.state === 'starting' ? 'instance in starting process try later' : 'instance account not authorized');
	}

	/** The methods themselves, called once the request passed auth, faults and rate limits. @type {Record<string, (inst: Instance, body: any) => Answer>} */
	const handlers = {
		getStateInstance(inst) {
			if (inst.script.length > 0) changeState(inst, /** @type {string|null} */ (inst.script.shift()));
			return json(200, inst.state === null ? null : { stateInstance: inst.state });
		},
		checkWhatsapp(inst, body) {
			const phone = parsePhone(body.phoneNumber);
			if (phone.error !== undefined) return badRequest(phone.error);
			const refusal = refuseUnlessAuthorized(inst);
			if (refusal) return refusal;
			if (inst.used >= inst.quota) {
				const description = 'Monthly quota has been exceeded. To continue, upgrade your tariff plan.';
				return json(466, { invokeStatus: { method: 'checkwhatsapp', used: inst.used, total: inst.quota, status: 'QUOTE_EXCEEDED', description } });
			}
			inst.used++;
			// Deterministic so tests can predict it: a number ending in 0 has no WhatsApp.
			return json(200, { existsWhatsapp: !phone.digits.endsWith('0') });
		},
		unban(inst, body) {
			const phone = parsePhone(body.phoneNumber);
			if (phone.error !== undefined) return badRequest(phone.error);
			if (typeof body.description !== 'string' || body.description.trim() === '') return badRequest('Bad Request Validation failed');
			if (!inst.knownNumbers.includes(phone.digits)) return badRequest('phone number was not connected to this instance');
			if (inst.unbanStatus === 'UNBANNED' && inst.state === 'blocked') changeState(inst, 'authorized');
			return json(200, { status: inst.unbanStatus, reason: '' });
		},
		reboot(inst) {
			// A second reboot during the first must still come back to the state before the first.
			const back = inst.reboot ? inst.reboot.back : inst.state;
			cancelReboot(inst);
			inst.state = 'starting';
			const timer = setTimeout(() => {
				inst.reboot = null;
				inst.state = back;
			}, config.rebootMs);
			timer.unref(); // a pending reboot must not keep a test process alive
			inst.reboot = { timer, back };
			return json(200, { isReboot: true });
		},
		logout(inst) {
			changeState(inst, 'notAuthorized');
			return json(200, { isLogout: true });
		},
		qr(inst) {
			if (inst.state === 'authorized') return json(200, { type: 'alreadyLogged', message: 'instance account already authorized' });
			if (inst.state !== 'notAuthorized') return json(200, { type: 'error', message: `instance in ${inst.state} state` });
			// Same image within a 20 s slot, like the real QR; cached because PNG encoding is the costliest thing here.
			const slot = Math.floor(Date.now() / QR_REFRESH_MS);
			let cached = qrCache.get(inst.id);
			if (!cached || cached.slot !== slot) qrCache.set(inst.id, (cached = { slot, base64: qrPng(`${inst.id}:${slot}`).toString('base64') }));
			return json(200, { type: 'qrCode', message: cached.base64 });
		},
		getWaSettings(inst) {
			const linked = inst.state === 'authorized';
			return json(200, {
				avatar: linked ? `https://pps.whatsapp.sandbox.invalid/${inst.id}/avatar.jpg` : '',
				phone: linked ? inst.phone : '',
				stateInstance: inst.state,
				deviceId: linked ? `sandbox-device-${inst.id}` : '',
			});
		},
	};

	/**
	 * Decides the answer to an API request, in GREEN-API's order of checks.
	 * @param {http.IncomingMessage} req
	 * @param {RegExpExecArray|null} parts
	 * @param {string|null} method
	 * @param {Instance|undefined} inst
	 * @returns {Promise<Answer>}
	 */
	async function decide(req, parts, method, inst) {
		if (!parts || !method) return text(404, 'Not Found');
		if (!inst) return text(403, 'Forbidden');
		if (parts[3] !== inst.token) return text(401, 'Unauthorized');
		if (req.method !== METHODS[method]) return text(404, 'Not Found');
		const fault = takeFault(inst.id, method);
		if (fault) {
			bucket(stats.byMethod, method).faults++;
			bucket(stats.byInstance, inst.id).faults++;
			if (fault.kind !== 'delay') return faultAnswer(fault);
			await sleep(fault.delayMs ?? 60000);
			if (closed) return DROP;
		}
		if (!admit(inst.id, method)) {
			bucket(stats.byMethod, method).rateLimited++;
			bucket(stats.byInstance, inst.id).rateLimited++;
			const headers = typeof config.retryAfter === 'number' ? { 'Retry-After': String(config.retryAfter) } : undefined;
			return { ...text(429, 'Too Many Requests'), headers };
		}
		let body = {};
		if (METHODS[method] === 'POST') {
			try {
				body = JSON.parse(await readBody(req)) ?? {};
			} catch (err) {
				return badRequest(err.message);
			}
		}
		return handlers[method](inst, body);
	}

	/** @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {string} path */
	async function handleApi(req, res, path) {
		const arrivedAt = Date.now();
		stats.total++;
		stats.firstAt ??= arrivedAt;
		stats.lastAt = arrivedAt;
		inFlight++;
		if (inFlight > stats.maxConcurrent) stats.maxConcurrent = inFlight;
		stats.inFlight = inFlight;
		let clientGone = false; // 'close' before we answer means the client left (a timeout, usually)
		res.once('close', () => {
			clientGone = true;
			stats.inFlight = --inFlight;
		});

		const parts = /^\/waInstance([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
		const method = parts && Object.hasOwn(METHODS, parts[2]) ? parts[2] : null;
		const inst = parts && method ? instances.get(parts[1]) : undefined;
		if (method) bucket(stats.byMethod, method).requests++;
		if (inst) bucket(stats.byInstance, inst.id).requests++;

		const answer = await decide(req, parts, method, inst);
		const wait = latency.ms + (Math.random() * 2 - 1) * latency.jitterMs;
		if (wait > 0 && !closed) await sleep(wait);
		if (closed) return; // close() destroys the socket itself

		const status = 'drop' in answer ? 'dropped' : clientGone ? '499' : String(answer.status);
		stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
		for (const b of [method && bucket(stats.byMethod, method), inst && bucket(stats.byInstance, inst.id)]) {
			if (!b) continue;
			b.byStatus[status] = (b.byStatus[status] ?? 0) + 1;
			if (status.startsWith('2')) b.ok++;
		}
		if ('drop' in answer) return void req.socket.destroy();
		if (clientGone) return;
		res.writeHead(answer.status, { 'Content-Type': answer.type, 'Content-Length': Buffer.byteLength(answer.body), ...answer.headers });
		res.end(answer.body);
	}

	/**
	 * The admin interface: JSON in and out, no auth, not counted in stats, no latency.
	 * @param {string} route e.g. 'POST /admin/faults'
	 * @param {any} body
	 * @returns {unknown} undefined for an unknown route
	 */
	function adminRoute(route, body) {
		const m = /^POST \/admin\/instances\/([^/]+)\/(state|script)$/.exec(route);
		if (m && m[2] === 'state') {
			if (!body || !('stateInstance' in body)) throw adminError(400, 'body must be {"stateInstance": string|null}');
			return sandbox.setState(m[1], body.stateInstance);
		}
		if (m) return sandbox.scriptStates(m[1], body?.states);
		switch (route) {
			case 'GET /admin/instances':
				return sandbox.listInstances();
			case 'POST /admin/instances':
				return sandbox.addInstance(body);
			case 'POST /admin/faults':
				sandbox.injectFault(body);
				return { queued: faults.map(({ remaining, ...f }) => ({ ...f, count: remaining })) };
			case 'POST /admin/latency':
				sandbox.setLatency(body?.ms, body?.jitterMs);
				return latency;
			case 'POST /admin/rate-limits':
				for (const [method, perSecond] of Object.entries(body ?? {})) sandbox.setRateLimit(method, perSecond);
				return rateLimits;
			case 'GET /admin/stats':
				return sandbox.stats();
			case 'POST /admin/stats/reset':
				sandbox.resetStats();
				return { ok: true };
			case 'POST /admin/reset':
				sandbox.reset();
				return { ok: true };
			default:
				return undefined;
		}
	}

	/** @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {string} path */
	async function handleAdmin(req, res, path) {
		/** @param {number} status @param {unknown} value */
		const send = (status, value) => {
			const a = json(status, value);
			res.writeHead(a.status, { 'Content-Type': a.type, 'Content-Length': Buffer.byteLength(a.body) });
			res.end(a.body);
		};
		let body;
		try {
			const raw = req.method === 'POST' ? await readBody(req) : '';
			body = raw ? JSON.parse(raw) : undefined;
		} catch {
			return send(400, { error: 'body is not JSON' });
		}
		try {
			const result = adminRoute(`${req.method} ${path.replace(/\/+$/, '')}`, body);
			send(result === undefined ? 404 : 200, result === undefined ? { error: 'Not Found' } : result);
		} catch (err) {
			send(Number(err.status) || 500, { error: err.message });
		}
	}

	const server = http.createServer((req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		const handle = path === '/admin' || path.startsWith('/admin/') ? handleAdmin : handleApi;
		handle(req, res, path).catch((err) => {
			if (res.headersSent || res.destroyed) return;
			res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
			res.end(`sandbox error: ${err.message}`);
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});

	for (const def of config.instances ?? []) addInstance(def);
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => resolve(undefined));
	});
	const port = /** @type {import('net').AddressInfo} */ (server.address()).port;
	/** @type {Promise<void>|null} */
	let closing = null;

	/** @type {Sandbox} */
	const sandbox = {
		url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
		port,
		close() {
			if (closing) return closing;
			closed = true;
			for (const wait of waits) {
				clearTimeout(wait.timer);
				wait.resolve();
			}
			waits.clear();
			for (const inst of instances.values()) cancelReboot(inst);
			closing = new Promise((resolve) => server.close(() => resolve()));
			for (const socket of sockets) socket.destroy();
			return closing;
		},
		addInstance,
		listInstances: () => [...instances.values()].map(view),
		setState(id, state) {
			const inst = getInstance(id);
			changeState(inst, checkState(state));
			inst.script = [];
			return view(inst);
		},
		scriptStates(id, states) {
			const inst = getInstance(id);
			if (!Array.isArray(states)) throw adminError(400, 'states must be an array');
			inst.script = states.map(checkState);
			return view(inst);
		},
		injectFault,
		setLatency(ms, jitterMs = 0) {
			if (!(ms >= 0) || !(jitterMs >= 0)) throw adminError(400, 'ms and jitterMs must be numbers >= 0');
			latency = { ms, jitterMs };
		},
		setRateLimit(method, perSecond) {
			rateLimits[method] = checkRateLimit(method, perSecond);
		},
		stats: () => structuredClone(stats),
		resetStats() {
			stats = emptyStats();
		},
		reset() {
			faults = [];
			windows.clear();
			stats = emptyStats();
			latency = { ms: config.latencyMs, jitterMs: config.latencyJitterMs };
			rateLimits = { ...config.rateLimits };
			for (const inst of instances.values()) {
				changeState(inst, inst.initialState);
				inst.script = [];
				inst.used = 0;
			}
		},
	};
	return sandbox;
}

module.exports = { startSandbox, DEFAULTS, DEFAULT_RATE_LIMITS, INSTANCE_DEFAULTS, METHODS };
