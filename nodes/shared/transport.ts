/**
 * One GREEN-API call, start to end, for both nodes:
 *
 *   credentials checked -> for each attempt: wait for the instance's pace (pacing.ts)
 *   -> HTTP through n8n's helper (the credential's authenticate adds the instance path and token)
 *   -> answer read (errors.ts: good JSON, or a classified failure)
 *   -> failure: retry.ts says wait and send again, or give up -> GreenApiError (token-free).
 *
 * Only the HTTP exchange is inside the loop: what the caller does with the answer afterwards
 * cannot be mistaken for a failure of GREEN-API.
 */
import { NodeOperationError, sleep } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IPollFunctions,
} from 'n8n-workflow';

import { GREEN_API_CREDENTIAL, METHODS, readCredentials } from './api';
import type { GreenApiMethod, InstanceCredentials } from './api';
import { GreenApiError, failureOfHttpError, readAnswer } from './errors';
import type { FailureInfo, HttpAnswer } from './errors';
import { pacerFor } from './pacing';
import { retryWait } from './retry';

export const DEFAULT_TIMEOUT_MS = 60_000;

export interface SendOptions {
	method: GreenApiMethod;
	/** Lower than the documented limit, for instances shared with other tools. */
	maxPerSecond?: number;
	timeoutMs?: number;
	/** Named in error messages. */
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

/** The credential's fields, checked; a mistake is the user's to fix, not an answer from GREEN-API. */
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

/** One attempt: the HTTP exchange and the reading of its answer, nothing else. */
async function attempt(ctx: Context, request: IHttpRequestOptions): Promise<{ ok: true; value: unknown } | { ok: false; failure: FailureInfo }> {
	let answer: HttpAnswer;
	try {
		answer = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, GREEN_API_CREDENTIAL, request)) as HttpAnswer;
	} catch (error) {
		return { ok: false, failure: failureOfHttpError(error) };
	}
	return readAnswer(answer);
}

/**
 * Sends `request` (relative URL `/<method>`, as the operation's routing or the trigger built it)
 * at the instance's pace and returns GREEN-API's JSON answer. A failure that is final under the
 * retry policy becomes a GreenApiError naming the item.
 */
export async function sendPaced(ctx: Context, request: IHttpRequestOptions, options: SendOptions): Promise<unknown> {
	const credentials = await instanceCredentials(ctx);
	const perSecond = Math.min(
		METHODS[options.method].perSecond,
		options.maxPerSecond && options.maxPerSecond > 0 ? options.maxPerSecond : Infinity,
	);
	const pacer = pacerFor(`${credentials.apiUrl}|${credentials.idInstance}|${options.method}`, perSecond);
	const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	// HTTP statuses come back as answers, so that errors.ts reads GREEN-API's own words.
	const sent: IHttpRequestOptions = { ...request, timeout: timeoutMs, ignoreHttpStatusErrors: true, returnFullResponse: true };
	for (let attemptNo = 1; ; attemptNo++) {
		await pacer.turn();
		const result = await attempt(ctx, sent);
		if (result.ok) return result.value;
		const wait = retryWait(options.method, result.failure, attemptNo);
		if (wait === undefined) {
			throw new GreenApiError(ctx.getNode(), result.failure, {
				method: options.method,
				itemIndex: options.itemIndex,
				host: hostOf(credentials.apiUrl),
				timeoutMs,
				attempts: attemptNo,
				secrets: [credentials.apiTokenInstance],
			});
		}
		// After a 429 every request to this instance waits, not only this one.
		if (result.failure.status === 429) pacer.holdFor(wait);
		await sleep(wait);
	}
}

/** A call made from code (the trigger): builds the request that a node's routing would declare. */
export async function greenApiRequest(
	ctx: IPollFunctions,
	options: SendOptions & { body?: IDataObject | string },
): Promise<unknown> {
	const request: IHttpRequestOptions = {
		method: METHODS[options.method].verb,
		url: `/${options.method}`,
		headers: { Accept: 'application/json' },
	};
	if (options.body !== undefined) {
		request.body = options.body;
		request.headers = { ...request.headers, 'Content-Type': 'application/json' };
	}
	return await sendPaced(ctx, request, options);
}
