import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { instanceDescription, instanceOperations } from './resources/instance';
import { fleetInstanceField, partnerDescription, partnerOperations } from './resources/partner';
import { operationSubtitle, rateLimitText } from './fields';
import { perNumberOptions } from './perNumber';

export class GreenApi implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'GREEN-API',
		name: 'greenApi',
		icon: { light: 'file:../../icons/greenApi.svg', dark: 'file:../../icons/greenApi.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: operationSubtitle([...instanceOperations, ...partnerOperations]),
		description: 'Watch and manage WhatsApp instances through GREEN-API: state alerts, number checks, QR codes, reboots, unban appeals',
		defaults: { name: 'GREEN-API' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'greenApi', required: true, displayOptions: { show: { authentication: ['instance'] } } },
			{ name: 'greenApiPartnerApi', required: true, displayOptions: { show: { authentication: ['partner'] } } },
		],
		requestDefaults: { headers: { Accept: 'application/json' } },
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Instance (API Token)', value: 'instance', description: 'One instance: its ID and API token' },
					{ name: 'Partner Account (Partner Token)', value: 'partner', description: 'Every instance of a GREEN-API partner account' },
				],
				default: 'instance',
			},
			// One Resource parameter: n8n's nodes panel lists the actions of every Resource parameter
			// it finds, so a second one (shown only for the partner account) listed each action twice.
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Instance', value: 'instance' },
					{ name: 'Partner', value: 'partner', description: 'The instances of a partner account (Authentication: Partner Account)' },
				],
				default: 'instance',
			},
			fleetInstanceField,
			...instanceDescription,
			...partnerDescription,
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
