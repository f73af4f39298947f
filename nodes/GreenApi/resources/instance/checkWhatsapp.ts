import type { GreenApiOperation } from '../../shared/routing';
import { numberSent, phoneNumberBody } from '../../shared/perNumber';

export const checkWhatsapp: GreenApiOperation = {
	name: 'Check WhatsApp',
	value: 'checkWhatsapp',
	method: 'checkWhatsapp',
	action: 'Check whether a phone number is registered',
	description:
		'Check whether a phone number has a WhatsApp account. Each check uses one of the monthly quota (100 on the free Developer plan, 30,000 on Business); a number repeated in the input is checked once. GREEN-API warns that many checks without real conversations raise the risk of a ban: for big lists lower Max Requests Per Second in Options.',
	perNumber: true,
	preSend: [phoneNumberBody],
	/** Says which number the answer is about: GREEN-API's answer does not. */
	output: async (answer, sent) => [{ json: { phoneNumber: numberSent(sent), ...answer } }],
};
