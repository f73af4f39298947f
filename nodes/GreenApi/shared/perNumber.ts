/** The request and answer steps of operations that send one phone number per item. */
import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { jsonWithPhoneNumber, normalizePhoneNumber, phoneNumberInJson } from '../../shared/phone';

/** The item's Phone Number as digits, or an error naming the item and the value. */
export function phoneNumberOf(ctx: IExecuteSingleFunctions): string {
	const itemIndex = ctx.getItemIndex();
	try {
		return normalizePhoneNumber(ctx.getNodeParameter('phoneNumber'));
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `Phone Number in item ${itemIndex}: ${(error as Error).message}`, {
			itemIndex,
			description: 'Use the international format with the country code, e.g. +44 1234 567890 or 441234567890.',
		});
	}
}

/** A JSON body with the item's phone number first (as GREEN-API's integer) and `rest` after it. */
export function withPhoneNumberBody(requestOptions: IHttpRequestOptions, digits: string, rest: IDataObject = {}): IHttpRequestOptions {
	requestOptions.body = jsonWithPhoneNumber(digits, rest);
	requestOptions.headers = { ...requestOptions.headers, 'Content-Type': 'application/json' };
	return requestOptions;
}

/** preSend: the body `{"phoneNumber": <digits>}`. */
export async function phoneNumberBody(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	return withPhoneNumberBody(requestOptions, phoneNumberOf(this));
}

/** Which number an answer is about (GREEN-API's answer does not say): the one that was sent. */
export function numberSent(sent: IHttpRequestOptions): string {
	const digits = phoneNumberInJson(sent.body);
	if (digits === undefined) throw new Error('the request carried no phone number');
	return digits;
}
