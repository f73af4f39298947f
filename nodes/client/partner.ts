/**
 * GREEN-API's Partner API (many instances under one partner account), for both nodes:
 *
 *   the partner credential read and checked -> where each instance lives (`instanceApiUrl`)
 *   -> partner requests, `{partnerApiUrl}/partner/{method}/{partnerToken}` (the token added by
 *      the credential's authenticate), with errors read from the body as well as the status
 *      (GREEN-API answers them as HTTP 200 `{"code": 401, "description": "Unauthorized"}`)
 *   -> the instance list, typed, and which instances are live
 *   -> an instance's own token looked up in that list, once per execution, so that instance
 *      operations can run on any instance of the fleet (`partnerInstanceTarget`).
 *
 * No partner or instance token ever reaches an error, a log line or an output item from here.
 */
import { createHash } from 'crypto';
import { NodeApiError, sleep } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INode,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';

import { normalizeApiUrl, redact } from './api';
import type { GreenApiMethod, InstanceCredentials } from './api';
import { failureOfHttpError, localItemError, readAnswer } from './errors';
import type { FailureInfo, HttpAnswer } from './errors';
import { retryWait } from './retry';

/** Name of the partner credential type. */
export const GREEN_API_PARTNER_CREDENTIAL = 'greenApiPartnerApi';

/**
 * The Partner API methods (the sandbox reads their verbs here too). Creating and deleting
 * `files`: sent exactly once, since a request that got no answer may have done its work (retry.ts).
 * GREEN-API documents no rate limit for them; partner requests are not paced, so `perSecond`
 * only says "no faster than one at a time is needed".
 */
export const PARTNER_METHODS = {
	getInstances: { name: 'getInstances', verb: 'GET', perSecond: 1, published: false, effect: 'reads' },
	createInstance: { name: 'createInstance', verb: 'POST', perSecond: 1, published: false, effect: 'files' },
	deleteInstanceAccount: { name: 'deleteInstanceAccount', verb: 'POST', perSecond: 1, published: false, effect: 'files' },
} as const satisfies Record<string, GreenApiMethod>;

export type PartnerMethod = keyof typeof PARTNER_METHODS;

/** One instance as getInstances lists it (GREEN-API's fields; no state and no API URL). */
export interface PartnerInstance {
	idInstance: number | string;
	name?: string;
	typeInstance?: string;
	typeAccount?: string;
	timeCreated?: string;
	timeDeleted?: string;
	apiTokenInstance?: string;
	deleted?: boolean;
	tariff?: string;
	isFree?: boolean;
	isPartner?: boolean;
	expirationDate?: string;
	isExpired?: boolean;
	[key: string]: unknown;
}

/** An instance that can answer its methods: neither deleted nor expired. */
export function isLive(instance: PartnerInstance): boolean {
	return instance.deleted !== true && instance.isExpired !== true;
}

/** Placeholders of the Instance API URL field. */
const PLACEHOLDERS: Record<string, (idInstance: string) => string> = {
	idInstance: (id) => id,
	prefix: (id) => id.slice(0, 4),
};

export interface PartnerCredentials {
	partnerApiUrl: string;
	partnerToken: string;
	/** Where instances live, placeholders unresolved; the partner API URL when the field is empty. */
	instanceApiUrl: string;
	/** Exceptions, longest ID prefix first. */
	exceptions: Array<{ prefix: string; url: string }>;
}

/** A URL as the instance credential accepts it, plus a pasted partner method URL. */
export function normalizePartnerApiUrl(raw: unknown): string {
	return normalizeApiUrl(String(raw ?? '').trim().replace(/\/partner(\/.*)?$/i, ''));
}

function checkUrl(url: string, field: string): void {
	const parsed = URL.canParse(url.replace(/\{(\w+)\}/g, '0')) ? new URL(url.replace(/\{(\w+)\}/g, '0')) : undefined;
	if (!parsed) throw new Error(`The ${field} in the GREEN-API Partner API credential is not a URL: "${url.slice(0, 80)}"`);
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		throw new Error(`The ${field} in the GREEN-API Partner API credential must start with https:// (got ${parsed.protocol})`);
	}
	const unknown = [...url.matchAll(/\{(\w*)\}/g)].map((m) => m[1]).filter((name) => !PLACEHOLDERS[name]);
	if (unknown.length > 0) {
		throw new Error(
			`The ${field} in the GREEN-API Partner API credential has an unknown placeholder {${unknown[0]}}: use {idInstance} or {prefix} (the first 4 digits of the instance ID)`,
		);
	}
}

