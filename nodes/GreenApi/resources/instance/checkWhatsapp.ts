import type { IExecuteSingleFunctions, IHttpRequestOptions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { jsonWithPhoneNumber } from '../../../shared/phone';
import { phoneNumberOf } from '../../shared/routing';

export const phoneNumberField = (operation: string, description: string): INodeProperties => ({
	displayName: 'Phone Number',
	name: 'phoneNumber',
	type: 'string',
	required: true,
	default: '',
	placeholder: '+44 1234 567890',
	description,
	displayOptions: { show: { resource: ['instance'], operation: [operation] } },
});

export const checkWhatsappFields: INodeProperties[] = [
	phoneNumberField(
		'checkWhatsapp',
		'The number to check, with the country code. Accepts +44 1234 567890, 0044..., (44) 1234-567890 or 441234567890@c.us.',
	),
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
