/**
 * One GREEN-API call, start to end, for both nodes:
 *
 *   credentials checked -> for each attempt: wait for the instance's pace (pacing.ts)
 *   -> HTTP through n8n's helper (the credential's authenticate adds the instance path and token)
 *   -> answer read (errors.ts: good JSON, or a classified failure)
 *   -> failure: retry.ts says wait and send again, or give up -> GreenApiError (token-free).
 *
 * Per-number operations go through sendOncePerRun: one request per distinct body in a run of
 * the node, and none after a 466 (runMemo.ts).
 *
 * With n8n's Retry On Fail on (a node setting), n8n runs the whole node again after a failure,
 * so the package's own retries step aside: each try of n8n sends a request once, and the error
 * says how many requests the tries made in all (triesOfRetryOnFail below). A later try sends
 * again only what failed: an item whose request succeeded gets that answer (no second reboot, no
 * second quota check), and a method that files something is never sent again.
 *
 * Only the HTTP exchange is inside the loop: what the caller does with the answer afterwards
 * cannot be mistaken for a failure of GREEN-API.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IPollFunctions,
} from 'n8n-workflow';

import { GREEN_API_CREDENTIAL, readCredentials } from './api';
import type { GreenApiMethod, InstanceCredentials } from './api';
import { clock } from './clock';
import { GreenApiError, failureOfHttpError, localItemError, readAnswer } from './errors';
import type { FailureInfo, HttpAnswer } from './errors';
import { pacerFor } from './pacing';
import type { Pacer } from './pacing';
import { retryWait } from './retry';
import { enterRunMemo } from './runMemo';
import type { Outcome, RunMemo } from './runMemo';

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
		throw localItemError(ctx.getNode(), (error as Error).message, {
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

interface Call {
	ctx: Context;
	credentials: InstanceCredentials;
	sent: IHttpRequestOptions;
	pacer: Pacer;
	options: SendOptions;
	timeoutMs: number;
}

/** What a request needs before its first attempt: the credential, the pace, the options. */
async function prepare(ctx: Context, request: IHttpRequestOptions, options: SendOptions): Promise<Call> {
	const credentials = await instanceCredentials(ctx);
	const perSecond = Math.min(
		options.method.perSecond,
		options.maxPerSecond && options.maxPerSecond > 0 ? options.maxPerSecond : Infinity,
	);
	const pacer = pacerFor(`${credentials.apiUrl}|${credentials.idInstance}|${options.method.name}`, perSecond);
	const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	// HTTP statuses come back as answers, so that errors.ts reads GREEN-API's own words.
	const sent: IHttpRequestOptions = { ...request, timeout: timeoutMs, ignoreHttpStatusErrors: true, returnFullResponse: true };
	return { ctx, credentials, sent, pacer, options, timeoutMs };
}

/**
 * The attempts of one request, at the instance's pace, until an answer or a final failure.
 * With a run memo: no attempt once the run's quota is used up, and no waiting for the pace then.
 */
async function attempts(call: Call, memo?: RunMemo): Promise<Outcome> {
	const tries = triesOfRetryOnFail(call);
	if (tries?.settled) return tries.settled;
	for (let attemptNo = 1; ; attemptNo++) {
		if (memo) {
			const quotaUsedUp = await memo.turn(call.pacer);
			if (quotaUsedUp) return quotaUsedUp;
		} else await call.pacer.turn();
		const result = await attempt(call.ctx, call.sent);
		// n8n's Retry On Fail sends the next try: this one ends here.
		if (tries) return tries.record(result);
		if (result.ok) return result;
		const wait = retryWait(call.options.method, result.failure, attemptNo);
		if (wait === undefined) return { ok: false, failure: result.failure, attempts: attemptNo };
		// After a 429 every request to this instance waits, not only this one.
		if (result.failure.status === 429) call.pacer.holdFor(wait);
		await clock.sleep(wait);
	}
}

/** What the tries of n8n's Retry On Fail did so far with one item's request. */
interface Tries {
	made: number;
	/** An answer, or any outcome of a method that files something: later tries get it instead of a request. */
	settled?: Outcome;
	seenAt: number;
}

const triesByRequest = new Map<string, Tries>();
/** n8n waits at most 5 s between at most 5 tries: an older record belongs to no retry. */
const TRIES_KEPT_MS = 10 * 60_000;

