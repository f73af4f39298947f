import type { INodeProperties } from 'n8n-workflow';

import { greenApiRouting } from '../../shared/routing';
import { addPhoneNumber, checkWhatsappFields, phoneNumberBody } from './checkWhatsapp';
import { explainAccountState } from './getAccountInfo';
import { qrToBinary } from './getQrCode';
import { explainState } from './getState';
import { explainUnban, unbanBody, unbanFields } from './unban';

const showOnlyForInstance = { resource: ['instance'] };

export const instanceDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForInstance },
		options: [
			{
				name: 'Check WhatsApp',
				value: 'checkWhatsapp',
				action: 'Check whether a phone number is registered',
				description:
					'Check whether a phone number has a WhatsApp account (uses the monthly checkWhatsapp quota)',
				routing: greenApiRouting('checkWhatsapp', { preSend: [phoneNumberBody], postReceive: [addPhoneNumber] }),
			},
			{
				name: 'Get Account Info',
				value: 'getAccountInfo',
				action: 'Get the linked account',
				description: 'Get the phone number, avatar, device ID and state of the WhatsApp account linked to the instance',
				routing: greenApiRouting('getWaSettings', { postReceive: [explainAccountState] }),
			},
			{
				name: 'Get QR Code',
				value: 'getQrCode',
				action: 'Get the QR code to link a phone',
				description:
					'Get the QR code that links a phone to the instance, as a PNG image; use it when the state is notAuthorized',
				routing: greenApiRouting('qr', { postReceive: [qrToBinary] }),
			},
			{
				name: 'Get State',
				value: 'getState',
				action: 'Get the state of the instance',
				description:
					'Get the instance state (authorized, notAuthorized, blocked, starting, yellowCard...) with its meaning and the recommended action',
				routing: greenApiRouting('getStateInstance', { postReceive: [explainState] }),
			},
			{
				name: 'Logout',
				value: 'logout',
				action: 'Log out the instance',
				description:
					'Unlink the phone from the instance. Destructive: it stays unlinked until someone scans a new QR code. Ask a human before using it.',
				routing: greenApiRouting('logout'),
			},
			{
				name: 'Reboot',
				value: 'reboot',
				action: 'Reboot the instance',
				description:
					'Restart the instance; GREEN-API advises it when the state stays starting for more than 5 minutes or is yellowCard',
				routing: greenApiRouting('reboot'),
			},
			{
				name: 'Unban',
				value: 'unban',
				action: 'Appeal the ban of a number',
				description:
					'File an appeal against the ban of a number that was linked to this instance. Each call files an appeal: ask a human before using it.',
				routing: greenApiRouting('unban', { preSend: [unbanBody], postReceive: [explainUnban] }),
			},
		],
		default: 'getState',
	},
	...checkWhatsappFields,
	...unbanFields,
];
