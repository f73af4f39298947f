'use strict';
/** n8n's REST API as the editor uses it: a login cookie, then JSON requests. */
const crypto = require('crypto');

const { OWNER } = require('./config');

/** A request n8n answered with an error status: the status and the parsed body, for callers that check them. */
class N8nRequestError extends Error {
	/** @param {string} message @param {number} status @param {unknown} body */
	constructor(message, status, body) {
		super(message);
		this.name = 'N8nRequestError';
		this.status = status;
		this.body = body;
	}
}

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
			throw new N8nRequestError(`${method} ${urlPath} -> ${res.status}: ${text.slice(0, 500)}`, res.status, json ?? text);
		}
		return json && typeof json === 'object' && 'data' in json ? json.data : json;
	}

	/** Raw bytes of a GET (binary data downloads). */
	async bytes(urlPath) {
		const res = await fetch(`${this.baseUrl}${urlPath}`, { headers: { cookie: this.cookie, 'browser-id': this.browserId } });
		if (!res.ok) throw new Error(`GET ${urlPath} -> ${res.status}: ${(await res.text()).slice(0, 300)}`);
		return Buffer.from(await res.arrayBuffer());
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

module.exports = { N8nClient, N8nRequestError };
