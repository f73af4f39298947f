import { describeState } from '../../../client/states';
import type { GreenApiOperation } from '../../operation';
import { withFields } from '../../operation';

export const getState: GreenApiOperation = {
	name: 'Get State',
	value: 'getState',
	method: { name: 'getStateInstance', verb: 'GET', perSecond: 1, published: true, effect: 'reads' },
	action: 'Get the state of the instance',
	description: 'Get the instance state with its meaning and the recommended action',
	toolDescription:
		'Get the state of the WhatsApp instance. Use it first when asked whether WhatsApp works. Returns stateInstance (authorized = linked and working; notAuthorized = no phone linked; blocked = account banned; starting = starting, wait up to 5 minutes; yellowCard = sending suspended for suspected spam; sleepMode = phone offline), meaning and recommendedAction.',
	/** Adds what the state means and what to do about it; unknown states pass through as they are. */
	output: async (answer) => withFields(answer, { ...describeState(String(answer.stateInstance)) }),
};