/**
 * With n8n's Retry On Fail on: this item's request in this execution (node, item, method,
 * body) across n8n's tries, so that the error counts every request made and a later try resends
 * only what failed (never what files something). Undefined when Retry On Fail is off.
 */
function triesOfRetryOnFail(call: Call): { settled?: Outcome; record(result: Outcome | { ok: false; failure: FailureInfo }): Outcome } | undefined {
	const node = call.ctx.getNode();
	const executionId = 'getExecutionId' in call.ctx ? call.ctx.getExecutionId() : undefined;
	if (node.retryOnFail !== true || !executionId) return undefined;
	const now = Date.now();
	for (const [key, tries] of triesByRequest) if (now - tries.seenAt > TRIES_KEPT_MS) triesByRequest.delete(key);
	const body = typeof call.sent.body === 'string' ? call.sent.body : JSON.stringify(call.sent.body ?? null);
	const key = [executionId, node.id ?? node.name, call.options.itemIndex, call.options.method.name, body].join('|');
	const earlier = triesByRequest.get(key);
	if (earlier?.settled) return { settled: earlier.settled, record: () => earlier.settled as Outcome };
	return {
		record(result) {
			const made = (earlier?.made ?? 0) + 1;
			const outcome: Outcome = result.ok ? result : { ok: false, failure: result.failure, attempts: made };
			const settled = outcome.ok || call.options.method.effect === 'files' ? outcome : undefined;
			triesByRequest.set(key, { made, settled, seenAt: now });
			return outcome;
		},
	};
}

/** The answer of an outcome, or the GreenApiError (token-free) that names the item. */
function answerOf(call: Call, outcome: Outcome): unknown {
	if (outcome.ok) return outcome.value;
	throw new GreenApiError(call.ctx.getNode(), outcome.failure, {
		method: call.options.method.name,
		itemIndex: call.options.itemIndex,
		host: hostOf(call.credentials.apiUrl),
		timeoutMs: call.timeoutMs,
		attempts: outcome.attempts,
		secrets: [call.credentials.apiTokenInstance],
	});
}

/**
 * Sends `request` (relative URL `/<method>`, as the operation's routing or the trigger built it)
 * at the instance's pace and returns GREEN-API's JSON answer. A failure that is final under the
 * retry policy becomes a GreenApiError naming the item.
 */
export async function sendPaced(ctx: Context, request: IHttpRequestOptions, options: SendOptions): Promise<unknown> {
	const call = await prepare(ctx, request, options);
	return answerOf(call, await attempts(call));
}

/**
 * Like sendPaced, once per run of the node (runMemo.ts): an item whose request (method and body)
 * an earlier item of the same run made gets that answer (`repeated`), or that failure under its
 * own item number; after a 466 no further request of the method is sent. Without an execution id
 * (nothing to tell runs apart by) it is sendPaced.
 */
export async function sendOncePerRun(
	ctx: IExecuteSingleFunctions,
	request: IHttpRequestOptions,
	options: SendOptions,
): Promise<{ answer: unknown; repeated: boolean }> {
	const executionId = ctx.getExecutionId();
	if (!executionId) return { answer: await sendPaced(ctx, request, options), repeated: false };
	const call = await prepare(ctx, request, options);
	const { apiUrl, idInstance } = call.credentials;
	const memo = enterRunMemo(`${executionId}|${apiUrl}|${idInstance}|${options.method.name}`);
	try {
		const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body ?? null);
		const { outcome, repeated } = await memo.once(body, async () => await attempts(call, memo));
		return { answer: answerOf(call, outcome), repeated };
	} finally {
		memo.leave();
	}
}

/** A call made from code (the trigger): builds the request that a node's routing would declare. */
export async function greenApiRequest(
	ctx: IPollFunctions,
	options: SendOptions & { body?: IDataObject | string },
): Promise<unknown> {
	const request: IHttpRequestOptions = {
		method: options.method.verb,
		url: `/${options.method.name}`,
		headers: { Accept: 'application/json' },
	};
	if (options.body !== undefined) {
		request.body = options.body;
		request.headers = { ...request.headers, 'Content-Type': 'application/json' };
	}
	return await sendPaced(ctx, request, options);
}
