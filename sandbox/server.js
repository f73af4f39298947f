'use strict';
/**
 * GREEN-API sandbox: a local HTTP server that answers like GREEN-API for the methods this package
 * uses, plus an admin interface to script states, fill the outgoing queue, inject faults and read
 * statistics. Tests, the benchmark and the demo run against it because the real API is
 * unreachable from here. The GREEN-API facts it follows, with their sources, are in
 * docs/GREEN-API.md; sandbox/README.md lists its rules.
 *
 * Plain CommonJS with JSDoc types checked by tsc (sandbox/tsconfig.json) and no dependencies, so
 * anything can start it without a build.
 */
const http = require('http');
const zlib = require('zlib');
const crypto = require('crypto');

// The node's method table (verbs and limits), read where it is written. Jest loads TypeScript
// itself; plain node needs the hook.
if (require.extensions?.['.ts'] === undefined) require('../scripts/lib/register-ts');
/** @type {Readonly<Record<string, import('../nodes/client/api').GreenApiMethod>>} */
const NODE_METHODS = require('../nodes/GreenApi/resources/instance').METHODS;

/**
 * The demo instance: `npm run sandbox` and `npm run dev` serve it, so a credential written down
 * once (README, printed curl lines) works against either.
 */
const DEMO = Object.freeze({
	idInstance: '1101000001',
	apiTokenInstance: 'd0e1m2o380d673db4da8ab8915aab21e9fc8ae28d45725d0b5',
	stateInstance: 'authorized',
});

/**
 * What the handlers need from the running sandbox.
 * @typedef {Object} HandlerContext
 * @property {(message: string) => Reply} badRequest a 400 in the configured error style
 * @property {(inst: Instance, state: string|null) => void} changeState cancels a pending reboot; an authorized instance sends its queue
 * @property {(inst: Instance) => void} reboot
 * @property {(inst: Instance) => string} qrImage base64 PNG, the same within a 20 s slot
 * @property {(inst: Instance, messages: QueuedMessage[]) => void} enqueue queued, or sent at once by an authorized instance
 * @property {(state: string|null) => string} refusal the 400 text of a method that needs `authorized`
 * @property {number} authorizationCodeMs
 */

/**
 * A GREEN-API method as the sandbox imitates it: verb, rate limit and body fields (MethodInfo in
 * types.d.ts), and the handler that answers once auth, faults, rate limit and body passed.
 * @typedef {{ body?: BodyField[], handle: (inst: Instance, body: ValidBody, ctx: HandlerContext) => Reply }} Handler
 * @typedef {import('./types').MethodInfo & Handler} MethodSpec
 * @typedef {{ phoneNumber?: string, description?: string }} ValidBody phoneNumber as digits
 */

/** Body fields: each check answers the value to pass on, or GREEN-API's 400 text. @type {Record<BodyField, (value: unknown) => { value: string } | { error: string }>} */
const BODY_FIELDS = {
	phoneNumber: parsePhone,
	description: (value) => (typeof value === 'string' && value.trim() !== '' ? { value } : { error: 'Bad Request Validation failed' }),
};

/**
 * How the sandbox answers each method whose answer depends on the instance: body fields and the
 * handler. Verb and rate limit come from the node's method table. A method of that table with no
 * handler here answers what the instance's `answers` setting holds for it (`{}` by default), so
 * a read-only method needs nothing here.
 * @type {Readonly<Record<string, Handler>>}
 */
