import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { DEFAULT_API_URL, withInstancePath } from '../nodes/client/api';

export class GreenApi implements ICredentialType {
	name = 'greenApi';

	displayName = 'GREEN-API API';

	icon: Icon = { light: 'file:../icons/greenApi.svg', dark: 'file:../icons/greenApi.dark.svg' };

	documentationUrl = 'https://green-api.com/en/docs/before-start/';

	properties: INodeProperties[] = [
		{
			displayName: 'API URL',
			name: 'apiUrl',
			type: 'string',
			default: DEFAULT_API_URL,
			placeholder: 'https://1103.api.green-api.com',
			required: true,
			description:
				'The apiUrl shown for this instance in the GREEN-API console (console.green-api.com). The shared host https://api.green-api.com is only a fallback and can answer 403 for instances on other hosts. Without a scheme, https:// is assumed. If the test answers ENOTFOUND, no host has this name: check its spelling against the console; ECONNREFUSED, nothing listens at this address: check host and port; EPROTO, the server does not speak https here: check the scheme.',
		},
		{
			displayName: 'Instance ID',
			name: 'idInstance',
			type: 'string',
			default: '',
			placeholder: '1101000001',
			required: true,
			description: 'The idInstance shown on the instance page of the GREEN-API console: its digits (spaces are ignored)',
		},
		{
			displayName: 'API Token',
			name: 'apiTokenInstance',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The apiTokenInstance shown on the instance page of the GREEN-API console',
		},
	];

	// The token travels in the URL path, after the method name: only code can place it there,
	// and only for this credential's API URL (see withInstancePath).
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => withInstancePath(credentials, requestOptions);

	// Any answer from getStateInstance proves the credentials, whatever state the instance is in.
	test: ICredentialTestRequest = {
		request: {
			method: 'GET',
			url: '/getStateInstance',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'The API Token is wrong: copy apiTokenInstance from the GREEN-API console again',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The Instance ID or the API URL is wrong: use the idInstance and apiUrl shown for this instance in the GREEN-API console',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 429,
					message: 'GREEN-API allows one state request per second for this instance: wait a moment and test again',
				},
			},
		],
	};
}
