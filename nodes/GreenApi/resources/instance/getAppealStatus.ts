import { explainUnbanStatus } from '../../../shared/states';
import { numberSent, phoneNumberBody } from '../../shared/perNumber';
import type { GreenApiOperation } from '../../shared/routing';

export const getAppealStatus: GreenApiOperation = {
	name: 'Get Appeal Status',
	value: 'getAppealStatus',
	method: 'unbanStatus',
	action: 'Get the status of a ban appeal',
	description:
		'Get the status of the appeal against the ban of a number of this instance, without filing a new one. Returns status (NO_APPEAL_OPEN, IN_REVIEW, UNBANNED, PERMANETLY_BANNED) and its explanation. Reads only: safe to repeat, the one to use from schedules and AI agents.',
	perNumber: true,
	preSend: [phoneNumberBody],
	output: async (answer, sent) => [
		{ json: { phoneNumber: numberSent(sent), ...answer, explanation: explainUnbanStatus(answer.status) } },
	],
};