const HANDLERS = Object.freeze({
	getStateInstance: {
		handle(inst, _body, ctx) {
			if (inst.script.length > 0) ctx.changeState(inst, /** @type {string|null} */ (inst.script.shift()));
			return json(200, inst.state === null ? null : { stateInstance: inst.state });
		},
	},
	checkWhatsapp: {
		body: ['phoneNumber'],
		handle(inst, body, ctx) {
			if (inst.state !== 'authorized') return ctx.badRequest(ctx.refusal(inst.state));
			if (inst.used >= inst.checkWhatsappQuota) {
				const description = 'Monthly quota has been exceeded. To continue, upgrade your tariff plan.';
				return json(466, { invokeStatus: { method: 'checkwhatsapp', used: inst.used, total: inst.checkWhatsappQuota, status: 'QUOTE_EXCEEDED', description } });
			}
			inst.used++;
			// Deterministic so tests can predict it: a number ending in 0 has no WhatsApp.
			return json(200, { existsWhatsapp: !String(body.phoneNumber).endsWith('0') });
		},
	},
	unban: {
		body: ['phoneNumber', 'description'],
		handle(inst, body, ctx) {
			if (!inst.knownNumbers.includes(String(body.phoneNumber))) return ctx.badRequest(NOT_CONNECTED);
			if (inst.unbanStatus === 'UNBANNED' && inst.state === 'blocked') ctx.changeState(inst, 'authorized');
			inst.appealStatus = inst.unbanStatus; // the appeal is on record: unbanStatus answers it from now on
			return json(200, { status: inst.unbanStatus, reason: '' });
		},
	},
	unbanStatus: {
		body: ['phoneNumber'],
		handle(inst, body, ctx) {
			if (!inst.knownNumbers.includes(String(body.phoneNumber))) return ctx.badRequest(NOT_CONNECTED);
			return json(200, { status: inst.appealStatus, reason: '' });
		},
	},
	reboot: {
		handle(inst, _body, ctx) {
			ctx.reboot(inst);
			return json(200, { isReboot: true });
		},
	},
	logout: {
		handle(inst, _body, ctx) {
			ctx.changeState(inst, 'notAuthorized');
			return json(200, { isLogout: true });
		},
	},
	qr: {
		handle(inst, _body, ctx) {
			if (inst.state === 'authorized') return json(200, { type: 'alreadyLogged', message: ALREADY_AUTHORIZED });
			if (inst.state !== 'notAuthorized') return json(200, { type: 'error', message: `instance in ${inst.state} state` });
			return json(200, { type: 'qrCode', message: ctx.qrImage(inst) });
		},
	},
	getWaSettings: {
		handle(inst) {
			const linked = inst.state === 'authorized';
			return json(200, {
				avatar: linked ? `https://pps.whatsapp.sandbox.invalid/${inst.id}/avatar.jpg` : '',
				phone: linked ? inst.phone : '',
				stateInstance: inst.state,
				deviceId: linked ? `sandbox-device-${inst.id}` : '',
			});
		},
	},
	getAuthorizationCode: {
		body: ['phoneNumber'],
		handle(inst, body, ctx) {
			// GREEN-API: "the instance must be in an unauthorized state; if it is authorized, log out
			// first". What it answers otherwise is not documented: we chose a 400 with the words of
			// qr's alreadyLogged answer, and the starting text while the instance starts.
			if (inst.state === 'starting' || inst.state === null) return ctx.badRequest(ctx.refusal('starting'));
			if (inst.state !== 'notAuthorized') return ctx.badRequest(ALREADY_AUTHORIZED);
			if (!inst.authorizationCodeStatus) return json(200, { status: false, code: '' });
			const phoneNumber = String(body.phoneNumber);
			const code = linkCode(`${inst.id}:${phoneNumber}:${++inst.codesIssued}`);
			inst.authorizationCode = { code, phoneNumber, expiresAt: Date.now() + ctx.authorizationCodeMs };
			return json(200, { status: true, code });
		},
	},
	getMessagesCount: {
		handle(inst, _body, ctx) {
			// queueGrowth stands for the owner's own traffic between two looks, so a test can make
			// the queue grow one step per request, independent of timing.
			if (inst.queueGrowth > 0) ctx.enqueue(inst, makeMessages(inst, inst.queueGrowth));
			return json(200, { [inst.countKey]: inst.queue.length });
		},
	},
	showMessagesQueue: {
		handle(inst) {
			return json(200, inst.queue.slice(0, SHOW_QUEUE_MAX));
		},
	},
});

/** The handler of a method that has none of its own: the instance's `answers` setting. @param {string} method @returns {Handler} */
function answerSetting(method) {
	return { handle: (inst) => json(200, Object.hasOwn(inst.answers, method) ? inst.answers[method] : {}) };
}

/** Every method the sandbox knows: the node's, with verb, limit, body fields and handler. @type {Readonly<Record<string, MethodSpec>>} */
const METHOD_TABLE = Object.freeze(
	Object.fromEntries(
		Object.values(NODE_METHODS).map((m) => [
			m.name,
			{ verb: /** @type {'GET'|'POST'} */ (m.verb), perSecond: m.perSecond, publishedLimit: m.published, ...(HANDLERS[m.name] ?? answerSetting(m.name)) },
		]),
	),
);

