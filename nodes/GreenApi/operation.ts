/**
 * An operation of the GREEN-API node, and how one item goes through it, top to bottom.
 *
 * n8n's RoutingNode runs a declarative node: for each item it takes the chosen operation's
 * `routing` (the verb and the URL `/<method>`, from `operationOption` below) and, since
 * `send.paginate` is on, hands the request to the operation's pagination hook instead of sending
 * it itself. That hook (`runItem`) is the one place declarative routing leaves for code that runs
 * per item, so the package paces, retries and reads answers there:
 *
 *   1. `body`: the operation builds the request body from the item's parameters; a bad value
 *      throws `localItemError` naming the item and the field, and nothing is sent;
 *   2. the request goes out through client/transport.ts (pace, HTTP, retry policy); per-number
 *      operations through `sendOncePerRun` (one request per distinct body in a run of the node,
 *      none after a 466);
 *   3. `output` shapes GREEN-API's answer into items; an error there is ours, never GREEN-API's;
 *   4. per-number operations add the input item's fields (perNumber.ts); every item is paired
 *      with its input item; with Continue On Fail an error becomes a paired error item.
 *
 * Without Continue On Fail, RoutingNode re-wraps any error of an item that is not a NodeApiError
 * in a NodeApiError with httpCode "none", which the editor shows as "From GREEN-API, Error code:
 * none": local checks and `itemError` therefore use `localItemError` (client/errors.ts).
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
} from 'n8n-workflow';

import type { GreenApiMethod } from '../client/api';
import { localItemError } from '../client/errors';
import { jsonWithPhoneNumber } from '../client/phone';
import { DEFAULT_TIMEOUT_MS, sendOncePerRun, sendPaced } from '../client/transport';
import type { SendOptions } from '../client/transport';
import { errorWithInputFields, withInputFields } from './perNumber';
import type { PerNumberOptions } from './perNumber';

/** A request body an operation builds for one item. `phoneNumber`: digits, sent as GREEN-API's integer. */
export interface RequestBody {
	phoneNumber?: string;
	[field: string]: string | number | boolean | undefined;
}

/** Shapes GREEN-API's answer into output items; `body` is what was sent. Throw `itemError` for an answer that cannot be used. */
export type OutputStep = (this: IExecuteSingleFunctions, answer: IDataObject, body: RequestBody) => Promise<INodeExecutionData[]>;

/** One operation of the node: everything about it, in its own file under resources/. */
export interface GreenApiOperation {
	/** Display name, Title Case: shown in the operation list and as the node's subtitle. */
	name: string;
	value: string;
	/** The GREEN-API method the operation calls: verb, limit, and what a repeat would do. */
	method: GreenApiMethod;
	/** Further methods its output step calls. */
	alsoCalls?: GreenApiMethod[];
	action: string;
	/** One short sentence for the operation list. */
	description: string;
	/** What an AI agent reads about the operation as a tool: when to use it, what it returns. */
	toolDescription: string;
	/**
	 * For operations that change the instance or file something on every run: what happens,
	 * shown as a notice in the parameter panel and put into the tool description.
	 */
	warning?: string;
	/** Sends one phone number per item: shows the shared Phone Number field (fields.ts). */
	perNumber?: boolean;
	/** Fields only this operation has. */
	fields?: INodeProperties[];
	/** The request body from the item's parameters; without it the request has none. */
	body?: (ctx: IExecuteSingleFunctions) => RequestBody;
	/** Without it, the answer's JSON is the output item. */
	output?: OutputStep;
}

interface NodeOptions extends PerNumberOptions {
	maxRequestsPerSecond?: number;
	timeout?: number;
}

/** How the item's requests to `method` go: the node's Max Requests Per Second and Timeout options. */
export function sendOptionsFor(ctx: IExecuteSingleFunctions, method: GreenApiMethod): SendOptions {
	const options = ctx.getNodeParameter('options', {}) as NodeOptions;
	return {
		method,
		maxPerSecond: options.maxRequestsPerSecond,
		timeoutMs: options.timeout && options.timeout > 0 ? options.timeout * 1000 : DEFAULT_TIMEOUT_MS,
		itemIndex: ctx.getItemIndex(),
	};
}

/** A problem with one item that is not GREEN-API's doing: names the operation, the item, what to do. */
export function itemError(ctx: IExecuteSingleFunctions, operation: string, message: string, description: string): NodeApiError {
	const itemIndex = ctx.getItemIndex();
	return localItemError(ctx.getNode(), `${operation}: ${message} [item ${itemIndex}]`, { itemIndex, description });
}

/** GREEN-API answers objects; anything else is kept under `value`. */
function asJson(value: unknown): IDataObject {
	return (value && typeof value === 'object' && !Array.isArray(value) ? value : { value }) as IDataObject;
}

/** The request as RoutingNode built it (verb, URL), with the operation's body. */
function withBody(built: DeclarativeRestApiSettings.ResultOptions['options'], body: RequestBody | undefined): IHttpRequestOptions {
	// RoutingNode would send these options as they are (its rawRoutingRequest does the same cast).
	const request = { ...built } as IHttpRequestOptions;
	if (body === undefined) return request;
	const { phoneNumber, ...rest } = body;
	request.body = phoneNumber === undefined ? JSON.stringify(rest) : jsonWithPhoneNumber(phoneNumber, rest);
	request.headers = { ...request.headers, 'Content-Type': 'application/json' };
	return request;
}

/** Steps 1-4 of the comment at the top, for one item. */
async function runItem(
	ctx: IExecutePaginationFunctions,
	operation: GreenApiOperation,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const itemIndex = ctx.getItemIndex();
	const body = operation.body?.(ctx);
	const request = withBody(requestData.options, body);

	const sendOptions = sendOptionsFor(ctx, operation.method);
	const { answer, repeated } = operation.perNumber
		? await sendOncePerRun(ctx, request, sendOptions)
		: { answer: await sendPaced(ctx, request, sendOptions), repeated: false };

	let items: INodeExecutionData[];
	try {
		items = operation.output ? await operation.output.call(ctx, asJson(answer), body ?? {}) : [{ json: asJson(answer) }];
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
	if (operation.perNumber) items = withInputFields(ctx, items, repeated, ctx.getNodeParameter('options', {}) as NodeOptions);
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
			request: { method: operation.method.verb, url: `/${operation.method.name}` },
			send: { paginate: true },
			operations: { pagination: runOperation(operation) },
		},
	};
}

/** Every method the operations call, by name: the one method table (the sandbox and docs checks read it too). */
export function methodTable(operations: GreenApiOperation[]): Record<string, GreenApiMethod> {
	const table: Record<string, GreenApiMethod> = {};
	for (const method of operations.flatMap((op) => [op.method, ...(op.alsoCalls ?? [])])) {
		const known = table[method.name];
		if (known && JSON.stringify(known) !== JSON.stringify(method)) {
			throw new Error(`GREEN-API method ${method.name} is declared twice, differently`);
		}
		table[method.name] = method;
	}
	return table;
}

/** Copies an answer's JSON and adds fields, keeping GREEN-API's own fields first. */
export function withFields(json: IDataObject, fields: IDataObject): INodeExecutionData[] {
	return [{ json: { ...json, ...fields } }];
}
