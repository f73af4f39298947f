import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { jsonWithPhoneNumber } from '../../../shared/phone';
import { phoneNumberOf } from '../../shared/routing';

/** One property for both operations: n8n evaluates every property of a declarative node per item. */
export const checkWhatsappFields: INodeProperties[] = [
	{
		displayName: 'Phone Number',
		name: 'phoneNumber',
		type: 'string',
		required: true,
		default: '',
		placeholder: '+44 1234 567890',
		description:
			'With the country code. Accepts +44 1234 567890, 0044..., (44) 1234-567890 or 441234567890@c.us. For Unban: the banned number of this instance.',
		displayOptions: { show: { resource: ['instance'], operation: ['checkWhatsapp', 'unban'] } },
	},
];

export async function phoneNumberBody(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	requestOptions.body = jsonWithPhoneNumber(phoneNumberOf(this));
	requestOptions.headers = { ...requestOptions.headers, 'Content-Type': 'application/json' };
	return requestOptions;
}

/** Says which number the answer is about: GREEN-API's answer does not. */
export async function addPhoneNumber(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const phoneNumber = phoneNumberOf(this);
	return items.map((item) => ({ ...item, json: { phoneNumber, ...item.json } }));
}