/** HTTP verb of each method (also the list of known methods). @type {Readonly<Record<string, 'GET'|'POST'>>} */
const METHODS = Object.freeze(Object.fromEntries(Object.entries(METHOD_TABLE).map(([name, spec]) => [name, spec.verb])));

/** Requests per second per instance: the node's pace, which is GREEN-API's published limit where there is one. @type {Readonly<Record<string, number|null>>} */
const DEFAULT_RATE_LIMITS = Object.freeze(Object.fromEntries(Object.entries(METHOD_TABLE).map(([name, spec]) => [name, spec.perSecond])));

/**
 * The 400 text of a method that needs an `authorized` instance (checkWhatsapp), per state.
 * notAuthorized and starting as GREEN-API documents them; yellowCard as the real API answered
 * checkWhatsapp, although a yellowCard instance is still linked. Any other state
 * (blocked, sleepMode, null, unknown) gets the not-authorized text: not observed, our choice.
 * The `refusals` option of startSandbox overrides entries (key 'null' for the null state).
 * @type {Readonly<Record<string, string>>}
 */
const STATE_REFUSALS = Object.freeze({
	notAuthorized: 'instance account not authorized',
	starting: 'instance in starting process try later',
	yellowCard: 'instance account not authorized',
});
const REFUSAL_OTHERWISE = 'instance account not authorized';
const ALREADY_AUTHORIZED = 'instance account already authorized';
const NOT_CONNECTED = 'phone number was not connected to this instance';

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
	authorizationCodeMs: 150000, // GREEN-API: a link code is valid about 2.5 minutes
	/** @type {Readonly<Record<string, string>>} */
	refusals: STATE_REFUSALS,
	// performance.now() is monotonic; adding timeOrigin gives epoch ms that the rate window can trust.
	now: () => performance.timeOrigin + performance.now(),
});

/** GREEN-API's WhatsApp examples spell the count key with a Cyrillic "с" (U+0441); other products' docs use "count". */
const COUNT_KEYS = /** @type {readonly CountKey[]} */ (Object.freeze(['\u0441ount', 'count']));

/** @param {string} name @returns {(value: unknown) => number} */
const count = (name) => (value) => {
	if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
	throw adminError(400, `${name} must be an integer >= 0`);
};
/** @param {string} name @returns {(value: unknown) => string} */
const string = (name) => (value) => {
	if (typeof value === 'string') return value;
	throw adminError(400, `${name} must be a string`);
};

/**
 * The per-instance settings, each declared once here (their meaning: InstanceSettings in
 * types.d.ts): default and check. An instance definition and updateInstance carry them, the
 * instance keeps them under these names, reset() goes back to the definition's, and
 * getInstance shows them. `knownNumbers` defaults to the instance's phone.
 * @type {{ [K in keyof InstanceSettings]: { default: InstanceSettings[K] | null, check: (value: unknown) => InstanceSettings[K] } }}
 */
const SETTINGS = {
	checkWhatsappQuota: { default: 30000, check: (value) => count('checkWhatsappQuota')(Number(value)) },
	phone: { default: '79001234567', check: String },
	knownNumbers: {
		default: null,
		check: (value) => {
			if (!Array.isArray(value)) throw adminError(400, 'knownNumbers must be an array');
			return value.map(String);
		},
	},
	unbanStatus: { default: 'UNBANNED', check: string('unbanStatus') },
	appealStatus: { default: 'NO_APPEAL_OPEN', check: string('appealStatus') },
	authorizationCodeStatus: {
		default: true,
		check: (value) => {
			if (typeof value !== 'boolean') throw adminError(400, 'authorizationCodeStatus must be true or false');
			return value;
		},
	},
	countKey: {
		default: COUNT_KEYS[0],
		check: (value) => {
			if (!COUNT_KEYS.includes(/** @type {CountKey} */ (value))) throw adminError(400, `countKey must be "count" or "\\u0441ount" (Cyrillic с)`);
			return /** @type {CountKey} */ (value);
		},
	},
	queueGrowth: { default: 0, check: count('queueGrowth') },
	answers: {
		default: {},
		check: (value) => {
			if (!value || typeof value !== 'object' || Array.isArray(value)) throw adminError(400, 'answers must be an object: method name -> answer');
			const unknown = Object.keys(value).filter((method) => !Object.hasOwn(METHOD_TABLE, method));
			if (unknown.length > 0) throw adminError(400, `answers: unknown method ${unknown.join(', ')}`);
			return /** @type {Record<string, unknown>} */ (structuredClone(value));
		},
	},
};
const SETTING_NAMES = /** @type {Array<keyof InstanceSettings>} */ (Object.keys(SETTINGS));
const DEFAULT_STATE = 'authorized';

