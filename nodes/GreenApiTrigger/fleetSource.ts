/**
 * The fleet's instance list from the partner credential: each instance with its URL (where the
 * credential says instances live, partner.ts) and its token, for fleetPoll.ts.
 */
import type { IPollFunctions } from 'n8n-workflow';

import { instanceApiUrl, isLive, listPartnerInstances, partnerCredentials } from '../client/partner';
import type { FleetEntry, FleetSource } from './fleetPoll';

export async function fleetSource(ctx: IPollFunctions): Promise<FleetSource> {
	const credentials = await partnerCredentials(ctx);
	return {
		// Compared in memory only; a changed URL, host rule or token lists afresh.
		account: JSON.stringify(credentials),
		list: async () =>
			(await listPartnerInstances(ctx)).map(
				(i): FleetEntry => ({
					idInstance: String(i.idInstance),
					name: String(i.name ?? ''),
					typeInstance: String(i.typeInstance ?? ''),
					status: isLive(i) ? 'live' : i.deleted === true ? 'deleted' : 'expired',
					apiUrl: instanceApiUrl(credentials, String(i.idInstance)),
					apiTokenInstance: String(i.apiTokenInstance ?? ''),
				}),
			),
	};
}
