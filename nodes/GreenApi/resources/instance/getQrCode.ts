import { explainQrType } from '../../../shared/states';
import type { GreenApiOperation } from '../../shared/routing';
import { itemError } from '../../shared/routing';

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
	method: 'qr',
	action: 'Get the QR code to link a phone',
	description:
		'Get the QR code that links a phone to the instance, as a PNG image; use it when the state is notAuthorized',
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
