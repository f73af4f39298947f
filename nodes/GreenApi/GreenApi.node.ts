import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { instanceDescription, instanceOperations } from './resources/instance';
import { operationSubtitle, rateLimitText } from './fields';
import { perNumberOptions } from './perNumber';

export class GreenApi implements INodeType {
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
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Max Requests Per Second',
						name: 'maxRequestsPerSecond',
						type: 'number',
						typeOptions: { minValue: 0.01, numberPrecision: 2 },
						default: 10,
						description: `Send no faster than this for this instance, below GREEN-API's own limit (${rateLimitText(instanceOperations)}). Lower it when other tools use the same instance.`,
					},
					{
						displayName: 'Timeout',
						name: 'timeout',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 60,
						description: 'Seconds to wait for GREEN-API to answer one request',
					},
					...perNumberOptions(instanceOperations),
				],
			},
		],
	};
}
