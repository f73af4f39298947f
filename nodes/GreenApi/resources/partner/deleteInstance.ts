import type { IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

import { localItemError } from '../../../client/errors';
import { PARTNER_METHODS, forgetFleet } from '../../../client/partner';
import type { PartnerOperation } from './index';

const show = { show: { resource: ['partner'], operation: ['deleteInstance'] } };

/** GREEN-API wants the ID as a number; a typo must not reach it. */
function idInstanceBody(ctx: IExecuteSingleFunctions): IDataObject {
	const raw = String(ctx.getNodeParameter('idInstance', '') ?? '').replace(/\s+/g, '');
	if (!/^\d{1,10}$/.test(raw)) {
		const itemIndex = ctx.getItemIndex();
		throw localItemError(ctx.getNode(), `Delete Instance: Instance ID must be 1 to 10 digits, got "${raw.slice(0, 40)}" [item ${itemIndex}]`, {
			itemIndex,
			description: 'Use the idInstance from List Instances, e.g. {{ $json.idInstance }}.',
		});
	}
	return { idInstance: Number(raw) };
}

export const deleteInstance: PartnerOperation = {
	name: 'Delete Instance',
	value: 'deleteInstance',
	method: PARTNER_METHODS.deleteInstanceAccount,
	action: 'Delete an instance',
	description: 'Delete an instance of the partner account for good; the linked phone is not logged out (run Logout first)',
	toolDescription: 'Delete an instance of the partner account for good. Input: the idInstance. Returns deleteInstanceAccount.',
	warning:
		'Deleting does not log the linked phone out of WhatsApp: run Logout on the instance first. The deletion cannot be undone, and it is never retried.',
	fields: [
		{
			displayName: 'Instance ID',
			name: 'idInstance',
			type: 'string',
			required: true,
			default: '',
			placeholder: '1101000001',
			description: 'The idInstance of the instance to delete, e.g. from List Instances',
			displayOptions: show,
		},
	],
	body: idInstanceBody,
	async output(answer, body) {
		await forgetFleet(this);
		const idInstance = String(body.idInstance);
		return [{ json: { idInstance, ...(answer && typeof answer === 'object' ? answer : { deleteInstanceAccount: answer }) } }];
	},
};
