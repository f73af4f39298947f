import type { IDataObject } from 'n8n-workflow';

import { PARTNER_METHODS, instanceApiUrl, partnerCredentials } from '../../../client/partner';
import type { PartnerInstance } from '../../../client/partner';
import { isAiTool } from './index';
import type { PartnerOperation } from './index';

const show = { show: { resource: ['partner'], operation: ['listInstances'] } };

interface Filters {
	typeInstance?: string[];
	nameContains?: string;
	includeDeleted?: boolean;
	includeExpired?: boolean;
}

export const TOKENS_LEFT_OUT =
	'API tokens are left out of the output: anyone who can read the execution could use them. Turn on Include API Tokens only when the next node needs them; instance operations on this credential look the token up themselves.';

export const listInstances: PartnerOperation = {
	name: 'List Instances',
	value: 'listInstances',
	method: PARTNER_METHODS.getInstances,
	action: 'List the instances of the partner account',
	description: 'List the instances of the partner account, one item each: ID, name, type, dates, and the API URL they are reached at',
	toolDescription:
		'List the WhatsApp instances of the GREEN-API partner account. Use it to find an instance by name or to count instances. Returns one item per instance: idInstance, name, typeInstance, timeCreated, expirationDate, apiUrl. Deleted and expired instances are left out. No API tokens are returned.',
	warning: TOKENS_LEFT_OUT,
	fields: [
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			displayOptions: show,
			options: [
				{
					displayName: 'Include Deleted',
					name: 'includeDeleted',
					type: 'boolean',
					default: false,
					description: 'Whether to list deleted instances too (GREEN-API lists them for 3 months)',
				},
				{
					displayName: 'Include Expired',
					name: 'includeExpired',
					type: 'boolean',
					default: false,
					description: 'Whether to list instances whose paid period has ended',
				},
				{
					displayName: 'Name Contains',
					name: 'nameContains',
					type: 'string',
					default: '',
					description: 'Only instances whose name contains this text (case-insensitive)',
				},
				{
					displayName: 'Type',
					name: 'typeInstance',
					type: 'multiOptions',
					default: [],
					description: 'Only instances of these types (none chosen: all)',
					options: [
						{ name: 'Instagram', value: 'instagram' },
						{ name: 'MAX', value: 'v3' },
						{ name: 'Telegram', value: 'telegram' },
						{ name: 'WhatsApp', value: 'whatsapp' },
					],
				},
			],
		},
		{
			displayName: 'Include API Tokens',
			name: 'includeApiTokens',
			type: 'boolean',
			default: false,
			description: 'Whether to put each instance\'s apiTokenInstance in its item. Off by default: the tokens would be stored with the execution.',
			// A model never gets the tokens: the tool variant of the node does not offer the switch.
			displayOptions: { show: { resource: ['partner'], operation: ['listInstances'] }, hide: { '@tool': [true] } },
		},
	],
	async output(answer) {
		const filters = this.getNodeParameter('filters', {}) as Filters;
		const withTokens = (this.getNodeParameter('includeApiTokens', false) as boolean) && !isAiTool(this);
		const credentials = await partnerCredentials(this, this.getItemIndex());
		const nameContains = (filters.nameContains ?? '').trim().toLowerCase();
		const types = filters.typeInstance ?? [];
		const list = (Array.isArray(answer) ? answer : []) as PartnerInstance[];
		return list
			.filter((i) => i !== null && typeof i === 'object')
			.filter((i) => filters.includeDeleted || i.deleted !== true)
			.filter((i) => filters.includeExpired || i.isExpired !== true)
			.filter((i) => types.length === 0 || types.includes(String(i.typeInstance)))
			.filter((i) => nameContains === '' || String(i.name ?? '').toLowerCase().includes(nameContains))
			.map((instance) => {
				const { apiTokenInstance, ...rest } = instance;
				const json: IDataObject = { ...(rest as IDataObject), apiUrl: instanceApiUrl(credentials, String(instance.idInstance)) };
				if (withTokens) json.apiTokenInstance = apiTokenInstance as string;
				return { json };
			});
	},
};
