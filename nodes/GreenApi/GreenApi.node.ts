import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { instanceDescription, instanceOperations } from './resources/instance';
import { operationSubtitle, optionsField } from './shared/descriptions';

export class GreenApi implements INodeType {
	// The rule looks for a literal subtitle; ours is derived from the operation list (each name written once).
	// eslint-disable-next-line n8n-nodes-base/node-class-description-missing-subtitle
	description: INodeTypeDescription = {
		displayName: 'GREEN-API',
		name: 'greenApi',
		icon: { light: 'file:../../icons/greenApi.svg', dark: 'file:../../icons/greenApi.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: operationSubtitle(instanceOperations),
		description: 'Watch and manage WhatsApp instances through GREEN-API: state alerts, number checks, QR codes, reboots, unban appeals',
		defaults: { name: 'GREEN-API' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'greenApi', required: true }],
		requestDefaults: { headers: { Accept: 'application/json' } },
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Instance', value: 'instance' }],
				default: 'instance',
			},
			...instanceDescription,
			optionsField(instanceOperations),
		],
	};
}
