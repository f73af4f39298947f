/**
 * The fleet's instance list from the partner credential: each instance with its URL and token.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { normalizeApiUrl } from '../shared/api';
import type { FleetEntry, FleetSource } from './fleetPoll';

export async function fleetSource(ctx: IPollFunctions): Promise<FleetSource> {
	const data = await ctx.getCredentials('greenApiPartnerApi');
	const partnerApiUrl = normalizeApiUrl(data.partnerApiUrl);
	const partnerToken = String(data.partnerToken ?? '').trim();
	const instancesUrl = normalizeApiUrl(data.instancesApiUrl || partnerApiUrl);
	return {
		account: `${partnerApiUrl}|${partnerToken}`,
		list: async () => {
			const body = (await ctx.helpers.httpRequest({ method: 'GET', url: `${partnerApiUrl}/partner/getInstances/${partnerToken}`, json: true })) as unknown;
			if (!Array.isArray(body)) {
				const code = (body as IDataObject | undefined)?.code;
				throw new NodeOperationError(ctx.getNode(), `GREEN-API's partner list answered code ${String(code)}`);
			}
			return (body as IDataObject[]).map(
				(i): FleetEntry => ({
					idInstance: String(i.idInstance),
					name: String(i.name ?? ''),
					typeInstance: String(i.typeInstance ?? ''),
					status: i.deleted ? 'deleted' : i.isExpired ? 'expired' : 'live',
					apiUrl: instancesUrl,
					apiTokenInstance: String(i.apiTokenInstance ?? ''),
				}),
			);
		},
	};
}
