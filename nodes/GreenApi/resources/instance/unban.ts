import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { jsonWithPhoneNumber } from '../../../shared/phone';
import { explainUnbanStatus } from '../../../shared/states';
import { phoneNumberOf, withFields } from '../../shared/routing';

export const unbanFields: INodeProperties[] = [
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		placeholder: 'Please review the ban of +44 1234 567890: it is used for customer support replies only.',
		description: 'The appeal text WhatsApp reviews. Name the blocked number and say how it is used.',
		displayOptions: { show: { resource: ['instance'], operation: ['unban'] } },
	},
];

export async function unbanBody(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const phoneNumber = phoneNumberOf(this);
	const description = this.getNodeParameter('description', '');
	if (typeof description !== 'string' || description.trim() === '') {
		const itemIndex = this.getItemIndex();
		throw new NodeOperationError(this.getNode(), `Description in item ${itemIndex} is empty`, {
			itemIndex,
			description: 'GREEN-API files the description as the appeal: write why the number should be unbanned, naming the number.',
		});
	}
	requestOptions.body = jsonWithPhoneNumber(phoneNumber, { description: description.trim() });
	requestOptions.headers = { ...requestOptions.headers, 'Content-Type': 'application/json' };
	return requestOptions;
}

export async function explainUnban(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const phoneNumber = phoneNumberOf(this);
	return withFields(items, (json) => ({ explanation: explainUnbanStatus(json.status) })).map((item) => ({
		...item,
		json: { phoneNumber, ...item.json },
	}));
}
