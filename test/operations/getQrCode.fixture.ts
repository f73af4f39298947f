import type { OperationFixture } from '../harness/operations';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A qrCode answer whose message is not a PNG must fail clearly, once, without blaming the API URL. */
const notPng = (title: string, message: unknown) => ({
	title,
	instance: { stateInstance: 'notAuthorized' },
	faults: [{ method: 'qr', kind: 'status' as const, status: 200, body: { type: 'qrCode', message } }],
	error: /^Get QR Code: GREEN-API sent a QR code that is not a PNG image \[item 0\]$/,
	errorDescription: /refreshes every 20 seconds/,
	requests: { qr: 1 },
});

export const fixture: OperationFixture = {
	operation: 'getQrCode',
	cases: [
		{
			title: 'gives a PNG file in binary data when a QR code is offered',
			contract: true,
			instance: { stateInstance: 'notAuthorized' },
			output: [{ type: 'qrCode', explanation: expect.stringMatching(/for a person to scan.*AI agent cannot see.*use Get Link Code/) }],
			binary: [{ mimeType: 'image/png', fileName: 'whatsapp-qr.png', fileExtension: 'png' }],
			check: (result) => {
				const png = Buffer.from(result.items[0].binary!.data.data, 'base64');
				expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
				expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
				expect(png.readUInt32BE(16)).toBeGreaterThan(20);
			},
		},
		{
			title: 'when authorized is alreadyLogged JSON with an explanation, not a failure',
			contract: true,
			instance: { stateInstance: 'authorized' },
			output: [{ type: 'alreadyLogged', message: expect.any(String), explanation: expect.stringMatching(/already linked/) }],
			binary: [null],
		},
		{
			title: 'when starting is error JSON with an explanation, not a failure',
			instance: { stateInstance: 'starting' },
			output: [{ type: 'error', message: expect.any(String), explanation: expect.stringMatching(/could not make a QR code/) }],
			binary: [null],
		},
		notPng('a qrCode answer holding base64 that is not a PNG is a clear error, not a corrupt file', Buffer.from('GIF89a not a png at all, no').toString('base64')),
		notPng('a qrCode answer holding text that is not base64 is a clear error', 'QR unavailable, try later!'),
		notPng('a qrCode answer without a message is a clear error', null),
	],
};
