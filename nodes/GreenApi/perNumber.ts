/**
 * The request and answer steps of operations that send one phone number per item, and the
 * rules every per-number operation's output follows (no code in the operation files):
 * - the input item's fields come through, with the answer's fields added (Keep Input Fields);
 *   on a name clash the answer wins, unless Put Answer In Field puts the answer under a name;
 * - so do error items under Continue On Fail (`errorWithInputFields`);
 * - an item whose request an earlier item of the execution already made (same number, same
 *   body) gets that answer without a request, marked `repeatOfEarlierItem: true`.
 */
import type { IDataObject, IExecuteSingleFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { localItemError } from '../client/errors';
import { normalizePhoneNumber } from '../client/phone';
import type { RequestBody } from './operation';

/** The item's Phone Number as digits, or an error naming the item and the value. */
export function phoneNumberOf(ctx: IExecuteSingleFunctions): string {
	const itemIndex = ctx.getItemIndex();
	try {
		return normalizePhoneNumber(ctx.getNodeParameter('phoneNumber'));
	} catch (error) {
		throw localItemError(ctx.getNode(), `Phone Number in item ${itemIndex}: ${(error as Error).message}`, {
			itemIndex,
			description: 'Use the international format with the country code, e.g. +44 1234 567890 or 441234567890.',
		});
	}
}

/** The body of an operation that sends only the item's phone number: `{"phoneNumber": <digits>}`. */
export function phoneNumberBody(ctx: IExecuteSingleFunctions): RequestBody {
	return { phoneNumber: phoneNumberOf(ctx) };
}

/** Marks an item answered by an earlier item's identical request (present only when true). */
export const REPEAT_FIELD = 'repeatOfEarlierItem';

export interface PerNumberOptions {
	keepInputFields?: boolean;
	answerField?: string;
}

/** The options of per-number operations, for the node's Options collection. */
export function perNumberOptions(operations: Array<{ value: string; perNumber?: boolean }>): INodeProperties[] {
	const show = { show: { '/operation': operations.filter((op) => op.perNumber).map((op) => op.value) } };
	return [
		{
			displayName: 'Keep Input Fields',
			name: 'keepInputFields',
			type: 'boolean',
			default: true,
			description:
				"Whether each output item keeps the input item's fields (e.g. a contact's name) with the answer added. On a name clash the answer's field wins; use Put Answer In Field to keep both.",
			displayOptions: show,
		},
		{
			displayName: 'Put Answer In Field',
			name: 'answerField',
			type: 'string',
			default: '',
			placeholder: 'whatsapp',
			description:
				"Empty: the answer's fields sit at the top level of the item. A name: the answer goes under that field and the input item's fields stay as they were.",
			displayOptions: show,
		},
	];
}

/**
 * Whether the input item's fields go into the output: not with Keep Input Fields off, and not
 * when the node runs as an AI agent's or MCP client's tool (n8n marks that node with
 * `rewireOutputLogTo`): its input item is the tool call (the model's arguments, the agent's own
 * input), not data of the user's to carry on, and the model should get the answer alone.
 */
function keepsInput(ctx: IExecuteSingleFunctions, options: PerNumberOptions): boolean {
	return options.keepInputFields !== false && ctx.getNode().rewireOutputLogTo !== NodeConnectionTypes.AiTool;
}

/** The output items of a per-number operation: the answer with the input item's fields, as the options say. */
export function withInputFields(
	ctx: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	repeated: boolean,
	options: PerNumberOptions,
): INodeExecutionData[] {
	const input = keepsInput(ctx, options) ? (ctx.getInputData()?.json ?? {}) : {};
	const field = options.answerField?.trim();
	return items.map((item) => {
		const answer: IDataObject = repeated ? { ...item.json, [REPEAT_FIELD]: true } : item.json;
		return { ...item, json: field ? { ...input, [field]: answer } : { ...input, ...answer } };
	});
}

/**
 * The error item of a per-number operation under Continue On Fail, with the input item's
 * fields; undefined with Keep Input Fields off or as a tool (n8n's own error item then). n8n replaces the
 * json of an item that carries the error object with `{ error: message }`, so here the error
 * is plain data: with "Continue (using error output)" the bare `{ error, details }`, to which n8n adds
 * the input item's fields itself (it does so only for a bare one); with "Continue (regular
 * output)" the input item's fields and `error`.
 */
export function errorWithInputFields(ctx: IExecuteSingleFunctions, error: Error, options: PerNumberOptions): INodeExecutionData | undefined {
	if (!keepsInput(ctx, options)) return undefined;
	// `details`: what to do (the error's description), which the item would lose with the error object.
	const description = (error as { description?: unknown }).description;
	const json: IDataObject = { error: error.message, ...(typeof description === 'string' && description ? { details: description } : {}) };
	if (ctx.getNode().onError === 'continueErrorOutput') return { json };
	return { json: { ...(ctx.getInputData()?.json ?? {}), ...json } };
}