const FAULT_KINDS = ['status', 'html', 'empty', 'null', 'delay', 'drop'];
const RATE_WINDOW_MS = 1000;
const MAX_ARRIVALS = 100000;
const SHOW_QUEUE_MAX = 500; // GREEN-API: showMessagesQueue returns the first 500 messages
const QR_REFRESH_MS = 20000; // GREEN-API's QR code changes every 20 s
const HTML_502 =
	'<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

/**
 * @typedef {import('./types').InstanceDef} InstanceDef
 * @typedef {import('./types').InstancePatch} InstancePatch
 * @typedef {import('./types').MessageDef} MessageDef
 * @typedef {import('./types').QueuedMessage} QueuedMessage
 * @typedef {import('./types').Fault} Fault
 * @typedef {import('./types').SandboxOptions} SandboxOptions
 * @typedef {import('./types').InstanceView} InstanceView
 * @typedef {import('./types').Bucket} Bucket
 * @typedef {import('./types').Stats} Stats
 * @typedef {import('./types').Sandbox} Sandbox
 * @typedef {import('./types').CountKey} CountKey
 * @typedef {import('./types').BodyField} BodyField
 *
 * @typedef {{ status: number, type: string, body: string, headers?: Record<string, string> }} Reply
 * @typedef {Reply | { drop: true }} Answer drop = destroy the socket without answering
 *
 * @typedef {import('./types').InstanceSettings} InstanceSettings
 *
 * An instance: its settings (SETTINGS) and what its requests have done since the last reset.
 * @typedef {InstanceSettings & InstanceRun} Instance
 * @typedef {Object} InstanceRun
 * @property {string} id
 * @property {string} token
 * @property {InstanceSettings & { stateInstance: string|null, queue: QueuedMessage[] }} def what reset() goes back to
 * @property {string|null} state
 * @property {(string|null)[]} script
 * @property {{ timer: NodeJS.Timeout, back: string|null } | null} reboot
 * @property {number} used checkWhatsapp calls that counted against the quota
 * @property {import('./types').AuthorizationCode | null} authorizationCode
 * @property {number} codesIssued
 * @property {QueuedMessage[]} queue
 * @property {number} sent
 * @property {number} messageSeq ids of generated messages
 */

/** @type {Answer} */
const DROP = { drop: true };

/** @param {number} status @param {string} body @returns {Reply} */
const text = (status, body) => ({ status, type: 'text/plain; charset=utf-8', body });
/** @param {number} status @param {unknown} value @returns {Reply} */
const json = (status, value) => ({ status, type: 'application/json', body: JSON.stringify(value) });

/**
 * GREEN-API documents an integer; a numeric string is accepted too, as the real API seems to.
 * @param {unknown} value
 * @returns {{ value: string } | { error: string }}
 */
function parsePhone(value) {
	const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
	if (!/^\d+$/.test(s)) return { error: "Wrong format. 'phoneNumber' must contain only digits" };
	if (s.length < 11 || s.length > 16) return { error: 'bad phone number, valid from 11 to 16 digits' };
	return { value: s };
}

