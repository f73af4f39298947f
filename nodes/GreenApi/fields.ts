/**
 * Fields and texts shared by several operations, and those derived from the operation files,
 * so that each fact is written once.
 */
import type { INodeProperties } from 'n8n-workflow';

import type { GreenApiOperation } from './operation';

/**
 * One Phone Number property for every per-number operation: n8n evaluates every property of a
 * declarative node per item, so one property costs one evaluation whichever operation runs.
 */
export function phoneNumberField(resource: string, operations: GreenApiOperation[]): INodeProperties {
	return {
		displayName: 'Phone Number',
		name: 'phoneNumber',
		type: 'string',
		required: true,
		default: '',
		placeholder: '+44 1234 567890',
		description:
			'With the country code. Accepts +44 1234 567890, 0044..., (44) 1234-567890 or 441234567890@c.us. For Unban and Get Appeal Status: the banned number of this instance; for Get Link Code: the phone to link.',
		displayOptions: { show: { resource: [resource], operation: operations.filter((op) => op.perNumber).map((op) => op.value) } },
	};
}

/** The node's subtitle: the display name of the chosen operation. */
export function operationSubtitle(operations: GreenApiOperation[]): string {
	const names = Object.fromEntries(operations.map((op) => [op.value, op.name]));
	return `={{ ${JSON.stringify(names)}[$parameter["operation"]] }}`;
}

function listed(names: string[]): string {
	return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** GREEN-API's limit per operation, grouped by rate: "1/s for Get State and Reboot; 10/s for ...". */
export function rateLimitText(operations: GreenApiOperation[]): string {
	const byRate = new Map<number, string[]>();
	const unpublished = new Map<number, string[]>();
	for (const op of operations) {
		const spec = op.method;
		const group = spec.published ? byRate : unpublished;
		group.set(spec.perSecond, [...(group.get(spec.perSecond) ?? []), op.name]);
	}
	const sorted = (group: Map<number, string[]>) => [...group.entries()].sort(([a], [b]) => a - b);
	return [
		...sorted(byRate).map(([rate, names]) => `${rate}/s for ${listed(names)}`),
		...sorted(unpublished).map(([rate, names]) => `none published for ${listed(names)} (sent at ${rate}/s)`),
	].join('; ');
}

/**
 * A warning in the parameter panel of an operation that changes the instance for good or for a
 * while: the operation list's description is only seen while choosing.
 */
export function noticeField(resource: string, operation: string, text: string): INodeProperties {
	return {
		displayName: text,
		name: `${operation}Notice`,
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: [resource], operation: [operation] } },
	};
}

/**
 * What a model reads about each operation used as an AI tool: when to use it and what it
 * returns (the operation's toolDescription, with its warning). n8n's own automatic tool
 * description is only "<action> in GREEN-API"; n8n adds its Tool Description parameter only to a
 * node that has no `toolDescription` property (convertNodeToAiTool in n8n 1.x and 2.x), and a tool
 * without a stored value reads the property's default (NodeHelpers.getToolDescriptionForNode). So
 * each operation brings its own default, shown only on the tool variant of the node ('@tool'),
 * and users can still rewrite it.
 */
export function toolDescriptionFields(resource: string, operations: GreenApiOperation[]): INodeProperties[] {
	return operations.map((op) => ({
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: toolText(op),
		description: 'What the AI model reads about this tool: when to use it and what it returns. Rewrite it to fit your agent.',
		displayOptions: { show: { resource: [resource], operation: [op.value], '@tool': [true] } },
	}));
}

/** An operation's tool description: with a warning, the warning and "ask a human first". */
export function toolText(op: GreenApiOperation): string {
	if (!op.warning) return op.toolDescription;
	return `${op.toolDescription} ${op.warning} Ask a human and get their approval before using it.`;
}
