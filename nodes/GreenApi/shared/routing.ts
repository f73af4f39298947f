import { NodeOperationError } from 'n8n-workflow';
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	INodePropertyRouting,
	PostReceiveAction,
	PreSendAction,
} from 'n8n-workflow';

import { METHODS, isGreenApiMethod } from '../../shared/api';
import type { GreenApiMethod } from '../../shared/api';
import { readAnswer } from '../../shared/errors';
import type { HttpAnswer } from '../../shared/errors';
import { normalizePhoneNumber } from '../../shared/phone';
import { DEFAULT_TIMEOUT_MS, sendPaced } from '../../shared/transport';

interface NodeOptions {
	maxRequestsPerSecond?: number;
	timeout?: number;
}

function nodeOptions(ctx: IExecuteSingleFunctions): NodeOptions {
	return ctx.getNodeParameter('options', {}) as NodeOptions;
}

function timeoutMs(ctx: IExecuteSingleFunctions): number {
	const seconds = nodeOptions(ctx).timeout;
	return seconds && seconds > 0 ? seconds * 1000 : DEFAULT_TIMEOUT_MS;
}

/** Runs before every request: the engine would otherwise wait 300 s for an answer. */
async function applyTimeout(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	requestOptions.timeout = timeoutMs(this);
	return requestOptions;
}

/**
 * Sends the item's request through the shared pace-and-retry loop. n8n starts every item's
 * request at once; declarative nodes can hand the sending to a function, and this is it.
 */
async function sendThroughPacer(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const name = String(requestData.options.url ?? '').replace(/^\//, '');
	if (!isGreenApiMethod(name)) throw new NodeOperationError(this.getNode(), `Unknown GREEN-API method "${name}"`);
	const itemIndex = this.getItemIndex();
	const items = await sendPaced(
		this,
		{ method: name, maxPerSecond: nodeOptions(this).maxRequestsPerSecond, timeoutMs: timeoutMs(this), itemIndex },
		async () => await this.makeRoutingRequest(requestData),
	);
	return items.map((item) => ({ ...item, pairedItem: { item: itemIndex } }));
}

/** First step of every answer: a good answer's JSON, or a failure for the loop to judge. */
async function checkAnswer(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const value = readAnswer(response as HttpAnswer);
	const json = (value && typeof value === 'object' && !Array.isArray(value) ? value : { value }) as IDataObject;
	return [{ json }];
}

/** The routing of one operation: its GREEN-API method, any request building, any output shaping. */
export function greenApiRouting(
	method: GreenApiMethod,
	steps: { preSend?: PreSendAction[]; postReceive?: PostReceiveAction[] } = {},
): INodePropertyRouting {
	return {
		request: { method: METHODS[method].verb, url: `/${method}`, ignoreHttpStatusErrors: true },
		send: { paginate: true, preSend: [applyTimeout, ...(steps.preSend ?? [])] },
		operations: { pagination: sendThroughPacer },
		output: { postReceive: [checkAnswer, ...(steps.postReceive ?? [])] },
	};
}

// The request step and the answer step of one item share its context: evaluate the expression once.
const phoneNumbers = new WeakMap<IExecuteSingleFunctions, string>();

/** The item's Phone Number as digits, or an error naming the item and the value. */
export function phoneNumberOf(ctx: IExecuteSingleFunctions): string {
	const cached = phoneNumbers.get(ctx);
	if (cached !== undefined) return cached;
	const itemIndex = ctx.getItemIndex();
	try {
		const digits = normalizePhoneNumber(ctx.getNodeParameter('phoneNumber'));
		phoneNumbers.set(ctx, digits);
		return digits;
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `Phone Number in item ${itemIndex}: ${(error as Error).message}`, {
			itemIndex,
			description: 'Use the international format with the country code, e.g. +44 1234 567890 or 441234567890.',
		});
	}
}

/** Copies an answer's JSON and adds fields, keeping GREEN-API's own fields first. */
export function withFields(items: INodeExecutionData[], fields: (json: IDataObject) => IDataObject): INodeExecutionData[] {
	return items.map((item) => ({ ...item, json: { ...item.json, ...fields(item.json) } }));
}
