import type { IExecuteSingleFunctions } from 'n8n-workflow';

import { localItemError } from '../../../client/errors';
import { explainUnbanStatus } from '../../../client/states';
import type { GreenApiOperation, RequestBody } from '../../operation';
import { phoneNumberOf } from '../../perNumber';

function appeal(ctx: IExecuteSingleFunctions): RequestBody {
	const phoneNumber = phoneNumberOf(ctx);
	const description = ctx.getNodeParameter('description', '');
	if (typeof description !== 'string' || description.trim() === '') {
		const itemIndex = ctx.getItemIndex();
		throw localItemError(ctx.getNode(), `Description in item ${itemIndex} is empty`, {
			itemIndex,
			description: 'GREEN-API files the description as the appeal: write why the number should be unbanned, naming the number.',
		});
	}
	return { phoneNumber, description: description.trim() };
}

export const unban: GreenApiOperation = {
	name: 'Unban',
	value: 'unban',
	method: { name: 'unban', verb: 'POST', perSecond: 1, published: false, effect: 'files' },
	action: 'Appeal the ban of a number',
	description: 'File an appeal against the ban of a number of this instance (one appeal per run)',
	toolDescription: 'File an appeal against the ban of a number of this instance. Returns status, reason and explanation.',
	warning:
		'Each run files a new appeal with WhatsApp, one per item, and needs a Description (the appeal text). It is never sent twice by a retry: not by the node, and with Retry On Fail on not by a later try of n8n either. To follow an appeal, use Get Appeal Status.',
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
	body: appeal,
	output: async (answer, sent) => [
		{ json: { phoneNumber: sent.phoneNumber, ...answer, explanation: explainUnbanStatus(answer.status) } },
	],
};
