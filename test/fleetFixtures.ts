/** The fleet trigger's test and benchmark setup: a partner credential for a sandbox account, and its poll. */
import type { ICredentialDataDecryptedObject, ICredentialType, INodeParameters } from 'n8n-workflow';

import { credentialTypes, greenApiTrigger } from './fixtures';
import type { Sandbox } from './fixtures';
import { runPoll } from './harness/engine';
import type { PollRunOptions, PollRunResult } from './harness/engine';

const partnerCredentialType: ICredentialType = {
	name: 'greenApiPartnerApi',
	displayName: 'GREEN-API Partner API',
	properties: [
		{ displayName: 'Partner API URL', name: 'partnerApiUrl', type: 'string', default: 'https://api.green-api.com' },
		{ displayName: 'Partner Token', name: 'partnerToken', type: 'string', typeOptions: { password: true }, default: '' },
	],
};

export const fleetCredentialTypes = { ...credentialTypes, greenApiPartnerApi: partnerCredentialType };

export function partnerCredentialsFor(sandbox: Sandbox, partnerToken: string): Record<string, ICredentialDataDecryptedObject> {
	return { greenApiPartnerApi: { partnerApiUrl: sandbox.url, partnerToken } };
}

/** The trigger with the partner credential (authentication: partner), through n8n-core's poll path. */
export async function pollFleetTrigger(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	parameters: INodeParameters,
	options: Partial<PollRunOptions> & Pick<PollRunOptions, 'mode'>,
): Promise<PollRunResult> {
	return await runPoll({
		nodeType: greenApiTrigger,
		credentialTypes: fleetCredentialTypes,
		credentials,
		parameters: { authentication: 'partner', ...parameters },
		...options,
	});
}
