'use strict';
/**
 * The sandbox's partner accounts: GREEN-API's Partner API (getInstances, createInstance,
 * deleteInstanceAccount) over the sandbox's own instances, and the admin calls that build a
 * fleet. Every partner instance is a real sandbox instance (server.js answers its methods with
 * its own token); this module keeps what only the Partner API knows: owner, name, type, dates,
 * deleted and expired flags, and the host the instance answers on.
 *
 * The rules it follows, and the sandbox's own choices where GREEN-API says nothing, are in
 * sandbox/README.md ("Partner API").
 */
const crypto = require('crypto');

// The partner methods as the package declares them (nodes/client/partner.ts), as server.js reads the instance methods.
if (require.extensions?.['.ts'] === undefined) require('../scripts/lib/register-ts');
/** HTTP verb of each partner method. @type {Readonly<Record<string, 'GET'|'POST'>>} */
const PARTNER_METHODS = Object.freeze(
	Object.fromEntries(Object.values(require('../nodes/client/partner').PARTNER_METHODS).map((m) => [m.name, /** @type {'GET'|'POST'} */ (m.verb)])),
);

/** createInstance settings GREEN-API documents, by the kind of value each takes. */
const TEXT_SETTINGS = ['name', 'webhookUrl', 'webhookUrlToken'];
const YES_NO_SETTINGS = [
	'markIncomingMessagesReaded',
	'markIncomingMessagesReadedOnReply',
	'outgoingWebhook',
	'outgoingMessageWebhook',
	'outgoingAPIMessageWebhook',
	'incomingWebhook',
	'stateWebhook',
	'keepOnlineStatus',
	'pollMessageWebhook',
	'incomingCallWebhook',
	'editedMessageWebhook',
	'deletedMessageWebhook',
];
const INSTANCE_SETTINGS = Object.freeze([...TEXT_SETTINGS, 'delaySendMessagesMilliseconds', ...YES_NO_SETTINGS]);

/** 400 texts of an instance's own methods once it is gone (GREEN-API's common errors). */
const GONE = Object.freeze({ deleted: 'Instance is deleted', expired: 'Instance account is expired' });

const DAY_MS = 24 * 60 * 60 * 1000;
const PARTNER_DEFAULTS = Object.freeze({
	/** how long a new instance answers a null state (GREEN-API: up to 5 minutes) */
	creatingMs: 3000,
	/** how long a deleted instance stays in getInstances (GREEN-API: 3 months) */
	deletedListedMs: 90 * DAY_MS,
});
const MAX_BATCH = 100000;

/**
 * @typedef {import('./types').PartnerInstance} PartnerInstance
 * @typedef {import('./types').PartnerInstancesSpec} PartnerInstancesSpec
 * @typedef {{ status: number, type: string, body: string, headers?: Record<string, string> }} Reply
 *
 * @typedef {Object} Record_ what getInstances lists, plus what only the sandbox knows
 * @property {PartnerInstance} listed
 * @property {string|undefined} host the extra host it answers on (undefined: the main one)
 * @property {Record<string, string|number>} settings what createInstance was given
 *
 * @typedef {Object} Deps what the partner accounts need from the running sandbox
 * @property {(def: import('./types').InstanceDef) => unknown} addInstance
 * @property {(id: string) => boolean} hasInstance
 * @property {(id: string) => string|null} stateOf
 * @property {(id: string, state: string|null) => void} setState
 * @property {(name: string) => boolean} hasHost
 * @property {(message: string, status: number) => Error} adminError
 * @property {() => number} now epoch ms
 * @property {number} creatingMs
 * @property {number} deletedListedMs
 */

/** @param {number} status @param {unknown} value @returns {Reply} */
const json = (status, value) => ({ status, type: 'application/json', body: JSON.stringify(value) });
/** GREEN-API's partner errors: HTTP 200, the code in the body. @param {number} code @param {string} description */
const coded = (code, description) => json(200, { code, description });

