import { NodeOperationError, sleep } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, IPollFunctions } from 'n8n-workflow';

import { GREEN_API_CREDENTIAL, METHODS, readCredentials } from './api';
import type { GreenApiMethod, InstanceCredentials } from './api';
import { failureFromThrown, isRetryable, readAnswer, toNodeApiError } from './errors';
import type { FailureInfo, HttpAnswer } from './errors';
import { pacerFor } from './pacing';

export const DEFAULT_TIMEOUT_MS = 60_000;
/** Attempts in all for a retryable answer (GREEN-API advises up to 3 repeats for 502). */
export const MAX_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;

export interface SendOptions {
	method: GreenApiMethod;
	/** Lower than the documented limit, for instances shared with other tools. */
	maxPerSecond?: number;
	timeoutMs?: number;
	itemIndex?: number;
}

type Context = IExecuteSingleFunctions | IPollFunctions;

function hostOf(apiUrl: string): string {
	try {
		return new URL(apiUrl).host;
	} catch {
		return apiUrl;
	}
}

export async function instanceCredentials(ctx: Context): Promise<InstanceCredentials> {
	const data: ICredentialDataDecryptedObject = await ctx.getCredentials(GREEN_API_CREDENTIAL);
	try {
		return readCredentials(data);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
			description: 'Open the GREEN-API credential of this node and correct the field.',
		});
	}
}

function backoffMs(info: FailureInfo, attempt: number): number {
	if (info.retryAfterMs !== undefined) return Math.min(info.retryAfterMs, 60_000);
	const base = Math.min(BACKOFF_BASE_MS * 2 ** (attempt - 1), BACKOFF_MAX_MS);
	return base / 2 + Math.random() * (base / 2);
}

/**
 * The one request loop of the package: waits for the instance's pace, sends, and repeats
 * 429/499/502/503 answers with backoff (never for unban). What still fails becomes a
 * token-free NodeApiError naming the item.
 */
export async function sendPaced<T>(ctx: Context, options: SendOptions, send: () => Promise<T>): Promise<T> {
	const credentials = await instanceCredentials(ctx);
	const spec = METHODS[options.method];
	const perSecond = Math.min(spec.perSecond, options.maxPerSecond && options.maxPerSecond > 0 ? options.maxPerSecond : Infinity);
	const pacer = pacerFor(`${credentials.apiUrl}|${credentials.idInstance}|${options.method}`, perSecond);
	const attempts = spec.retry ? MAX_ATTEMPTS : 1;
	for (let attempt = 1; ; attempt++) {
		await pacer.turn();
		let info: FailureInfo;
		try {
			return await send();
		} catch (error) {
			info = failureFromThrown(error);
		}
		if (attempt < attempts && isRetryable(info)) {
			const wait = backoffMs(info, attempt);
			if (info.status === 429) pacer.holdFor(wait);
			await sleep(wait);
			continue;
		}
		throw toNodeApiError(ctx.getNode(), info, {
			method: options.method,
			itemIndex: options.itemIndex,
			host: hostOf(credentials.apiUrl),
			timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
			attempts: attempt,
			secrets: [credentials.apiTokenInstance],
		});
	}
}

/**
 * A call made from code (the trigger): the credential's authenticate builds the URL,
 * HTTP statuses come back as answers, and the loop above handles the rest.
 */
export async function greenApiRequest(
	ctx: IPollFunctions,
	options: SendOptions & { body?: IDataObject | string },
): Promise<unknown> {
	const spec = METHODS[options.method];
	return await sendPaced(ctx, options, async () => {
		const request: IHttpRequestOptions = {
			method: spec.verb,
			url: `/${options.method}`,
			headers: { Accept: 'application/json' },
			timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
			ignoreHttpStatusErrors: true,
			returnFullResponse: true,
		};
		if (options.body !== undefined) {
			request.body = options.body;
			request.headers = { ...request.headers, 'Content-Type': 'application/json' };
		}
		const answer = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, GREEN_API_CREDENTIAL, request)) as HttpAnswer;
		return readAnswer(answer);
	});
}
