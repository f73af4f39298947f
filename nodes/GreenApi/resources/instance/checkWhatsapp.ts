import { noticeField } from '../../fields';
import type { GreenApiOperation } from '../../operation';
import { phoneNumberBody } from '../../perNumber';

export const checkWhatsapp: GreenApiOperation = {
	name: 'Check WhatsApp',
	value: 'checkWhatsapp',
	method: { name: 'checkWhatsapp', verb: 'POST', perSecond: 10, published: true, effect: 'reads' },
	action: 'Check whether a phone number is registered',
	description: 'Check whether a phone number has a WhatsApp account (uses the monthly check quota)',
	toolDescription:
		'Check whether a phone number has a WhatsApp account. Use it before messaging a number. Input: the phone number in international format with the country code, e.g. +44 1234 567890 (11 to 16 digits). Returns phoneNumber (the digits checked) and existsWhatsapp (true or false). Each call uses the monthly checkWhatsapp quota of the instance.',
	perNumber: true,
	fields: [
		noticeField(
			'instance',
			'checkWhatsapp',
			'Each check uses one of the monthly quota (100 on the free Developer plan, 30,000 on Business); a number repeated in the input is checked once. GREEN-API warns that many checks without real conversations raise the risk of a ban: for big lists lower Max Requests Per Second in Options.',
		),
	],
	body: phoneNumberBody,
	/** Says which number the answer is about: GREEN-API's answer does not. */
	output: async (answer, sent) => [{ json: { phoneNumber: sent.phoneNumber, ...answer } }],
};
