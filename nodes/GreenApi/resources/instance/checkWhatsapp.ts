import type { GreenApiOperation } from '../../shared/routing';
import { numberSent, phoneNumberBody } from '../../shared/perNumber';

export const checkWhatsapp: GreenApiOperation = {
	name: 'Check WhatsApp',
	value: 'checkWhatsapp',
	method: 'checkWhatsapp',
	action: 'Check whether a phone number is registered',
	description: 'Check whether a phone number has a WhatsApp account (uses the monthly checkWhatsapp quota)',
	perNumber: true,
	preSend: [phoneNumberBody],
	/** Says which number the answer is about: GREEN-API's answer does not. */
	output: async (answer, sent) => [{ json: { phoneNumber: numberSent(sent), ...answer } }],
};