/** Reads "ID-or-prefix URL" lines; blank lines and lines starting with # are skipped. */
function readExceptions(raw: unknown): PartnerCredentials['exceptions'] {
	const out: PartnerCredentials['exceptions'] = [];
	for (const [n, line] of String(raw ?? '').split(/\r?\n/).entries()) {
		const text = line.trim();
		if (text === '' || text.startsWith('#')) continue;
		const match = /^(\d{1,10})\s+(\S+)$/.exec(text);
		if (!match) {
			throw new Error(
				`Line ${n + 1} of Instance API URL Exceptions in the GREEN-API Partner API credential must be an instance ID (or its first digits), a space and a URL, e.g. "7103 https://7103.api.greenapi.com"; got "${text.slice(0, 80)}"`,
			);
		}
		const url = normalizeApiUrl(match[2]);
		checkUrl(url, `URL on line ${n + 1} of Instance API URL Exceptions`);
		out.push({ prefix: match[1], url });
	}
	return out.sort((a, b) => b.prefix.length - a.prefix.length);
}

/** Reads and checks the partner credential; the messages never include the token. */
export function readPartnerCredentials(data: ICredentialDataDecryptedObject): PartnerCredentials {
	const partnerToken = String(data.partnerToken ?? '').trim();
	if (partnerToken === '' || /[\s/?#]/.test(partnerToken)) {
		throw new Error(
			'The Partner Token in the GREEN-API Partner API credential is empty or contains spaces or slashes: copy it again from the GREEN-API console (profile page) or from GREEN-API support',
		);
	}
	const partnerApiUrl = normalizePartnerApiUrl(data.partnerApiUrl);
	checkUrl(partnerApiUrl, 'Partner API URL');
	const rawInstanceUrl = String(data.instanceApiUrl ?? '').trim();
	const instanceApiUrl = rawInstanceUrl === '' ? partnerApiUrl : normalizeApiUrl(rawInstanceUrl);
	checkUrl(instanceApiUrl, 'Instance API URL');
	return { partnerApiUrl, partnerToken, instanceApiUrl, exceptions: readExceptions(data.instanceApiUrls) };
}

/**
 * The API URL of one instance of the account: the longest matching exception, else the
 * Instance API URL with its placeholders filled in, else the partner API URL.
 */
export function instanceApiUrl(credentials: PartnerCredentials, idInstance: string): string {
	const id = String(idInstance);
	const exception = credentials.exceptions.find((e) => id.startsWith(e.prefix));
	if (exception) return exception.url;
	return credentials.instanceApiUrl.replace(/\{(\w+)\}/g, (whole, name: string) => PLACEHOLDERS[name]?.(id) ?? whole);
}

/** A partner request names its method as its relative URL, e.g. `/partner/getInstances`. */
function partnerMethodOf(url: string | undefined): string | undefined {
	const match = /^\/partner\/([A-Za-z]+)$/.exec(url ?? '');
	return match ? match[1] : undefined;
}

/**
 * The partner credential's `authenticate`: turns `/partner/<method>` into
 * `{partnerApiUrl}/partner/<method>/<partnerToken>`. Only here is the partner token joined to a
 * URL. Anything else (a request already built: n8n re-authenticates once after a 401) is
 * returned as it is.
 */
export function withPartnerPath(data: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): IHttpRequestOptions {
	const method = partnerMethodOf(requestOptions.url);
	if (method === undefined) return requestOptions;
	const { partnerApiUrl, partnerToken } = readPartnerCredentials(data);
	return { ...requestOptions, baseURL: partnerApiUrl, url: `/partner/${method}/${encodeURIComponent(partnerToken)}` };
}

/** Removes partner and instance tokens from a text, and the token part of partner URLs. */
export function redactPartner(text: string, secrets: Array<string | undefined> = []): string {
	return redact(text, secrets).replace(/(\/partner\/[A-Za-z]+\/)[^/\s"'?#]+/g, '$1***');
}

/**
 * Reads a partner answer: GREEN-API puts errors in the body of an HTTP 200 (`{"code": 401,
 * "description": ...}`), so a body with a numeric `code` of 400 or more is a failure with that
 * status, whatever the HTTP status was.
 */
export function readPartnerAnswer(answer: HttpAnswer): { ok: true; value: unknown } | { ok: false; failure: FailureInfo & { bodyCoded?: boolean } } {
	const read = readAnswer(answer);
	if (!read.ok) return read;
	const value = read.value as { code?: unknown; description?: unknown; message?: unknown } | undefined;
	if (value && typeof value === 'object' && !Array.isArray(value) && typeof value.code === 'number' && value.code >= 400) {
		const said = typeof value.description === 'string' ? value.description : typeof value.message === 'string' ? value.message : undefined;
		return { ok: false, failure: { kind: 'status', status: value.code, text: said?.slice(0, 200), bodyCoded: true } };
	}
	return read;
}

export interface PartnerCallContext {
	method: PartnerMethod;
	itemIndex?: number;
	/** The instance a create/delete or a lookup is about, named in the message. */
	idInstance?: string;
	host?: string;
	attempts?: number;
	secrets?: string[];
}

const CHECK_TOKEN =
	'Check the Partner Token in the GREEN-API Partner API credential: it is on the profile page of the GREEN-API console, or ask GREEN-API support.';

function partnerMessage(failure: FailureInfo & { bodyCoded?: boolean }, ctx: PartnerCallContext): [string, string] {
	const where = ctx.host ? ` at ${ctx.host}` : '';
	const said = failure.text ? `: ${failure.text}` : '';
	const how = failure.kind === 'status' ? (failure.bodyCoded ? `code ${failure.status} in the answer` : `HTTP ${failure.status}`) : '';
	const tried = ctx.attempts && ctx.attempts > 1 ? ` (${ctx.attempts} requests made)` : '';
	if (failure.kind !== 'status') {
		const what: Record<string, string> = {
			timeout: 'did not answer in time',
			refused: 'refused the connection',
			dropped: 'closed the connection before answering',
			dns: 'could not be found',
			notJson: `answered something that is not JSON${said}`,
			empty: 'gave an empty answer',
		};
		const sent = PARTNER_METHODS[ctx.method].effect !== 'files'
			? ''
			: ` It may still have done its work: check with List Instances before running ${ctx.method === 'createInstance' ? 'Create Instance' : 'Delete Instance'} again.`;
		return [
			`The GREEN-API Partner API${where} ${what[failure.kind] ?? 'could not be reached'} (${ctx.method})${tried}`,
			`Check the Partner API URL in the GREEN-API Partner API credential and the network of this n8n.${sent}`,
		];
	}
	switch (failure.status) {
		case 401:
		case 403:
			return [`GREEN-API refused the partner token (${how}${said})`, CHECK_TOKEN];
		case 404:
			if (ctx.method === 'deleteInstanceAccount') {
				return [
					`GREEN-API found no instance ${ctx.idInstance ?? ''} to delete in this partner account (${how}${said})`.replace('  ', ' '),
					'Check the Instance ID with List Instances: it may belong to another account or be deleted already.',
				];
			}
			return [
				`GREEN-API does not offer ${ctx.method} at this address (${how}${said})`,
				'Check the Partner API URL in the GREEN-API Partner API credential: https://api.green-api.com, or the partner URL shown in the console.',
			];
		case 400:
			return [`GREEN-API rejected ${ctx.method} (${how}${said})`, 'Check the values sent in this item against the GREEN-API Partner API documentation.'];
		case 429:
			return [`Too many requests to the GREEN-API Partner API (${how})${tried}`, 'Wait a moment and run again.'];
		default:
			return [
				`The GREEN-API Partner API answered ${ctx.method} with an error (${how}${said})${tried}`,
				(failure.status ?? 0) >= 500 ? "This is on GREEN-API's side: try again in a few minutes." : 'See the GREEN-API Partner API documentation.',
			];
	}
}

/** A failed partner call, as the user sees it: what happened, what to do, which item. Token-free. */
export class PartnerApiError extends NodeApiError {
	declare readonly greenApiFailure: FailureInfo;

	constructor(node: INode, failure: FailureInfo, ctx: PartnerCallContext) {
		let [message, description] = partnerMessage(failure, ctx);
		if (ctx.itemIndex !== undefined) message = `${message} [item ${ctx.itemIndex}]`;
		message = redactPartner(message, ctx.secrets);
		description = redactPartner(description, ctx.secrets);
		const httpCode = failure.status !== undefined ? String(failure.status) : undefined;
		// The raw HTTP error is not passed on: it carries the request URL, and with it the token.
		const response: JsonObject = { message, description, ...(httpCode ? { httpCode } : {}) };
		super(node, response, { message, description, httpCode, itemIndex: ctx.itemIndex });
		Object.defineProperty(this, 'greenApiFailure', { value: { ...failure, text: failure.text && redactPartner(failure.text, ctx.secrets) }, enumerable: false });
	}
}

type Context = IExecuteSingleFunctions | IPollFunctions;

/** The partner credential of the node, checked; a mistake is the user's to fix. */
export async function partnerCredentials(ctx: Context, itemIndex?: number): Promise<PartnerCredentials> {
	const data = await ctx.getCredentials(GREEN_API_PARTNER_CREDENTIAL);
	try {
		return readPartnerCredentials(data);
	} catch (error) {
		throw localItemError(ctx.getNode(), (error as Error).message, {
			itemIndex,
			description: 'Open the GREEN-API Partner API credential of this node and correct the field.',
		});
	}
}

const PARTNER_TIMEOUT_MS = 60_000;

/**
 * One partner call: the request (relative URL `/partner/<method>`, as routing or code built
 * it) sent through the partner credential, its answer read from status and body. As retry.ts
 * says for the method's effect: getInstances is sent again after a failure that passes soon;
 * createInstance and deleteInstanceAccount are sent exactly once.
 */
export async function partnerRequest(
	ctx: Context,
	method: PartnerMethod,
	options: { body?: IDataObject; itemIndex?: number; idInstance?: string; timeoutMs?: number; request?: IHttpRequestOptions } = {},
): Promise<unknown> {
	const credentials = await partnerCredentials(ctx, options.itemIndex);
	const request: IHttpRequestOptions = {
		...(options.request ?? {}),
		method: PARTNER_METHODS[method].verb,
		url: `/partner/${method}`,
		headers: { Accept: 'application/json', ...(options.body ? { 'Content-Type': 'application/json' } : {}) },
		...(options.body ? { body: options.body } : {}),
		timeout: options.timeoutMs ?? PARTNER_TIMEOUT_MS,
		ignoreHttpStatusErrors: true,
		returnFullResponse: true,
	};
	for (let attempt = 1; ; attempt++) {
		let read: ReturnType<typeof readPartnerAnswer>;
		try {
			const answer = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, GREEN_API_PARTNER_CREDENTIAL, request)) as HttpAnswer;
			read = readPartnerAnswer(answer);
		} catch (error) {
			read = { ok: false, failure: failureOfHttpError(error) };
		}
		if (read.ok) return read.value;
		const wait = retryWait(PARTNER_METHODS[method], read.failure, attempt);
		if (wait === undefined) {
			throw new PartnerApiError(ctx.getNode(), read.failure, {
				method,
				itemIndex: options.itemIndex,
				idInstance: options.idInstance,
				host: hostOf(credentials.partnerApiUrl),
				attempts: attempt,
				secrets: [credentials.partnerToken],
			});
		}
		await sleep(wait);
	}
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

/** The account's instances, as getInstances lists them (every one, deleted and expired included). */
export async function listPartnerInstances(ctx: Context, itemIndex?: number): Promise<PartnerInstance[]> {
	const answer = await partnerRequest(ctx, 'getInstances', { itemIndex });
	if (!Array.isArray(answer)) {
		throw new PartnerApiError(ctx.getNode(), { kind: 'notJson', text: 'the answer is not a list of instances' }, { method: 'getInstances', itemIndex });
	}
	return answer.filter((i): i is PartnerInstance => i !== null && typeof i === 'object' && 'idInstance' in i);
}

/**
 * The instance list of one execution and partner account, kept for the items and later nodes
 * of that execution: 100 items listed the fleet once, not 100 times. An entry lives
 * FLEET_CACHE_MS at most (swept on every use, so a worker keeps no tokens for long); a Create or
 * Delete of the execution drops it, and an Instance ID missing from it lists once more.
 */
interface FleetEntry {
	tokens: Promise<Map<string, string>>;
	at: number;
	relisted: boolean;
}
const FLEET_CACHE_MS = 60_000;
const fleets = new Map<string, FleetEntry>();

function fleetKey(ctx: Context, credentials: PartnerCredentials): string | undefined {
	const executionId = ctx.getExecutionId();
	if (!executionId) return undefined;
	// The token is part of the account's identity; only its hash is kept as a key.
	const account = createHash('sha256').update(`${credentials.partnerApiUrl}|${credentials.partnerToken}`).digest('hex').slice(0, 32);
	return `${executionId}|${account}`;
}

function sweep(now: number): void {
	for (const [key, entry] of fleets) if (now - entry.at > FLEET_CACHE_MS) fleets.delete(key);
}

/** Forgets the execution's instance list of this account (after a Create or Delete). */
export async function forgetFleet(ctx: Context): Promise<void> {
	const key = fleetKey(ctx, await partnerCredentials(ctx));
	if (key) fleets.delete(key);
}

/** How many instance lists are cached now (tests). */
export function cachedFleets(): number {
	sweep(Date.now());
	return fleets.size;
}

async function tokensOf(ctx: Context, itemIndex?: number): Promise<Map<string, string>> {
	const list = await listPartnerInstances(ctx, itemIndex);
	const tokens = new Map<string, string>();
	for (const instance of list) {
		if (isLive(instance) && typeof instance.apiTokenInstance === 'string') tokens.set(String(instance.idInstance), instance.apiTokenInstance);
	}
	return tokens;
}

/**
 * Where an instance of the account is reached and with which token: the seam between the
 * partner credential and the instance operations (transport.ts sends to this target). The
 * token comes from the account's list, looked up once per execution, and never leaves the
 * returned object.
 */
export async function partnerInstanceTarget(ctx: Context, rawId: unknown, itemIndex?: number): Promise<InstanceCredentials> {
	const idInstance = String(rawId ?? '').trim();
	if (!/^\d{1,10}$/.test(idInstance)) {
		throw localItemError(ctx.getNode(), `Instance ID must be the digits of an instance of this partner account, got "${idInstance.slice(0, 40)}" [item ${itemIndex ?? 0}]`, {
			itemIndex,
			description: 'Use the idInstance from List Instances or from the fleet trigger\'s item, e.g. {{ $json.idInstance }}.',
		});
	}
	const credentials = await partnerCredentials(ctx, itemIndex);
	const key = fleetKey(ctx, credentials);
	const now = Date.now();
	sweep(now);
	let entry = key ? fleets.get(key) : undefined;
	const list = (into: FleetEntry) => {
		into.tokens = tokensOf(ctx, itemIndex);
		into.at = Date.now();
		// A failed listing is not kept: the next item to come asks again.
		into.tokens.catch(() => key && fleets.get(key) === into && fleets.delete(key));
	};
	if (!entry) {
		entry = { tokens: Promise.resolve(new Map()), at: now, relisted: false };
		list(entry);
		if (key) fleets.set(key, entry);
	}
	const current = entry;
	// The list is shared: a failure of it is reported under each item's own number.
	const lookUp = async () => {
		const tokens = await current.tokens.catch((error: unknown) => error);
		if (tokens instanceof Map) return tokens.get(idInstance);
		const failure = tokens instanceof PartnerApiError ? tokens.greenApiFailure : undefined;
		if (!failure) throw tokens;
		throw new PartnerApiError(ctx.getNode(), failure, { method: 'getInstances', itemIndex, host: hostOf(credentials.partnerApiUrl), secrets: [credentials.partnerToken] });
	};
	let token = await lookUp();
	if (token === undefined && key) {
		// Created in this execution, or by someone else a moment ago: one more look, shared by
		// every item that misses (an item that missed in the first list waits for this one too).
		if (!entry.relisted) {
			entry.relisted = true;
			list(entry);
		}
		token = await lookUp();
	}
	if (token === undefined) {
		throw localItemError(ctx.getNode(), `Instance ${idInstance} is not a live instance of this partner account [item ${itemIndex ?? 0}]`, {
			itemIndex,
			description:
				'List Instances shows the instances of the account behind this GREEN-API Partner API credential. A deleted or expired instance cannot be reached; an instance of another account needs that account\'s credential.',
		});
	}
	return { apiUrl: instanceApiUrl(credentials, idInstance), idInstance, apiTokenInstance: token };
}

/**
 * The instance an item of an instance operation runs on when the node uses the partner
 * credential (its Instance ID parameter); undefined with the instance credential.
 */
export async function fleetTarget(ctx: IExecuteSingleFunctions): Promise<InstanceCredentials | undefined> {
	if (ctx.getNodeParameter('authentication', 'instance') !== 'partner') return undefined;
	return await partnerInstanceTarget(ctx, ctx.getNodeParameter('idInstance', ''), ctx.getItemIndex());
}

/**
 * What to check when an instance reached through the partner credential refuses a request:
 * the URL and the token came from the partner credential, not from an instance credential.
 */
export function targetHint(status: number | undefined, host: string): string | undefined {
	switch (status) {
		case 401:
			return 'The token came from the partner account\'s list a moment ago: the instance may have been deleted or recreated since. Run again; List Instances shows the account\'s instances.';
		case 403:
		case 404:
			return `The instance was sent to ${host}, as the Instance API URL fields of the GREEN-API Partner API credential say. GREEN-API answers ${status} when an instance lives at another host: copy its apiUrl from the console into Instance API URL Exceptions.`;
		default:
			return undefined;
	}
}
