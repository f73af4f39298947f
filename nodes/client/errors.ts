import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { redact } from './api';

/** What went wrong with one GREEN-API call, before it becomes an n8n error. */
export interface FailureInfo {
	/**
	 * status: an HTTP answer with an error status; notJson / empty: a 2xx that cannot be read;
	 * timeout: no answer within the node's own Timeout option; dropped: the connection broke before
	 * an answer (reset, closed, a connect timeout); refused / dns / network: no connection at all.
	 */
	kind: 'status' | 'notJson' | 'empty' | 'timeout' | 'dropped' | 'refused' | 'dns' | 'network';
	status?: number;
	/** GREEN-API's own words, or a short excerpt of the body; never the request URL. */
	text?: string;
	/** The 466 quota details. */
	quota?: { used?: unknown; total?: unknown; description?: string };
	retryAfterMs?: number;
}

/** Statuses GREEN-API documents as passing: rate limit, client gave up, gateway trouble. */
const PASSING_SOON = [429, 499, 502, 503, 504];

/**
 * How a failure passes, decided here only (retry.ts and the trigger read it):
 * - 'soon': GREEN-API was busy or the connection dropped (429, 499, 502-504, dropped): the same
 *   request may well work in a moment; retry.ts sends it again where that is safe;
 * - 'later': it may pass, but not within seconds (another 5xx, the node's own timeout ran out,
 *   no connection, an empty answer from an instance still being created): a request fails now,
 *   a poll sits it out;
 * - 'never': the request or the setup is wrong (a 4xx, an answer that is not JSON).
 */
export type Passes = 'soon' | 'later' | 'never';

export function howItPasses(info: FailureInfo): Passes {
	if (info.kind === 'status') {
		const status = info.status ?? 0;
		if (PASSING_SOON.includes(status)) return 'soon';
		return status >= 500 ? 'later' : 'never';
	}
	if (info.kind === 'dropped') return 'soon';
	return info.kind === 'notJson' ? 'never' : 'later';
}

export interface HttpAnswer {
	statusCode: number;
	body: unknown;
	headers?: Record<string, unknown>;
}

