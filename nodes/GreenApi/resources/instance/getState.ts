import { describeState } from '../../../shared/states';
import type { GreenApiOperation } from '../../shared/routing';
import { withFields } from '../../shared/routing';

export const getState: GreenApiOperation = {
	name: 'Get State',
	value: 'getState',
	method: 'getStateInstance',
	action: 'Get the state of the instance',
	description:
		'Get the instance state (authorized, notAuthorized, blocked, starting, yellowCard...) with its meaning and the recommended action',
	/** Adds what the state means and what to do about it; unknown states pass through as they are. */
	output: async (answer) => withFields(answer, { ...describeState(String(answer.stateInstance)) }),
};
