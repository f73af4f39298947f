import type { IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { localItemError } from '../../../shared/errors';
import { explainUnbanStatus } from '../../../shared/states';
import { numberSent, phoneNumberOf, withPhoneNumberBody } from '../../shared/perNumber';
import type { GreenApiOperation } from '../../shared/routing';

async function unbanBody(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const phoneNumber = phoneNumberOf(this);
	const description = this.getNodeParameter('description', '');
	if (typeof description !== 'string' || description.trim() === '') {
		const itemIndex = this.getItemIndex();
		throw localItemError(this.getNode(), `Description in item ${itemIndex} is empty`, {
			itemIndex,
			description: 'GREEN-API files the description as the appeal: write why the number should be unbanned, naming the number.',
		});
	}
	return withPhoneNumberBody(requestOptions, phoneNumber, { description: description.trim() });
}

export const unban: GreenApiOperation = {
	name: 'Unban',
	value: 'unban',
	method: 'unban',
	action: 'Appeal the ban of a number',
	warning: 'Each run files a new appeal with WhatsApp, one per item. To follow an appeal, use Get Appeal Status.',
	description:
		'File an appeal against the ban of a number that was linked to this instance. Each call files an appeal: ask a human before using it.',
	perNumber: true,
	fields: [
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
	],
	preSend: [unbanBody],
	output: async (answer, sent) => [
		{ json: { phoneNumber: numberSent(sent), ...answer, explanation: explainUnbanStatus(answer.status) } },
	],
};
