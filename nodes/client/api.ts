import type { ICredentialDataDecryptedObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';

/** Name of the credential type both nodes use. */
export const GREEN_API_CREDENTIAL = 'greenApi';

export const DEFAULT_API_URL = 'https://api.green-api.com';

/**
 * A GREEN-API method as the package calls it. Each operation file declares the methods it calls
 * (`resources/instance/index.ts` gathers them into METHODS, which the trigger, the sandbox and
 * the docs checks read too).
 */
export interface GreenApiMethod {
	name: string;
	verb: IHttpRequestMethods;
	/** Per-instance pace in requests per second: GREEN-API's documented limit where it publishes one. */
	perSecond: number;
	/** False where GREEN-API publishes no limit and perSecond is our own cautious choice. */
	published: boolean;
	/**
	 * How safe the method is to send again when no answer came or GREEN-API was busy (retry.ts):
	 * 'reads' changes nothing; 'changes' changes the instance, but a repeat does no harm once
	 * GREEN-API said it did nothing (429, 5xx); 'files' makes something new on every call (unban
	 * files an appeal): sent exactly once, whatever happens.
	 */
	effect: 'reads' | 'changes' | 'files';
}

export interface InstanceCredentials {
	apiUrl: string;
	idInstance: string;
	apiTokenInstance: string;
}

/**
 * Accepts what people paste into the API URL field: surrounding spaces, a trailing slash,
 * no scheme, or a whole method URL copied from the console.
 */
export function normalizeApiUrl(raw: unknown): string {
	let url = String(raw ?? '').trim();
	if (url === '') url = DEFAULT_API_URL;
	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = `https://${url}`;
	url = url.replace(/\/waInstance.*$/i, '');
	return url.replace(/\/+$/, '');
}

/**
 * What a field holds, told without its characters: a value in the wrong field may be the token.
 * The length and the kind of characters are enough to see the mistake.
 */
function described(value: string): string {
	if (value === '') return 'it is empty';
	const kinds = [/[0-9]/.test(value) && 'digits', /[A-Za-z]/.test(value) && 'letters', /[^0-9A-Za-z]/.test(value) && 'other characters'].filter(Boolean);
	return `it holds ${value.length} character${value.length === 1 ? '' : 's'} (${kinds.join(', ')})`;
}

/**
 * A host a person could mean. A token pasted into the API URL field would become a long host
 * without a dot, and n8n's network errors name the host.
 */
function plausibleHost(apiUrl: string): boolean {
	try {
		const { hostname } = new URL(apiUrl);
		return hostname !== '' && (hostname.includes('.') || hostname.startsWith('[') || hostname.length <= 20);
	} catch {
		return false;
	}
}

/**
 * Reads and checks the credential fields. A message never shows a field's value: one pasted
 * into the wrong field may be the token, which redaction by value would not know.
 */
export function readCredentials(data: ICredentialDataDecryptedObject): InstanceCredentials {
	// People copy the ID with spaces, as it is sometimes shown (`1101 000001`).
	const idInstance = String(data.idInstance ?? '').replace(/\s+/g, '');
	if (!/^\d{1,10}$/.test(idInstance)) {
		const swapped = idInstance.length > 10 && /\D/.test(idInstance) ? ': is the API Token in this field?' : '';
		throw new Error(
			`The Instance ID in the GREEN-API credential must be 1 to 10 digits (idInstance from the console), but ${described(idInstance)}${swapped}`,
		);
	}
	const apiTokenInstance = String(data.apiTokenInstance ?? '').trim();
	if (apiTokenInstance === '' || /[\s/?#]/.test(apiTokenInstance)) {
		throw new Error(
			'The API Token in the GREEN-API credential is empty or contains spaces or slashes: copy apiTokenInstance from the console again',
		);
	}
	const apiUrl = normalizeApiUrl(data.apiUrl);
	if (!plausibleHost(apiUrl)) {
		throw new Error(
			`The API URL in the GREEN-API credential must be the apiUrl from the console, e.g. https://1103.api.green-api.com, but its host is not a host name: ${described(apiUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, ''))}`,
		);
	}
	return { apiUrl, idInstance, apiTokenInstance };
}

/**
 * Where n8n's helpers put a request's address: `url` (httpRequest, our nodes, the credential
 * test), or `uri` (the legacy request of n8n's HTTP Request node).
 */
type RequestOptions = IHttpRequestOptions & { uri?: string | URL };

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;

/**
 * The path and query of an absolute or based address below the API URL, e.g. `/sendMessage`;
 * undefined for any other address: another host, scheme or port, or a path outside the API URL's.
 */
function pathBelow(apiUrl: string, target: string, baseURL: string | undefined): string | undefined {
	try {
		const url = ABSOLUTE.test(target) ? new URL(target) : new URL(target.replace(/^\/+/, ''), `${String(baseURL).replace(/\/+$/, '')}/`);
		const api = new URL(apiUrl);
		const prefix = api.pathname.replace(/\/+$/, '');
		if (url.origin !== api.origin || !url.pathname.startsWith(`${prefix}/`)) return undefined;
		return url.pathname.slice(prefix.length) + url.search;
	} catch {
		return undefined;
	}
}

/**
 * GREEN-API's path for what a user or a node wrote below the API URL: `/method[/more]` or
 * `/waInstance{id}/method[/token slot[/more]]` (as the console shows it) both become
 * `/waInstance{id}/method/{token}[/more]` (e.g. deleteNotification's receipt id is "more").
 * Written again from its own output it is unchanged. Undefined when no method is named.
 */
function methodOf(below: string, credentials: InstanceCredentials): string | undefined {
	const [path, ...query] = below.split('?');
	const segments = path.split('/').slice(1);
	while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
	const instance = /^waInstance(\d*)$/i.exec(segments[0] ?? '');
	if (instance) {
		if (instance[1] !== '' && instance[1] !== credentials.idInstance) {
			throw new Error(
				'The URL names another instance than the Instance ID of the GREEN-API credential: leave /waInstance... out of the URL (https://<API URL>/<method>), or use the credential of that instance',
			);
		}
		segments.splice(0, 1);
		segments.splice(1, 1); // the token's place
	}
	const [method, ...more] = segments;
	if (method === undefined || !/^[A-Za-z]+$/.test(method)) return undefined;
	const token = encodeURIComponent(credentials.apiTokenInstance);
	return [`/waInstance${credentials.idInstance}`, method, token, ...more].join('/') + (query.length > 0 ? `?${query.join('?')}` : '');
}

/**
 * The credential's `authenticate`: adds the instance and the token to a request for the
 * credential's own API URL, and to no other. Our nodes and the credential test send `/method`;
 * n8n's HTTP Request node (Custom API Call) sends the address the user typed, e.g.
 * `https://1103.api.green-api.com/sendMessage`. Only here is the token joined to a URL, in a
 * copy: the caller's options, which n8n shows in the editor, stay without it. A request already
 * built (n8n authenticates again after a 401) is returned as it is.
 */
export function withInstancePath(
	data: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): IHttpRequestOptions {
	const options = requestOptions as RequestOptions;
	const field = options.url === undefined && options.uri !== undefined ? 'uri' : 'url';
	if (options[field] === undefined) return requestOptions;
	const target = String(options[field]);
	const absolute = ABSOLUTE.test(target);
	// Without a base, a relative address can only mean the credential's own API URL.
	const own = !absolute && options.baseURL === undefined;
	const below = own ? `/${target.replace(/^\/+/, '')}` : pathBelow(normalizeApiUrl(data.apiUrl), target, options.baseURL);
	if (below === undefined) return requestOptions;
	const credentials = readCredentials(data);
	const path = methodOf(below, credentials);
	if (path === undefined) return requestOptions;
	if (absolute) {
		const url = `${credentials.apiUrl}${path}`;
		return url === target ? requestOptions : { ...options, [field]: url };
	}
	if (path === target && options.baseURL === credentials.apiUrl) return requestOptions;
	return { ...options, baseURL: credentials.apiUrl, [field]: path };
}

/** Removes the token from any text: by value when known, and by URL shape when not. */
export function redact(text: string, secrets: Array<string | undefined> = []): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('***');
	}
	return out.replace(/(\/waInstance\d*\/[A-Za-z]+\/)[^/\s"'?#]+/g, '$1***');
}
