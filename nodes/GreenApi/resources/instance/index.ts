import type { INodeProperties } from 'n8n-workflow';

import { phoneNumberField } from '../../shared/descriptions';
import type { GreenApiOperation } from '../../shared/routing';
import { operationOption } from '../../shared/routing';
import { checkWhatsapp } from './checkWhatsapp';
import { getAccountInfo } from './getAccountInfo';
import { getQrCode } from './getQrCode';
import { getState } from './getState';
import { logout } from './logout';
import { reboot } from './reboot';
import { unban } from './unban';

/** The operations of the Instance resource, in the order the editor lists them (alphabetical). */
export const instanceOperations: GreenApiOperation[] = [checkWhatsapp, getAccountInfo, getQrCode, getState, logout, reboot, unban];

export const instanceDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['instance'] } },
		options: instanceOperations.map(operationOption),
		default: 'getState',
	},
	phoneNumberField('instance', instanceOperations),
	...instanceOperations.flatMap((op) => op.fields ?? []),
];
