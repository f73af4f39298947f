import { explainQrType } from '../../../client/states';
import type { GreenApiOperation } from '../../operation';
import { itemError } from '../../operation';

const NAME = 'Get QR Code';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Decodes GREEN-API's base64 QR code; undefined unless it is a PNG (signature, then the IHDR chunk). */
function pngOf(base64: string): Buffer | undefined {
	const text = base64.trim();
	// Buffer.from skips what is not base64 without a word: check first, or a corrupt file comes out.
	if (!/^[A-Za-z0-9+/\s]+={0,2}$/.test(text)) return undefined;
	const png = Buffer.from(text, 'base64');
	const isPng = png.length > 24 && png.subarray(0, 8).equals(PNG_SIGNATURE) && png.subarray(12, 16).toString('latin1') === 'IHDR';
	return isPng ? png : undefined;
}

export const getQrCode: GreenApiOperation = {
	name: NAME,
	value: 'getQrCode',
	method: { name: 'qr', verb: 'GET', perSecond: 3, published: true, effect: 'reads' },
	action: 'Get the QR code to link a phone',
	description: 'Get the QR code that links a phone to the instance, as a PNG image (state notAuthorized)',
	toolDescription:
		'Get the QR code that links a phone to the instance. Use it only when the state is notAuthorized. Returns type and explanation: qrCode means an image exists for a person to scan; you cannot see or scan it, so tell the person to open the QR code in the GREEN-API console, or use Get Link Code. alreadyLogged: already linked, no QR code needed.',
	/** A QR code comes out as a PNG file in binary `data`, ready for an email or the editor's preview. */
	async output(answer) {
		const { type } = answer;
		const explanation = explainQrType(type);
		if (type !== 'qrCode') return [{ json: { ...answer, explanation } }];
		const png = typeof answer.message === 'string' ? pngOf(answer.message) : undefined;
		if (png === undefined) {
			throw itemError(
				this,
				NAME,
				'GREEN-API sent a QR code that is not a PNG image',
				'The answer had type qrCode, but its message is not a base64 PNG. Try again: the QR code refreshes every 20 seconds. If it persists, get the QR code in the GREEN-API console.',
			);
		}
		const data = await this.helpers.prepareBinaryData(png, 'whatsapp-qr.png', 'image/png');
		return [{ json: { type, explanation }, binary: { data } }];
	},
};
