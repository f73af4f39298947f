import type { INodeProperties } from 'n8n-workflow';

import { forgetFleet, instanceApiUrl, partnerCredentials } from '../../../shared/partner';
import { isAiTool } from './index';
import type { PartnerOperation } from './index';

const show = { show: { resource: ['partner'], operation: ['createInstance'] } };

/** GREEN-API's yes/no settings of a new instance: [parameter display name, GREEN-API key, what it does]. */
const YES_NO: Array<[string, string, string]> = [
	['Deleted Message Webhook', 'deletedMessageWebhook', 'Whether to send a notification when a message is deleted'],
	['Edited Message Webhook', 'editedMessageWebhook', 'Whether to send a notification when a message is edited'],
	['Incoming Call Webhook', 'incomingCallWebhook', 'Whether to send a notification for incoming calls'],
	['Incoming Webhook', 'incomingWebhook', 'Whether to send notifications of incoming messages and files'],
	['Keep Online Status', 'keepOnlineStatus', 'Whether the account shows as online'],
	['Mark Incoming Messages Read', 'markIncomingMessagesReaded', 'Whether incoming messages are marked read'],
	['Mark Incoming Messages Read on Reply', 'markIncomingMessagesReadedOnReply', 'Whether incoming messages are marked read when a reply is sent through the API'],
	['Outgoing API Message Webhook', 'outgoingAPIMessageWebhook', 'Whether to send notifications of messages sent through the API'],
	['Outgoing Message Webhook', 'outgoingMessageWebhook', 'Whether to send notifications of messages sent from the phone'],
	['Outgoing Webhook', 'outgoingWebhook', 'Whether to send delivery status notifications of sent messages'],
	['Poll Message Webhook', 'pollMessageWebhook', 'Whether to send notifications of polls and votes'],
	['State Webhook', 'stateWebhook', 'Whether to send a notification when the instance state changes'],
];

/** Each setting travels in the body under GREEN-API's own name (declarative: `routing.send`). */
const settings: INodeProperties[] = [
	{
		displayName: 'Delay Between Messages (Ms)',
		name: 'delaySendMessagesMilliseconds',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 3000,
		description: 'Milliseconds GREEN-API waits between two messages sent from the queue',
		routing: { send: { type: 'body', property: 'delaySendMessagesMilliseconds' } },
	},
	...YES_NO.map(
		([displayName, key, description]): INodeProperties => ({
			displayName,
			name: key,
			type: 'boolean',
			default: false,
			description,
			// GREEN-API takes "yes" and "no", not booleans.
			routing: { send: { type: 'body', property: key, value: '={{ $value ? "yes" : "no" }}' } },
		}),
	),
	{
		displayName: 'Webhook URL',
		name: 'webhookUrl',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/green-api',
		description: 'Where GREEN-API sends the notifications of the new instance',
		routing: { send: { type: 'body', property: 'webhookUrl' } },
	},
	{
		displayName: 'Webhook URL Token',
		name: 'webhookUrlToken',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description: 'Sent by GREEN-API in the Authorization header of each notification, so the receiver can check it',
		routing: { send: { type: 'body', property: 'webhookUrlToken' } },
	},
];

export const createInstance: PartnerOperation = {
	name: 'Create Instance',
	value: 'createInstance',
	method: 'createInstance',
	action: 'Create an instance',
	description:
		'Create a new instance on the partner account. Outputs its ID, API token and API URL, which the next steps of a provisioning workflow need (the token is a secret: store it like a password; as an AI tool the token is left out).',
	warning:
		'Every run creates a new instance on the partner account, billed under your GREEN-API partner terms, and is never retried. The output holds the new instance\'s API token: anyone who can read the execution can use it.',
	fields: [
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'Customer 42',
			description: 'The instance name shown in the GREEN-API console and in List Instances',
			displayOptions: show,
			routing: { send: { type: 'body', property: 'name' } },
		},
		{
			displayName: 'Settings',
			name: 'settings',
			type: 'collection',
			placeholder: 'Add Setting',
			default: {},
			displayOptions: show,
			options: settings,
		},
	],
	async output(answer) {
		const created = (answer ?? {}) as { idInstance?: unknown; apiTokenInstance?: unknown; typeInstance?: unknown };
		const idInstance = String(created.idInstance ?? '');
		const credentials = await partnerCredentials(this, this.getItemIndex());
		// Instance operations of this execution must see the new instance.
		await forgetFleet(this);
		return [
			{
				json: {
					idInstance,
					...(isAiTool(this) ? {} : { apiTokenInstance: created.apiTokenInstance as string }),
					typeInstance: created.typeInstance as string,
					name: this.getNodeParameter('name', '') as string,
					apiUrl: instanceApiUrl(credentials, idInstance),
					stateInstance: null,
					note: 'A new instance answers no state for up to 5 minutes, then notAuthorized: link a phone with Get QR Code or Get Link Code.',
				},
			},
		];
	},
};