function excerpt(text: string): string {
	const title = /<title>([^<]*)<\/title>/i.exec(text);
	const plain = (title ? title[1] : text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
	return plain.length > 200 ? `${plain.slice(0, 197)}...` : plain;
}

function parseBody(body: unknown): { value?: unknown; text?: string; empty: boolean } {
	let raw = body;
	if (raw instanceof Uint8Array) raw = new TextDecoder().decode(raw);
	if (raw === undefined || raw === null) return { empty: true };
	if (typeof raw !== 'string') return { value: raw, empty: false };
	const text = raw.trim();
	if (text === '') return { empty: true };
	try {
		const value: unknown = JSON.parse(text);
		return value === null ? { empty: true } : { value, empty: false };
	} catch {
		return { text, empty: false };
	}
}

function retryAfterMs(headers: Record<string, unknown> | undefined): number | undefined {
	const header = headers?.['retry-after'];
	if (header === undefined) return undefined;
	const seconds = Number(header);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(header));
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** GREEN-API's explanation inside an error body, which may be JSON or plain text. */
function errorText(parsed: { value?: unknown; text?: string }): string | undefined {
	if (parsed.text !== undefined) return excerpt(parsed.text);
	const value = parsed.value as Record<string, unknown> | undefined;
	if (value && typeof value === 'object') {
		for (const key of ['message', 'error', 'description', 'reason']) {
			if (typeof value[key] === 'string' && value[key] !== '') return excerpt(value[key] as string);
		}
		return excerpt(JSON.stringify(value));
	}
	if (value !== undefined) return excerpt(String(value));
	return undefined;
}

/** One HTTP answer, read: the JSON of a good answer, or what is wrong with it. */
export type ReadAnswer = { ok: true; value: unknown } | { ok: false; failure: FailureInfo };

/**
 * Reads one HTTP answer. A good answer is a 2xx with a JSON body that is not empty or `null`;
 * anything else is a failure: an error status, a body that is not JSON, an empty body.
 */
export function readAnswer(answer: HttpAnswer): ReadAnswer {
	const parsed = parseBody(answer.body);
	const status = answer.statusCode;
	if (status >= 200 && status < 300) {
		if (parsed.empty) return { ok: false, failure: { kind: 'empty', status } };
		if (parsed.text !== undefined) return { ok: false, failure: { kind: 'notJson', status, text: excerpt(parsed.text) } };
		return { ok: true, value: parsed.value };
	}
	const info: FailureInfo = { kind: 'status', status, text: errorText(parsed), retryAfterMs: retryAfterMs(answer.headers) };
	const invoke = (parsed.value as { invokeStatus?: Record<string, unknown> } | undefined)?.invokeStatus;
	if (invoke && typeof invoke === 'object') {
		info.quota = {
			used: invoke.used,
			total: invoke.total,
			description: typeof invoke.description === 'string' ? invoke.description : undefined,
		};
	}
	return { ok: false, failure: info };
}

const NETWORK_CODES: Record<string, FailureInfo['kind']> = {
	// The HTTP client's own deadline: the node's Timeout option.
	ECONNABORTED: 'timeout',
	ETIMEDOUT: 'dropped',
	ESOCKETTIMEDOUT: 'dropped',
	UND_ERR_CONNECT_TIMEOUT: 'dropped',
	UND_ERR_HEADERS_TIMEOUT: 'dropped',
	ECONNRESET: 'dropped',
	EPIPE: 'dropped',
	UND_ERR_SOCKET: 'dropped',
	ECONNREFUSED: 'refused',
	ENOTFOUND: 'dns',
	EAI_AGAIN: 'dns',
};

/**
 * Classifies what n8n's HTTP helper threw while sending (with ignoreHttpStatusErrors, HTTP
 * statuses arrive as answers, so this is network trouble). Call it only for errors of the HTTP
 * exchange itself. Only codes and statuses are read: the error carries the request URL, and
 * with it the token, so it goes no further.
 */
export function failureOfHttpError(error: unknown): FailureInfo {
	const seen = new Set<unknown>();
	let current: unknown = error;
	let status: number | undefined;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const e = current as Record<string, unknown>;
		const code = typeof e.code === 'string' ? e.code : undefined;
		if (code && NETWORK_CODES[code]) return { kind: NETWORK_CODES[code] };
		// axios words its own deadline "timeout of 60000ms exceeded"; other timeouts are the connection's.
		if (typeof e.message === 'string' && /^timeout of \d+ms exceeded/i.test(e.message)) return { kind: 'timeout' };
		if (typeof e.message === 'string' && /timed out|socket hang up/i.test(e.message)) return { kind: 'dropped' };
		const response = e.response as { status?: unknown } | undefined;
		if (status === undefined && typeof response?.status === 'number') status = response.status;
		current = e.cause ?? e.error;
	}
	if (status !== undefined) return { kind: 'status', status };
	return { kind: 'network', text: error instanceof Error ? error.name : undefined };
}

export interface ErrorContext {
	/** The GREEN-API method's name. */
	method: string;
	itemIndex?: number;
	/** Host of the API URL, to say where a connection failed (never the path: it holds the token). */
	host?: string;
	timeoutMs?: number;
	attempts?: number;
	secrets?: string[];
}

/** Advice for GREEN-API's 400 "instance account not authorized". */
export const NOT_AUTHORIZED_TODO =
	'GREEN-API answers this for an instance that is not linked to a phone, and also for one in yellowCard, which is still linked. ' +
	'Check the state with Get State: notAuthorized -> link a phone again (Get QR Code, or Get Link Code); ' +
	'yellowCard -> do not re-link: reboot the instance, slow down sending and wait out the restriction.';

/** Advice when a link code is asked for an instance that is still linked. */
const ALREADY_LINKED_TODO =
	'A link code links an instance in state notAuthorized. To link another phone, run Logout first, then Get Link Code again. ' +
	'If Get State says yellowCard, do not log out: the phone is still linked; reboot the instance and wait out the restriction.';