/** An 8-character code of capitals and digits, like GREEN-API's example "GAPI2015". @param {string} seed */
function linkCode(seed) {
	const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
	return [...crypto.createHash('sha256').update(seed).digest().subarray(0, 8)].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * Messages for the outgoing queue, shaped as showMessagesQueue answers them.
 * @param {Instance} inst
 * @param {number|MessageDef[]} messages a count of generated messages, or the messages
 * @returns {QueuedMessage[]}
 */
function makeMessages(inst, messages) {
	/** @type {MessageDef[]} */
	const defs = typeof messages === 'number' ? Array.from({ length: messages }, () => ({})) : messages;
	return defs.map((m) => {
		const n = ++inst.messageSeq;
		return {
			messageID: m.messageID ?? `BAE5${inst.id.padStart(10, '0')}${n.toString(16).toUpperCase().padStart(6, '0')}`,
			type: m.type ?? 'sendMessage',
			body: { chatId: m.chatId ?? `${inst.phone}@c.us`, message: m.message ?? `Queued message ${n}` },
		};
	});
}

/** @param {unknown} messages @returns {number|MessageDef[]} */
function checkMessages(messages) {
	if (typeof messages === 'number' && Number.isInteger(messages) && messages >= 0) return messages;
	if (Array.isArray(messages) && messages.every((m) => m !== null && typeof m === 'object' && !Array.isArray(m))) return messages;
	throw adminError(400, 'messages: an integer >= 0 (how many to generate) or an array of {chatId?, message?, type?, messageID?}');
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
	if (!Object.hasOwn(METHOD_TABLE, method)) throw adminError(400, `unknown method ${method}`);
	if (perSecond === null || (typeof perSecond === 'number' && Number.isInteger(perSecond) && perSecond >= 0)) return perSecond;
	throw adminError(400, `rate limit of ${method}: an integer >= 0 (requests per second) or null (none)`);
}

/** An error whose `status` the admin interface answers with. @param {number} status @param {string} message */
function adminError(status, message) {
	return Object.assign(new Error(message), { status });
}

/** @param {unknown} state @returns {string|null} */
function checkState(state) {
	if (state !== null && typeof state !== 'string') throw adminError(400, 'a state is a string or null');
	return state;
}

/**
 * Checks the settings a definition or updateInstance carries; absent ones stay absent.
 * @param {Record<string, unknown>} patch
 * @returns {Partial<InstanceSettings>}
 */
function checkSettings(patch) {
	/** @type {Record<string, unknown>} */
	const out = {};
	for (const name of SETTING_NAMES) if (patch[name] !== undefined) out[name] = SETTINGS[name].check(patch[name]);
	return /** @type {Partial<InstanceSettings>} */ (out);
}

/**
 * Starts a sandbox. Resolves once it listens.
 * @param {SandboxOptions} [options]
 * @returns {Promise<Sandbox>}
 */
async function startSandbox(options = {}) {
	const config = {
		...DEFAULTS,
		...options,
		rateLimits: Object.fromEntries(
			Object.entries({ ...DEFAULT_RATE_LIMITS, ...options.rateLimits }).map(([method, perSecond]) => [method, checkRateLimit(method, perSecond)]),
		),
		refusals: { ...STATE_REFUSALS, ...options.refusals },
	};
	if (config.errorStyle !== 'json' && config.errorStyle !== 'text') throw new Error("errorStyle must be 'json' or 'text'");

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
			/** @type {{ timer: NodeJS.Timeout, resolve: () => void }} */
			const wait = { resolve, timer: setTimeout(() => (waits.delete(wait), resolve()), ms) };
			waits.add(wait);
		});
	}

	/** @param {string} message @returns {Reply} */
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

	/**
	 * Messages are sent only while the instance is authorized (GREEN-API keeps them 24 h
	 * otherwise): an authorized instance sends its whole queue at once.
	 * @param {Instance} inst
	 */
	function sendQueue(inst) {
		if (inst.state !== 'authorized') return;
		inst.sent += inst.queue.length;
		inst.queue = [];
	}

	/** @param {Instance} inst @param {string|null} state */
	function enterState(inst, state) {
		inst.state = state;
		sendQueue(inst);
	}

	// Any explicit state change wins over a reboot still in progress.
	/** @param {Instance} inst @param {string|null} state */
	function changeState(inst, state) {
		cancelReboot(inst);
		enterState(inst, state);
	}

	/** @param {Instance} inst */
	function reboot(inst) {
		// A second reboot during the first must still come back to the state before the first.
		const back = inst.reboot ? inst.reboot.back : inst.state;
		cancelReboot(inst);
		inst.state = 'starting';
		const timer = setTimeout(() => {
			inst.reboot = null;
			enterState(inst, back);
		}, config.rebootMs);
		timer.unref(); // a pending reboot must not keep a test process alive
		inst.reboot = { timer, back };
	}

	/** @param {Instance} inst @param {QueuedMessage[]} messages */
	function enqueue(inst, messages) {
		inst.queue.push(...messages);
		sendQueue(inst);
	}

	/** @type {HandlerContext} */
	const ctx = {
		badRequest,
		changeState,
		reboot,
		enqueue,
		refusal: (state) => config.refusals[String(state)] ?? REFUSAL_OTHERWISE,
		authorizationCodeMs: config.authorizationCodeMs,
		qrImage(inst) {
			// Same image within a 20 s slot, like the real QR; cached because PNG encoding is the costliest thing here.
			const slot = Math.floor(Date.now() / QR_REFRESH_MS);
			let cached = qrCache.get(inst.id);
			if (!cached || cached.slot !== slot) qrCache.set(inst.id, (cached = { slot, base64: qrPng(`${inst.id}:${slot}`).toString('base64') }));
			return cached.base64;
		},
	};

	/** @param {Instance} inst @returns {InstanceView} */
	function view(inst) {
		return {
			idInstance: inst.id,
			apiTokenInstance: inst.token,
			stateInstance: inst.state,
			script: [...inst.script],
			rebooting: inst.reboot !== null,
			...structuredClone(settingsOf(inst)),
			checkWhatsappUsed: inst.used,
			authorizationCode: inst.authorizationCode && { ...inst.authorizationCode },
			messagesQueued: inst.queue.length,
			messagesSent: inst.sent,
		};
	}

	/** @param {InstanceSettings} from @returns {InstanceSettings} */
	function settingsOf(from) {
		return /** @type {InstanceSettings} */ (/** @type {unknown} */ (Object.fromEntries(SETTING_NAMES.map((name) => [name, from[name]]))));
	}

	/** Puts an instance back to its definition. @param {Instance} inst */
	function restore(inst) {
		const d = inst.def;
		cancelReboot(inst);
		Object.assign(inst, structuredClone(settingsOf(d)), {
			state: d.stateInstance,
			script: [],
			used: 0,
			authorizationCode: null,
			codesIssued: 0,
			queue: structuredClone(d.queue),
			messageSeq: d.queue.length,
			sent: 0,
		});
		sendQueue(inst);
	}

	/** @param {InstanceDef} def @returns {InstanceView} */
	function addInstance(def) {
		if (!def || !/^\d{1,10}$/.test(String(def.idInstance))) throw adminError(400, 'idInstance must be 1 to 10 digits');
		if (typeof def.apiTokenInstance !== 'string' || !/^[^/?#\s]+$/.test(def.apiTokenInstance)) {
			throw adminError(400, 'apiTokenInstance must be a non-empty string usable in a URL path');
		}
		const defaults = Object.fromEntries(SETTING_NAMES.map((name) => [name, SETTINGS[name].default]));
		const settings = /** @type {InstanceSettings} */ ({ ...defaults, ...checkSettings(/** @type {Record<string, unknown>} */ (/** @type {unknown} */ (def))) });
		// null is a real state ("still being created"), so only undefined takes the default.
		const stateInstance = def.stateInstance === undefined ? DEFAULT_STATE : checkState(def.stateInstance);
		const id = String(def.idInstance);
		const old = instances.get(id);
		if (old) cancelReboot(old);
		/** @type {Instance} */
		const inst = /** @type {Instance} */ ({ id, token: def.apiTokenInstance, reboot: null, messageSeq: 0 });
		inst.def = {
			...settings,
			stateInstance,
			knownNumbers: settings.knownNumbers ?? [settings.phone],
			queue: def.queue === undefined ? [] : makeMessages(inst, checkMessages(def.queue)),
		};
		restore(inst);
		instances.set(id, inst);
		return view(inst);
	}

	/** @param {Fault} fault */
	function injectFault(fault) {
		const f = { ...fault, count: fault?.count ?? 1 };
		if (!FAULT_KINDS.includes(f.kind)) throw adminError(400, `kind must be one of ${FAULT_KINDS.join(', ')}`);
		if (f.method !== undefined && !Object.hasOwn(METHOD_TABLE, f.method)) throw adminError(400, `unknown method ${f.method}`);
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
		const t = config.now();
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

	/**
	 * Parses and validates a POST body against the method's fields, in order.
	 * @param {http.IncomingMessage} req @param {MethodSpec} spec
	 * @returns {Promise<{ body: ValidBody } | { error: string }>}
	 */
	async function validBody(req, spec) {
		if (spec.verb !== 'POST') return { body: {} };
		let raw;
		try {
			raw = JSON.parse(await readBody(req)) ?? {};
		} catch (err) {
			return { error: err.message };
		}
		/** @type {ValidBody} */
		const body = {};
		for (const field of spec.body ?? []) {
			const checked = BODY_FIELDS[field](raw[field]);
			if ('error' in checked) return { error: checked.error };
			body[field] = checked.value;
		}
		return { body };
	}

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
		const spec = METHOD_TABLE[method];
		if (req.method !== spec.verb) return text(404, 'Not Found');
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
		const checked = await validBody(req, spec);
		if ('error' in checked) return badRequest(checked.error);
		return spec.handle(inst, checked.body, ctx);
	}

	/** @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {string} path */
	async function handleApi(req, res, path) {
		const arrivedAt = config.now();
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
		const method = parts && Object.hasOwn(METHOD_TABLE, parts[2]) ? parts[2] : null;
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
		const m = /^(GET|POST) \/admin\/instances\/([^/]+)(\/[a-z/]+)?$/.exec(route);
		if (m) {
			const [, verb, id, sub = ''] = m;
			switch (`${verb} ${sub}`) {
				case 'GET ':
					return sandbox.getInstance(id);
				case 'POST ':
					return sandbox.updateInstance(id, body ?? {});
				case 'POST /state':
					if (!body || !('stateInstance' in body)) throw adminError(400, 'body must be {"stateInstance": string|null}');
					return sandbox.setState(id, body.stateInstance);
				case 'POST /script':
					return sandbox.scriptStates(id, body?.states);
				case 'POST /queue':
					return sandbox.pushMessages(id, body?.messages);
				case 'POST /queue/set':
					return sandbox.setQueue(id, body?.messages);
				case 'POST /code':
					return sandbox.enterAuthorizationCode(id, body?.code);
				default:
					return undefined;
			}
		}
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
		getInstance: (id) => view(getInstance(id)),
		updateInstance(id, patch) {
			const inst = getInstance(id);
			if (patch === null || typeof patch !== 'object') throw adminError(400, 'settings must be an object');
			const unknown = Object.keys(patch).filter((key) => !Object.hasOwn(SETTINGS, key));
			if (unknown.length > 0) throw adminError(400, `not a setting: ${unknown.join(', ')} (settings: ${SETTING_NAMES.join(', ')}; the state: setState; the queue: setQueue)`);
			Object.assign(inst, checkSettings(/** @type {Record<string, unknown>} */ (patch)));
			return view(inst);
		},
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
		pushMessages(id, messages) {
			const inst = getInstance(id);
			enqueue(inst, makeMessages(inst, checkMessages(messages)));
			return view(inst);
		},
		setQueue(id, messages) {
			const inst = getInstance(id);
			inst.queue = [];
			enqueue(inst, makeMessages(inst, checkMessages(messages)));
			return view(inst);
		},
		enterAuthorizationCode(id, code) {
			const inst = getInstance(id);
			const issued = inst.authorizationCode;
			if (!issued || issued.code !== code) throw adminError(400, 'wrong code: it is not the last one getAuthorizationCode handed out');
			if (Date.now() > issued.expiresAt) throw adminError(400, 'the code has expired');
			inst.authorizationCode = null;
			inst.phone = issued.phoneNumber;
			if (!inst.knownNumbers.includes(issued.phoneNumber)) inst.knownNumbers.push(issued.phoneNumber);
			changeState(inst, 'authorized');
			inst.script = [];
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
			for (const inst of instances.values()) restore(inst);
		},
	};
	return sandbox;
}

/** Checked against types.d.ts, which the tests import: the one description of this module. @type {import('./types').SandboxModule} */
const exported = {
	startSandbox,
	DEMO,
	DEFAULTS,
	DEFAULT_RATE_LIMITS,
	METHODS,
	METHOD_TABLE,
	STATE_REFUSALS,
	COUNT_KEYS,
};
module.exports = exported;
