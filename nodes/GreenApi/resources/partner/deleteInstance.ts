import type { IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { localItemError } from '../../../shared/errors';
import { forgetFleet } from '../../../shared/partner';
import type { PartnerOperation } from './index';

const show = { show: { resource: ['partner'], operation: ['deleteInstance'] } };

/** GREEN-API wants the ID as a number; a typo must not reach it. */
async function idInstanceBody(this: IExecuteSingleFunctions, request: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const raw = String(this.getNodeParameter('idInstance', '') ?? '').trim();
	if (!/^\d{1,10}$/.test(raw)) {
		const itemIndex = this.getItemIndex();
		throw localItemError(this.getNode(), `Delete Instance: Instance ID must be 1 to 10 digits, got "${raw.slice(0, 40)}" [item ${itemIndex}]`, {
			itemIndex,
			description: 'Use the idInstance from List Instances, e.g. {{ $json.idInstance }}.',
		});
	}
	return { ...request, body: { idInstance: Number(raw) }, headers: { ...request.headers, 'Content-Type': 'application/json' } };
}

export const deleteInstance: PartnerOperation = {
	name: 'Delete Instance',
	value: 'deleteInstance',
	method: 'deleteInstanceAccount',
	action: 'Delete an instance',
	description: 'Delete an instance of the partner account for good; the linked phone is not logged out (run Logout first)',
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
	preSend: idInstanceBody,
	async output(answer) {
		await forgetFleet(this);
		const idInstance = String(this.getNodeParameter('idInstance', '')).trim();
		return [{ json: { idInstance, ...(answer && typeof answer === 'object' ? answer : { deleteInstanceAccount: answer }) } }];
	},
};
