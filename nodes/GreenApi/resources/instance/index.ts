import type { INodeProperties } from 'n8n-workflow';

import { noticeField, phoneNumberField, toolDescriptionFields } from '../../shared/descriptions';
import type { GreenApiOperation } from '../../shared/routing';
import { operationOption } from '../../shared/routing';
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

/** The operations of the Instance resource, in the order the editor lists them (alphabetical). */
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
];

const ASK_A_HUMAN = 'Ask a human and get their approval before using it.';

/** What a model reads about each operation used as a tool (see toolDescriptionFields). */
const TOOL_DESCRIPTIONS: Record<string, string> = {
	checkWhatsapp:
		'Check whether a phone number has a WhatsApp account. Use it before messaging a number. Input: the phone number in international format with the country code, e.g. +44 1234 567890 (11 to 16 digits). Returns phoneNumber (the digits checked) and existsWhatsapp (true or false). Each call uses the monthly checkWhatsapp quota of the instance.',
	getAccountInfo:
		'Get the WhatsApp account linked to the instance. Use it to learn which phone number is connected. Returns phone (empty when no phone is linked), avatar, deviceId, stateInstance and meaning.',
	getAppealStatus:
		'Get the status of the appeal against the ban of a number of this instance, without filing a new one; safe to repeat. Use it to follow an appeal while the state is blocked. Input: the banned phone number. Returns status (NO_APPEAL_OPEN, IN_REVIEW, UNBANNED, PERMANETLY_BANNED) and explanation.',
	getLinkCode:
		'Get a code that links a phone to the instance when typed on that phone, instead of scanning a QR code. Use it only when the state is notAuthorized and a person wants to link their phone. Input: that phone\'s number with the country code. Returns code, validUntil (about 2.5 minutes) and explanation: tell the person the code and where to type it. Fails for an instance that is still linked.',
	getOutgoingQueue:
		'Get how many messages wait to be sent. Use it to learn how much is stuck while the state is notAuthorized or yellowCard. Returns count and explanation.',
	getQrCode:
		'Get the QR code that links a phone to the instance. Use it only when the state is notAuthorized. Returns type and explanation: qrCode means an image exists for a person to scan; you cannot see or scan it, so tell the person to open the QR code in the GREEN-API console, or use Get Link Code. alreadyLogged: already linked, no QR code needed.',
	getState:
		'Get the state of the WhatsApp instance. Use it first when asked whether WhatsApp works. Returns stateInstance (authorized = linked and working; notAuthorized = no phone linked; blocked = account banned; starting = starting, wait up to 5 minutes; yellowCard = sending suspended for suspected spam; sleepMode = phone offline), meaning and recommendedAction.',
	logout: `Unlink the phone from the instance. ${logout.warning} Destructive: ${ASK_A_HUMAN} Returns isLogout.`,
	reboot: `Restart the instance; GREEN-API advises it when the state stays starting for more than 5 minutes or is yellowCard. ${reboot.warning} ${ASK_A_HUMAN} Returns isReboot.`,
	unban: `File an appeal against the ban of a number of this instance. ${unban.warning} ${ASK_A_HUMAN} Returns status, reason and explanation.`,
};

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
	...toolDescriptionFields('instance', TOOL_DESCRIPTIONS),
];
