import type { INodeProperties } from 'n8n-workflow';

import { noticeField, phoneNumberField, toolDescriptionFields } from '../../fields';
import type { GreenApiOperation } from '../../operation';
import { methodTable, operationOption } from '../../operation';
import { checkWhatsapp } from './checkWhatsapp';
import { getAccountInfo } from './getAccountInfo';
import { getAppealStatus } from './getAppealStatus';
import { getLinkCode } from './getLinkCode';
import { getOutgoingQueue } from './getOutgoingQueue';
import { getQrCode } from './getQrCode';
import { getState } from './getState';
import { logout } from './logout';
import { reboot } from './reboot';
import { unban } from './unban';

/** The operations of the Instance resource. The editor lists them by name. */
export const instanceOperations: GreenApiOperation[] = [
	checkWhatsapp,
	getAccountInfo,
	getAppealStatus,
	getLinkCode,
	getOutgoingQueue,
	getQrCode,
	getState,
	logout,
	reboot,
	unban,
].sort((a, b) => a.name.localeCompare(b.name));

/** Every GREEN-API method the package calls, by name (the trigger, the sandbox and the docs checks read it). */
export const METHODS = methodTable(instanceOperations);

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
	// A warning for people in the parameter panel (models read it in the tool description).
	...instanceOperations.flatMap((op) => (op.warning ? [noticeField('instance', op.value, op.warning)] : [])),
	phoneNumberField('instance', instanceOperations),
	...instanceOperations.flatMap((op) => op.fields ?? []),
	...toolDescriptionFields('instance', instanceOperations),
];
