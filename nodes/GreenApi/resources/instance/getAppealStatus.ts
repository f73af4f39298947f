import { explainUnbanStatus } from '../../../client/states';
import type { GreenApiOperation } from '../../operation';
import { phoneNumberBody } from '../../perNumber';

export const getAppealStatus: GreenApiOperation = {
	name: 'Get Appeal Status',
	value: 'getAppealStatus',
	method: { name: 'unbanStatus', verb: 'POST', perSecond: 1, published: false, effect: 'reads' },
	action: 'Get the status of a ban appeal',
	description: 'Get the status of the appeal against a ban, without filing a new one (safe to repeat)',
	toolDescription:
		'Get the status of the appeal against the ban of a number of this instance, without filing a new one; safe to repeat. Use it to follow an appeal while the state is blocked. Input: the banned phone number. Returns status (NO_APPEAL_OPEN, IN_REVIEW, UNBANNED, or PERMANETLY_BANNED, GREEN-API\'s spelling of permanently banned) and explanation.',
	perNumber: true,
	body: phoneNumberBody,
	output: async (answer, sent) => [
		{ json: { phoneNumber: sent.phoneNumber, ...answer, explanation: explainUnbanStatus(answer.status) } },
	],
};