/** @param {Deps} deps */
function createPartnerAccounts(deps) {
	/** partner token -> its instances by id. @type {Map<string, Map<string, Record_>>} */
	const accounts = new Map();
	/** instance id -> its record, whichever account owns it. @type {Map<string, Record_>} */
	const byId = new Map();
	/** @type {Set<NodeJS.Timeout>} */
	const timers = new Set();
	let seq = 0;

	/** @param {string} token */
	function account(token) {
		const found = accounts.get(token);
		if (!found) throw deps.adminError(`no partner account with that token`, 404);
		return found;
	}

	/** A 10-digit id starting with `prefix` that no instance has yet. @param {string} prefix */
	function freshId(prefix) {
		for (;;) {
			const id = prefix + String(++seq).padStart(10 - prefix.length, '0');
			if (id.length > 10) throw deps.adminError(`no free 10-digit ids left with prefix ${prefix}`, 400);
			if (!byId.has(id) && !deps.hasInstance(id)) return id;
		}
	}

	/** @param {number} ms */
	const iso = (ms) => new Date(ms).toISOString();

	/** Null state now, notAuthorized after creatingMs (unless something changed it meanwhile). @param {string[]} ids */
	function startCreating(ids) {
		for (const id of ids) deps.setState(id, null);
		const timer = setTimeout(() => {
			timers.delete(timer);
			for (const id of ids) if (deps.hasInstance(id) && deps.stateOf(id) === null) deps.setState(id, 'notAuthorized');
		}, deps.creatingMs);
		timer.unref(); // must not keep a test process alive
		timers.add(timer);
	}

	/**
	 * Adds instances to an account: the admin way to build a fleet (thousands in one call).
	 * @param {string} token @param {PartnerInstancesSpec} spec
	 * @returns {{ idInstance: string, apiTokenInstance: string }[]}
	 */
	function addInstances(token, spec = {}) {
		const owned = account(token);
		const count = spec.count ?? 1;
		if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH) throw deps.adminError(`count must be an integer from 1 to ${MAX_BATCH}`, 400);
		const prefix = String(spec.idPrefix ?? '1103');
		if (!/^\d{1,9}$/.test(prefix)) throw deps.adminError('idPrefix must be 1 to 9 digits', 400);
		if (spec.host !== undefined && !deps.hasHost(spec.host)) throw deps.adminError(`no host named ${spec.host} (addHost first)`, 400);
		const creating = spec.stateInstance === null;
		const t = deps.now();
		/** @type {{ idInstance: string, apiTokenInstance: string }[]} */
		const out = [];
		for (let i = 0; i < count; i++) {
			const id = freshId(prefix);
			const apiTokenInstance = crypto.randomBytes(25).toString('hex');
			deps.addInstance({ idInstance: id, apiTokenInstance, stateInstance: creating ? 'notAuthorized' : (spec.stateInstance ?? 'authorized') });
			/** @type {Record_} */
			const rec = {
				host: spec.host,
				settings: {},
				listed: {
					idInstance: Number(id),
					name: spec.name === undefined ? `Sandbox ${id}` : `${spec.name}${count > 1 ? ` ${i + 1}` : ''}`,
					typeInstance: spec.typeInstance ?? 'whatsapp',
					typeAccount: 'instance',
					partnerUserUiid: '',
					timeCreated: iso(t),
					timeDeleted: spec.deleted ? iso(t) : '',
					apiTokenInstance,
					deleted: spec.deleted === true,
					tariff: 'BUSINESS',
					isFree: false,
					isPartner: true,
					expirationDate: iso(spec.expired ? t - DAY_MS : t + 30 * DAY_MS),
					isExpired: spec.expired === true,
				},
			};
			owned.set(id, rec);
			byId.set(id, rec);
			out.push({ idInstance: id, apiTokenInstance });
		}
		if (creating) startCreating(out.map((o) => o.idInstance));
		return out;
	}

	/** What getInstances lists now: deleted ones drop out after deletedListedMs. @param {Map<string, Record_>} owned */
	function listed(owned) {
		const t = deps.now();
		return [...owned.values()]
			.filter((r) => !r.listed.deleted || t - Date.parse(r.listed.timeDeleted) < deps.deletedListedMs)
			.map((r) => ({ ...r.listed }));
	}

	/** @param {Map<string, Record_>} owned @param {unknown} id @returns {Record_|null} */
	function owns(owned, id) {
		const rec = owned.get(String(id));
		return rec && !rec.listed.deleted ? rec : null;
	}

	/**
	 * @param {unknown} body
	 * @returns {{ settings: Record<string, string|number> } | { error: string }}
	 */
	function checkCreate(body) {
		if (body === null || typeof body !== 'object' || Array.isArray(body)) return { error: 'Bad Request Validation failed: the body must be an object' };
		/** @type {Record<string, string|number>} */
		const settings = {};
		for (const [key, value] of Object.entries(body)) {
			if (!INSTANCE_SETTINGS.includes(key)) continue; // unknown fields are ignored, as JSON APIs usually do
			const ok = TEXT_SETTINGS.includes(key)
				? typeof value === 'string'
				: key === 'delaySendMessagesMilliseconds'
					? Number.isInteger(value) && value >= 0
					: value === 'yes' || value === 'no';
			if (!ok) return { error: `Bad Request Validation failed: ${key}` };
			settings[key] = value;
		}
		if (Object.keys(settings).length === 0) return { error: 'Bad Request Validation failed: at least one setting is required' };
		return { settings };
	}

	/**
	 * Answers a partner method once the path named one: token, verb, fault, then the method.
	 * @param {string} method one of PARTNER_METHODS
	 * @param {string} token
	 * @param {string} verb the request's HTTP method
	 * @param {() => Promise<string>} readBody
	 * @returns {Promise<Reply>}
	 */
	async function answer(method, token, verb, readBody) {
		const owned = accounts.get(token);
		if (!owned) return coded(401, 'Unauthorized');
		if (verb !== PARTNER_METHODS[method]) return { status: 404, type: 'text/plain; charset=utf-8', body: 'Not Found' };
		if (method === 'getInstances') return json(200, listed(owned));
		let body;
		try {
			body = JSON.parse(await readBody());
		} catch (err) {
			return coded(400, err.message);
		}
		if (method === 'createInstance') {
			const checked = checkCreate(body);
			if ('error' in checked) return coded(400, checked.error);
			const [made] = addInstances(token, { stateInstance: null, name: String(checked.settings.name ?? '') });
			const rec = /** @type {Record_} */ (byId.get(made.idInstance));
			rec.settings = checked.settings;
			return json(200, { idInstance: Number(made.idInstance), apiTokenInstance: made.apiTokenInstance, typeInstance: rec.listed.typeInstance });
		}
		const rec = owns(owned, body?.idInstance);
		if (!rec) return coded(404, 'Not found');
		markDeleted(rec);
		return json(200, { deleteInstanceAccount: true });
	}

	/** @param {Record_} rec */
	function markDeleted(rec) {
		rec.listed.deleted = true;
		rec.listed.timeDeleted = iso(deps.now());
	}

	/** @param {string} token @param {string|number} id */
	function record(token, id) {
		const rec = account(token).get(String(id));
		if (!rec) throw deps.adminError(`the account does not own instance ${id}`, 404);
		return rec;
	}

	/** @param {string} token */
	function addAccount(token) {
		if (typeof token !== 'string' || !/^[^/?#\s]+$/.test(token)) throw deps.adminError('partnerToken must be a non-empty string usable in a URL path', 400);
		if (!accounts.has(token)) accounts.set(token, new Map());
		return { partnerToken: token, instances: accounts.get(token)?.size ?? 0 };
	}

	/** In-process admin calls (the sandbox's `partner` object). */
	const admin = {
		addAccount,
		addInstances,
		/** @param {string} token */
		listInstances: (token) => listed(account(token)),
		/** @param {string} token @param {string|number} id */
		deleteInstance(token, id) {
			const rec = record(token, id);
			markDeleted(rec);
			return { ...rec.listed };
		},
		/** @param {string} token @param {string|number} id */
		expireInstance(token, id) {
			const rec = record(token, id);
			rec.listed.isExpired = true;
			rec.listed.expirationDate = iso(deps.now() - 1000);
			return { ...rec.listed };
		},
		/** @param {string} token @param {string|number} id */
		settingsOf: (token, id) => ({ ...record(token, id).settings }),
	};

	/**
	 * The admin HTTP routes under /admin/partners.
	 * @param {string} route e.g. 'POST /admin/partners/TOKEN/instances'
	 * @param {any} body
	 * @returns {unknown} undefined for a route that is not a partner route
	 */
	function adminRoute(route, body) {
		if (route === 'POST /admin/partners') return addAccount(body?.partnerToken);
		const m = /^(GET|POST) \/admin\/partners\/([^/]+)\/instances(?:\/(\d+)\/(delete|expire))?$/.exec(route);
		if (!m) return undefined;
		const [, verb, token, id, action] = m;
		if (verb === 'GET' && !id) return admin.listInstances(token);
		if (verb === 'POST' && !id) return addInstances(token, body);
		if (verb === 'POST' && action === 'delete') return admin.deleteInstance(token, id);
		if (verb === 'POST' && action === 'expire') return admin.expireInstance(token, id);
		return undefined;
	}

	return {
		admin,
		adminRoute,
		answer,
		/** The 400 text an instance's own methods answer once it is deleted or expired, else null. @param {string} id */
		refusal(id) {
			const rec = byId.get(id);
			if (!rec) return null;
			if (rec.listed.deleted) return GONE.deleted;
			return rec.listed.isExpired ? GONE.expired : null;
		},
		/** The extra host an instance answers on (undefined: the main one). @param {string} id */
		hostOf: (id) => byId.get(id)?.host,
		close() {
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
		},
	};
}

module.exports = { createPartnerAccounts, PARTNER_METHODS, PARTNER_DEFAULTS, INSTANCE_SETTINGS, GONE };
