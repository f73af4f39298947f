import { describeState } from '../../../shared/states';
import type { GreenApiOperation } from '../../shared/routing';
import { withFields } from '../../shared/routing';

export const getAccountInfo: GreenApiOperation = {
	name: 'Get Account Info',
	value: 'getAccountInfo',
	method: 'getWaSettings',
	action: 'Get the linked account',
	description: 'Get the phone number, avatar, device ID and state of the WhatsApp account linked to the instance',
	output: async (answer) =>
		withFields(
			answer,
			typeof answer.stateInstance === 'string' && answer.stateInstance !== '' ? { meaning: describeState(answer.stateInstance).meaning } : {},
		),
};