/** How many requests were really made, when more than one. */
function retried(ctx: ErrorContext): string {
	return ctx.attempts && ctx.attempts > 1 ? ` (${ctx.attempts} requests made)` : '';
}

function statusMessage(info: FailureInfo, ctx: ErrorContext): [string, string] {
	const said = info.text ? `: ${info.text}` : '';
	switch (info.status) {
		case 400: {
			const text = (info.text ?? '').toLowerCase();
			let todo = 'Check the values sent in this item against the GREEN-API documentation for this method.';
			if (text.includes('starting')) todo = 'The instance is starting: wait a few minutes; if it stays in starting longer than 5 minutes, reboot it.';
			// GREEN-API gives this text for an unlinked instance and for a yellowCard one, which is
			// still linked: the answer alone cannot say which, so the advice says how to tell.
			else if (text.includes('not authorized')) todo = NOT_AUTHORIZED_TODO;
			else if (text.includes('already authorized')) {
				if (ctx.method === 'getAuthorizationCode') {
					return [
						`The instance is already linked to a phone: GREEN-API gives a link code only to an unlinked instance${said}`,
						ALREADY_LINKED_TODO,
					];
				}
				todo = 'The instance is already linked to a phone: this method is only for an unlinked one (state notAuthorized).';
			}
			else if (text.includes('expired')) todo = 'The instance has expired: renew it in the GREEN-API console.';
			else if (text.includes('deleted')) todo = 'The instance was deleted: create a new one and update the credential.';
			// Before 'phone': GREEN-API's text is "check phone number timeout limit exceeded".
			else if (text.includes('timeout limit')) todo = 'GREEN-API limits how often numbers can be checked: wait and try again later.';
			else if (text.includes('phone')) todo = 'Check the phone number: international format, 11 to 16 digits, country code first, e.g. 441234567890.';
			return [`GREEN-API rejected the request${said}`, todo];
		}
		case 401:
			return [
				'GREEN-API refused the API token (401 Unauthorized)',
				'Check the API Token in the GREEN-API credential: copy apiTokenInstance from the instance page in the GREEN-API console.',
			];
		case 403:
			return [
				'GREEN-API refused access to this instance (403 Forbidden)',
				'Check the Instance ID and the API URL in the GREEN-API credential: both are on the instance page in the console. The shared host https://api.green-api.com answers 403 for instances that live on another host.',
			];
		case 404:
			return [
				`GREEN-API does not offer ${ctx.method} at this address (404 Not Found)`,
				'Check the API URL in the GREEN-API credential: it should be the apiUrl shown in the console, e.g. https://1103.api.green-api.com.',
			];
		case 429:
			return [
				`Too many requests to GREEN-API for this instance (429)${retried(ctx)}`,
				'Another workflow or tool is probably using the same instance. Lower "Max Requests Per Second" in the node options, or run fewer workflows against this instance at once.',
			];
		case 466: {
			const quota = info.quota;
			const counts = quota && quota.used !== undefined ? ` (${String(quota.used)} of ${String(quota.total)} used)` : '';
			return [
				`The monthly GREEN-API quota for ${ctx.method} is used up${counts}`,
				`${quota?.description ?? info.text ?? 'Monthly quota has been exceeded.'} Upgrade the plan in the GREEN-API console or wait for next month.`,
			];
		}
		case 499:
			return [
				`GREEN-API closed the request before answering (499)${retried(ctx)}`,
				'Raise the Timeout option of the node and try again.',
			];
		default: {
			const status = info.status ?? 0;
			if (status >= 500) {
				return [
					`GREEN-API had a server error (${status})${said}${retried(ctx)}`,
					'This is on GREEN-API\'s side: try again in a few minutes; if it persists, contact GREEN-API support.',
				];
			}
			return [`GREEN-API answered with HTTP ${status}${said}`, 'See the GREEN-API documentation for this method.'];
		}
	}
}

