import { numberSent, phoneNumberBody } from '../../shared/perNumber';
import type { GreenApiOperation } from '../../shared/routing';
import { itemError } from '../../shared/routing';

const NAME = 'Get Link Code';

/** GREEN-API: a code is valid about 2.5 minutes from when it is given. */
export const LINK_CODE_VALID_MS = 150_000;

export const getLinkCode: GreenApiOperation = {
	name: NAME,
	value: 'getLinkCode',
	method: 'getAuthorizationCode',
	action: 'Get a code to link a phone by its number',
	description:
		'Get a code that links a phone to an unlinked instance (state notAuthorized) when typed on that phone, instead of scanning a QR code. Returns code and validUntil (about 2.5 minutes).',
	perNumber: true,
	preSend: [phoneNumberBody],
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
					phoneNumber: numberSent(sent),
					...answer,
					validUntil,
					explanation: `On the phone ${numberSent(sent)}: WhatsApp > Linked devices > Link a device > Link with phone number instead, then type ${answer.code} before ${validUntil}. Only the last code asked for works.`,
				},
			},
		];
	},
};
