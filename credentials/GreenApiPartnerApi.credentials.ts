import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { DEFAULT_API_URL } from '../nodes/client/api';
import { withPartnerPath } from '../nodes/client/partner';

const WRONG_TOKEN = 'GREEN-API refused the Partner Token: copy it again from the profile page of the GREEN-API console, or ask GREEN-API support for it';

export class GreenApiPartnerApi implements ICredentialType {
	name = 'greenApiPartnerApi';

	displayName = 'GREEN-API Partner API';

	icon: Icon = { light: 'file:../icons/greenApi.svg', dark: 'file:../icons/greenApi.dark.svg' };

	documentationUrl = 'https://green-api.com/en/docs/partners/';

	properties: INodeProperties[] = [
		{
			displayName: 'Partner API URL',
			name: 'partnerApiUrl',
			type: 'string',
			default: DEFAULT_API_URL,
			placeholder: 'https://api.green-api.com',
			required: true,
			description:
				'Where the Partner API answers: https://api.green-api.com, or the partner URL shown in the GREEN-API console. Without a scheme, https:// is assumed; a pasted method URL is cut back to its host.',
		},
		{
			displayName: 'Partner Token',
			name: 'partnerToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The partner token from the profile page of the GREEN-API console (or from GREEN-API support)',
		},
		{
			displayName: 'Instance API URL',
			name: 'instanceApiUrl',
			type: 'string',
			default: '',
			placeholder: 'https://{prefix}.api.greenapi.com',
			description:
				'Where the instances of the account answer their own methods (GREEN-API\'s list does not say). Empty: the Partner API URL. {prefix} stands for the first 4 digits of the instance ID and {idInstance} for the whole ID; many instances live at https://NNNN.api.greenapi.com with NNNN their first 4 digits, but not all: check the apiUrl of a few instances in the console, and list the others below.',
		},
		{
			displayName: 'Instance API URL Exceptions',
			name: 'instanceApiUrls',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '7103 https://7103.api.greenapi.com\n3305 https://api.p02.green-api.com\n1101000001 https://1101.api.green-api.com',
			description:
				'One per line: an instance ID, or the first digits of instance IDs, a space, and the apiUrl shown for them in the console. The longest matching line wins over Instance API URL.',
		},
	];

	// The token travels in the URL path, after the method name: only code can place it there.
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => withPartnerPath(credentials, requestOptions);

	// Lists the instances. GREEN-API answers a wrong token with HTTP 200 and the code in the
	// body: the responseSuccessBody rules read it there; the responseCode rules cover the HTTP
	// variant. n8n's type wants one kind of rule per list, its tester reads each rule by its own
	// type (n8n 1.x and 2.x), hence the cast.
	test: ICredentialTestRequest = {
		request: {
			method: 'GET',
			url: '/partner/getInstances',
		},
		rules: [
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 401, message: WRONG_TOKEN } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 403, message: WRONG_TOKEN } },
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 404,
					message: 'GREEN-API does not offer the Partner API at this address: check the Partner API URL (https://api.green-api.com, or the partner URL shown in the console)',
				},
			},
			{ type: 'responseCode', properties: { value: 401, message: WRONG_TOKEN } },
			{ type: 'responseCode', properties: { value: 403, message: WRONG_TOKEN } },
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message: 'GREEN-API does not offer the Partner API at this address: check the Partner API URL (https://api.green-api.com, or the partner URL shown in the console)',
				},
			},
		] as ICredentialTestRequest['rules'],
	};
}
