import { describeState } from '../../../client/states';
import type { GreenApiOperation } from '../../operation';
import { withFields } from '../../operation';

export const getAccountInfo: GreenApiOperation = {
	name: 'Get Account Info',
	value: 'getAccountInfo',
	method: { name: 'getWaSettings', verb: 'GET', perSecond: 1, published: true, effect: 'reads' },
	action: 'Get the linked account',
	description: 'Get the phone number, avatar, device ID and state of the linked WhatsApp account',
	toolDescription:
		'Get the WhatsApp account linked to the instance. Use it to learn which phone number is connected. Returns phone (empty when no phone is linked), avatar, deviceId, stateInstance and meaning.',
	output: async (answer) =>
		withFields(
			answer,
			typeof answer.stateInstance === 'string' && answer.stateInstance !== '' ? { meaning: describeState(answer.stateInstance).meaning } : {},
		),
};
