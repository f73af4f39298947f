/**
 * How one item of a GREEN-API operation goes, top to bottom:
 *
 *   1. n8n's RoutingNode builds the request from the operation's `routing` (declarative):
 *      `routing.request` gives the verb and the URL `/<method>`; `routing.send.preSend` steps of
 *      the operation file build the body (and throw `localItemError` for bad input: an error
 *      with no HTTP status, which the editor does not show as an answer from GREEN-API).
 *   2. `routing.operations.pagination` hands the built request to `runOperation` below, which
 *      a) sends it through shared/transport.ts `sendPaced`: pace, HTTP, retry policy. Only HTTP
 *         and network failures come out of it, as GreenApiError (a NodeApiError).
 *         A per-number operation sends through `sendOncePerExecution` instead: the same
 *         request made by an earlier item of the execution is not sent again (that answer, or
 *         that failure, is this item's too), and after a 466 nothing more is sent
 *         (shared/executionShare.ts);
 *      b) runs the operation's `output` step on the answer: an error there is our own, never a
 *         GREEN-API failure, and names the operation and the item;
 *      c) per-number operations: adds the input item's fields (perNumber.ts `withInputFields`);
 *      d) pairs the items with their input item; with Continue On Fail an error (of 1 included:
 *         `holdingErrors` keeps it for this step) becomes an error item paired likewise, with
 *         the input item's fields for per-number operations (`errorWithInputFields`).
 *
 * n8n's `routing.output.postReceive` is not used: RoutingNode runs it inside the request call it
 * gives the pagination hook, so it would sit inside the retry loop.
 * Without Continue On Fail, RoutingNode re-wraps any other error of an item's request (a
 * NodeOperationError from 1 or 2b included) in a NodeApiError with httpCode "none", which the
 * editor shows as "From GREEN-API, Error code: none"; the message stays ours. That is why local
 * checks and `itemError` use `localItemError` (shared/errors.ts).
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeProperties,
	PreSendAction,
} from 'n8n-workflow';

import { METHODS } from '../../shared/api';
import type { GreenApiMethod } from '../../shared/api';
import { localItemError } from '../../shared/errors';
import { fleetTarget } from '../../shared/partner';
import { DEFAULT_TIMEOUT_MS, sendOncePerExecution, sendPaced } from '../../shared/transport';
import type { SendOptions } from '../../shared/transport';
import { errorWithInputFields, withInputFields } from './perNumber';
import type { PerNumberOptions } from './perNumber';

/**
 * Shapes GREEN-API's answer into output items. `sent` is the request as it went out (its body
 * says which number an answer is about). Throw `itemError` for an answer that cannot be used.
 */
export type OutputStep = (
	this: IExecuteSingleFunctions,
	answer: IDataObject,
	sent: IHttpRequestOptions,
) => Promise<INodeExecutionData[]>;

/** One operation of the node: what the editor shows, the GREEN-API method, and its steps. */
export interface GreenApiOperation {
	/** Display name, Title Case: shown in the operation list and as the node's subtitle. */
	name: string;
	value: string;
	method: GreenApiMethod;
	action: string;
	description: string;
	/** Sends one phone number per item: shows the shared Phone Number field (shared/descriptions.ts). */
	perNumber?: boolean;
	/**
	 * Set on operations that change the instance or file something with GREEN-API on every run:
	 * what happens, shown as a notice in the parameter panel and in the tool description. Tests
	 * that run every operation leave these out.
	 */
	warning?: string;
	/** Fields only this operation has. */
	fields?: INodeProperties[];
	/** Build the request body from the item's parameters. */
	preSend?: PreSendAction[];
	/** Without it, the answer's JSON is the output item. */
	output?: OutputStep;
}

interface NodeOptions extends PerNumberOptions {
	maxRequestsPerSecond?: number;
	timeout?: number;
}

/**
 * How the item's requests to `method` go: the node's Max Requests Per Second and Timeout
 * options, and with the partner credential the instance the item names (shared/partner.ts).
 */
export async function sendOptionsFor(ctx: IExecuteSingleFunctions, method: GreenApiMethod): Promise<SendOptions> {
	const options = ctx.getNodeParameter('options', {}) as NodeOptions;
	return {
		method,
		maxPerSecond: options.maxRequestsPerSecond,
		timeoutMs: options.timeout && options.timeout > 0 ? options.timeout * 1000 : DEFAULT_TIMEOUT_MS,
		itemIndex: ctx.getItemIndex(),
		target: await fleetTarget(ctx),
	};
}

