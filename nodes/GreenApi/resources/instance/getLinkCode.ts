import type { GreenApiOperation } from '../../operation';
import { itemError } from '../../operation';
import { phoneNumberBody } from '../../perNumber';

const NAME = 'Get Link Code';

/** GREEN-API: a code is valid about 2.5 minutes from when it is given. */
export const LINK_CODE_VALID_MS = 150_000;

export const getLinkCode: GreenApiOperation = {
	name: NAME,
	value: 'getLinkCode',
	method: { name: 'getAuthorizationCode', verb: 'POST', perSecond: 1, published: false, effect: 'reads' },
	action: 'Get a code to link a phone by its number',
	description: 'Get a code to type on a phone to link it, instead of scanning a QR code',
	toolDescription:
		"Get a code that links a phone to the instance when typed on that phone, instead of scanning a QR code. Use it only when the state is notAuthorized and a person wants to link their phone. Input: that phone's number with the country code. Returns code, validUntil (about 2.5 minutes) and explanation: tell the person the code and where to type it. Fails for an instance that is still linked.",
	perNumber: true,
	body: phoneNumberBody,
	async output(answer, sent) {
		if (answer.status !== true || typeof answer.code !== 'string' || answer.code === '') {
			throw itemError(
				this,
				NAME,
				`GREEN-API gave no link code (status ${JSON.stringify(answer.status ?? null)})`,
				'No code was issued. Ask again in a few seconds. If it keeps failing, check with Get State that the instance is notAuthorized, or link with Get QR Code instead.',
			);
		}
		const validUntil = new Date(Date.now() + LINK_CODE_VALID_MS).toISOString();
		return [
			{
				json: {
					phoneNumber: sent.phoneNumber,
					...answer,
					validUntil,
					explanation: `On the phone ${sent.phoneNumber}: WhatsApp > Linked devices > Link a device > Link with phone number instead, then type ${answer.code} before ${validUntil}. Only the last code asked for works.`,
				},
			},
		];
	},
};
