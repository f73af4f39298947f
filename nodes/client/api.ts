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

/** Reads and checks the credential fields; the messages never include the token. */
export function readCredentials(data: ICredentialDataDecryptedObject): InstanceCredentials {
	const idInstance = String(data.idInstance ?? '').trim();
	if (!/^\d{1,10}$/.test(idInstance)) {
		throw new Error(
			`The Instance ID in the GREEN-API credential must be 1 to 10 digits (idInstance from the console), got "${idInstance.slice(0, 40)}"`,
		);
	}
	const apiTokenInstance = String(data.apiTokenInstance ?? '').trim();
	if (apiTokenInstance === '' || /[\s/?#]/.test(apiTokenInstance)) {
		throw new Error(
			'The API Token in the GREEN-API credential is empty or contains spaces or slashes: copy apiTokenInstance from the console again',
		);
	}
	return { apiUrl: normalizeApiUrl(data.apiUrl), idInstance, apiTokenInstance };
}

/** A request names its GREEN-API method as its whole relative URL, e.g. `/getStateInstance`. */
function methodOf(url: string | undefined): string | undefined {
	const match = /^\/?([A-Za-z]+)$/.exec(url ?? '');
	return match ? match[1] : undefined;
}

/**
 * The credential's `authenticate`: turns `/method` into `{apiUrl}/waInstance{id}/{method}/{token}`.
 * Only here is the token joined to a URL. A request already built (n8n re-authenticates once
 * after a 401) is returned as it is.
 */
export function withInstancePath(
	data: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): IHttpRequestOptions {
	const method = methodOf(requestOptions.url);
	if (method === undefined) return requestOptions;
	const { apiUrl, idInstance, apiTokenInstance } = readCredentials(data);
	return {
		...requestOptions,
		baseURL: apiUrl,
		url: `/waInstance${idInstance}/${method}/${encodeURIComponent(apiTokenInstance)}`,
	};
}

/** Removes the token from any text: by value when known, and by URL shape when not. */
export function redact(text: string, secrets: Array<string | undefined> = []): string {
	let out = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 4) out = out.split(secret).join('***');
	}
	return out.replace(/(\/waInstance\d*\/[A-Za-z]+\/)[^/\s"'?#]+/g, '$1***');
}