/** A problem with one item that is not GREEN-API's doing: names the operation, the item, what to do. */
export function itemError(
	ctx: IExecuteSingleFunctions,
	operation: string,
	message: string,
	description: string,
): NodeApiError {
	const itemIndex = ctx.getItemIndex();
	return localItemError(ctx.getNode(), `${operation}: ${message} [item ${itemIndex}]`, { itemIndex, description });
}

/** GREEN-API answers objects; anything else is kept under `value`. */
function asJson(value: unknown): IDataObject {
	return (value && typeof value === 'object' && !Array.isArray(value) ? value : { value }) as IDataObject;
}

/**
 * An error of a preSend step, held for runOperation: RoutingNode makes an error item without
 * a pairing, and n8n's "Continue (using error output)" adds the input item's fields only to a
 * paired one.
 */
const heldErrors = new WeakMap<object, unknown>();

function holdingErrors(step: PreSendAction): PreSendAction {
	return async function (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		if (heldErrors.has(requestOptions)) return requestOptions;
		try {
			return await step.call(this, requestOptions);
		} catch (error) {
			heldErrors.set(requestOptions, error);
			return requestOptions;
		}
	};
}

/** Steps 2a-2d of the comment at the top, for one item. */
async function runItem(
	ctx: IExecutePaginationFunctions,
	operation: GreenApiOperation,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const itemIndex = ctx.getItemIndex();
	if (heldErrors.has(requestData.options)) throw heldErrors.get(requestData.options);
	const options = ctx.getNodeParameter('options', {}) as NodeOptions;
	// RoutingNode would send these options as they are (its rawRoutingRequest does the same cast).
	const sent = requestData.options as IHttpRequestOptions;

	const sendOptions = await sendOptionsFor(ctx, operation.method);
	const { answer, repeated } = operation.perNumber
		? await sendOncePerExecution(ctx, sent, sendOptions)
		: { answer: await sendPaced(ctx, sent, sendOptions), repeated: false };

	let items: INodeExecutionData[];
	try {
		items = operation.output ? await operation.output.call(ctx, asJson(answer), sent) : [{ json: asJson(answer) }];
	} catch (error) {
		// An itemError (or a GreenApiError of a further request) passes as it is; anything else is
		// a bug of ours: shown as itself (its message and stack kept), saying where it happened.
		throw error instanceof NodeOperationError || error instanceof NodeApiError
			? error
			: new NodeOperationError(ctx.getNode(), error as Error, {
					itemIndex,
					message: `${operation.name}: reading GREEN-API's answer failed: ${(error as Error).message} [item ${itemIndex}]`,
					description:
						'GREEN-API answered; the node could not turn the answer into output. Please report this with the operation name.',
				});
	}
	if (operation.perNumber) items = withInputFields(ctx, items, repeated, options);
	return items.map((item) => ({ ...item, pairedItem: { item: itemIndex } }));
}

/** The pagination hook of one operation: the item's output, or with Continue On Fail its paired error item. */
function runOperation(operation: GreenApiOperation) {
	return async function (
		this: IExecutePaginationFunctions,
		requestData: DeclarativeRestApiSettings.ResultOptions,
	): Promise<INodeExecutionData[]> {
		try {
			return await runItem(this, operation, requestData);
		} catch (error) {
			const itemIndex = this.getItemIndex();
			const failure =
				error instanceof NodeApiError || error instanceof NodeOperationError
					? error
					: new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			if (!this.continueOnFail()) throw failure;
			const pairedItem = { item: itemIndex };
			const withInput = operation.perNumber
				? errorWithInputFields(this, failure, this.getNodeParameter('options', {}) as NodeOptions)
				: undefined;
			if (withInput) return [{ ...withInput, pairedItem }];
			// The shape RoutingNode gives an error item, paired (n8n turns the json into `{ error }`).
			return [{ json: {}, error: failure, pairedItem }];
		}
	};
}

/** The operation as an option of the Operation parameter, with its routing. */
export function operationOption(operation: GreenApiOperation): INodePropertyOptions {
	return {
		name: operation.name,
		value: operation.value,
		action: operation.action,
		description: operation.description,
		routing: {
			request: { method: METHODS[operation.method].verb, url: `/${operation.method}` },
			send: { paginate: true, preSend: (operation.preSend ?? []).map(holdingErrors) },
			operations: { pagination: runOperation(operation) },
		},
	};
}

/** Copies an answer's JSON and adds fields, keeping GREEN-API's own fields first. */
export function withFields(json: IDataObject, fields: IDataObject): INodeExecutionData[] {
	return [{ json: { ...json, ...fields } }];
}
