/**
 * Fields and texts shared by several operations, and those derived from the operation list
 * and the method table, so that each fact is written once.
 */
import type { INodeProperties } from 'n8n-workflow';

import { METHODS } from '../../shared/api';
import type { GreenApiOperation } from './routing';

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
			'With the country code. Accepts +44 1234 567890, 0044..., (44) 1234-567890 or 441234567890@c.us. For Unban: the banned number of this instance.',
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
	const unpublished: string[] = [];
	for (const op of operations) {
		const spec = METHODS[op.method];
		if (!spec.published) unpublished.push(`none published for ${op.name} (sent at ${spec.perSecond}/s)`);
		else byRate.set(spec.perSecond, [...(byRate.get(spec.perSecond) ?? []), op.name]);
	}
	const parts = [...byRate.entries()].sort(([a], [b]) => a - b).map(([rate, names]) => `${rate}/s for ${listed(names)}`);
	return [...parts, ...unpublished].join('; ');
}
