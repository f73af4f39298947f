/** The fleet trigger's test and benchmark setup: a partner credential for a sandbox account, and its poll. */
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { GreenApiPartnerApi } from '../credentials/GreenApiPartnerApi.credentials';

import { credentialTypes, greenApiTrigger } from './fixtures';
import type { Sandbox } from './fixtures';
import { runPoll } from './harness/engine';
import type { PollRunOptions, PollRunResult } from './harness/engine';

export const fleetCredentialTypes = { ...credentialTypes, greenApiPartnerApi: new GreenApiPartnerApi() };

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
