import type { IDataObject, IExecuteSingleFunctions, INodeProperties } from 'n8n-workflow';

import { PARTNER_METHODS, forgetFleet, instanceApiUrl, partnerCredentials } from '../../../client/partner';
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

/** Each setting is named as GREEN-API names it in the body. */
const settings: INodeProperties[] = [
	{
		displayName: 'Delay Between Messages (Ms)',
		name: 'delaySendMessagesMilliseconds',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 3000,
		description: 'Milliseconds GREEN-API waits between two messages sent from the queue',
	},
	...YES_NO.map(
		([displayName, key, description]): INodeProperties => ({
			displayName,
			name: key,
			type: 'boolean',
			default: false,
			description,
		}),
	),
	{
		displayName: 'Webhook URL',
		name: 'webhookUrl',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/green-api',
		description: 'Where GREEN-API sends the notifications of the new instance',
	},
	{
		displayName: 'Webhook URL Token',
		name: 'webhookUrlToken',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description: 'Sent by GREEN-API in the Authorization header of each notification, so the receiver can check it',
	},
];

/** The name and the settings added; GREEN-API takes "yes" and "no" for its switches, not booleans. */
function settingsBody(ctx: IExecuteSingleFunctions): IDataObject {
	const settings = ctx.getNodeParameter('settings', {}) as IDataObject;
	const body: IDataObject = { name: ctx.getNodeParameter('name', '') as string };
	for (const [key, value] of Object.entries(settings)) body[key] = typeof value === 'boolean' ? (value ? 'yes' : 'no') : value;
	return body;
}

export const createInstance: PartnerOperation = {
	name: 'Create Instance',
	value: 'createInstance',
	method: PARTNER_METHODS.createInstance,
	action: 'Create an instance',
	description:
		'Create a new instance on the partner account. Outputs its ID, API token and API URL, which the next steps of a provisioning workflow need (the token is a secret: store it like a password; as an AI tool the token is left out).',
	warning:
		'Every run creates a new instance on the partner account, billed under your GREEN-API partner terms, and is never retried. The output holds the new instance\'s API token (not when run as an AI tool): anyone who can read the execution can use it.',
	toolDescription: 'Create a new WhatsApp instance on the GREEN-API partner account. Input: the name. Returns idInstance, typeInstance and apiUrl (never the API token).',
	body: settingsBody,
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
	async output(answer, body) {
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
					name: body.name as string,
					apiUrl: instanceApiUrl(credentials, idInstance),
					stateInstance: null,
					note: 'A new instance answers no state for up to 5 minutes, then notAuthorized: link a phone with Get QR Code or Get Link Code.',
				},
			},
		];
	},
};