function describe(info: FailureInfo, ctx: ErrorContext): [string, string] {
	const where = ctx.host ? ` at ${ctx.host}` : '';
	switch (info.kind) {
		case 'status':
			return statusMessage(info, ctx);
		case 'notJson':
			return [
				`GREEN-API answered with something that is not JSON${info.text ? `: "${info.text}"` : ''}`,
				'Check the API URL in the GREEN-API credential: it should be the apiUrl shown in the console, e.g. https://1103.api.green-api.com.',
			];
		case 'empty':
			return ctx.method === 'getStateInstance'
				? [
						'GREEN-API returned no state for this instance (empty answer)',
						'The instance is probably still being created: try again in a few minutes.',
					]
				: ['GREEN-API returned an empty answer', 'Try again; if it persists, check the instance in the GREEN-API console.'];
		case 'timeout':
			return [
				`GREEN-API did not answer within ${ctx.timeoutMs ? `${Math.round(ctx.timeoutMs / 1000)} s` : 'the timeout'}`,
				'Raise the Timeout option of the node, or check that the API URL in the credential is right.',
			];
		case 'refused':
			return [`Could not connect to GREEN-API${where} (connection refused)`, 'Check the API URL in the GREEN-API credential.'];
		case 'dropped':
			return [
				`The connection to GREEN-API${where} was closed before an answer came${retried(ctx)}`,
				'Try again; if it persists, check the API URL in the credential and the network of this n8n.',
			];
		case 'dns':
			return [`The GREEN-API host${where ? where.replace(' at', '') : ''} could not be found`, 'Check the API URL in the GREEN-API credential for typing mistakes.'];
		default:
			return [`The request to GREEN-API${where} failed`, 'Check the API URL in the GREEN-API credential and the network of this n8n.'];
	}
}

/**
 * A GREEN-API call that failed (an HTTP answer or the network), as the user sees it: an n8n API
 * error that says what happened and what to do, and carries its classification for callers
 * that must judge it (the trigger sits out failures that pass: howItPasses).
 */
export class GreenApiError extends NodeApiError {
	/** What went wrong, as classified (not NodeApiError's own `failure`, which means something else). */
	declare readonly greenApiFailure: FailureInfo;

	constructor(node: INode, failure: FailureInfo, ctx: ErrorContext) {
		let [message, description] = describe(failure, ctx);
		if (ctx.itemIndex !== undefined) message = `${message} [item ${ctx.itemIndex}]`;
		message = redact(message, ctx.secrets);
		description = redact(description, ctx.secrets);
		const httpCode = failure.status !== undefined ? String(failure.status) : undefined;
		// The raw HTTP error is not passed on: it carries the request URL, and with it the token.
		const response: JsonObject = { message, description, ...(httpCode ? { httpCode } : {}) };
		super(node, response, { message, description, httpCode, itemIndex: ctx.itemIndex });
		// GREEN-API may echo the URL in its text; not enumerable, so run data looks as before.
		const text = failure.text === undefined ? undefined : redact(failure.text, ctx.secrets);
		Object.defineProperty(this, 'greenApiFailure', { value: { ...failure, text }, enumerable: false });
	}
}

/** The classification of a GREEN-API failure; undefined for any other error. */
export function failureOf(error: unknown): FailureInfo | undefined {
	return error instanceof GreenApiError ? error.greenApiFailure : undefined;
}

/**
 * An error found before any request (a bad phone number, an empty field), for steps that n8n's
 * RoutingNode runs: it re-wraps every error of an item's request that is not a NodeApiError into
 * a NodeApiError with httpCode "none", which the editor shows under "From <node>, Error code:
 * none", as if GREEN-API had answered. The editor shows that block only for an error with an
 * httpCode, extra messages, context data or extra (NodeErrorView in n8n 1.x and 2.x): this
 * NodeApiError has none of them, so RoutingNode passes it as it is and the editor shows only the
 * message and the description.
 */
export function localItemError(node: INode, message: string, options: { itemIndex?: number; description?: string }): NodeApiError {
	// An empty response: no raw messages beside ours, no status.
	return new NodeApiError(node, {}, { message, description: options.description, itemIndex: options.itemIndex });
}
