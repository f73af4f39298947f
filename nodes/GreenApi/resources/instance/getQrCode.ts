import type { IExecuteSingleFunctions, INodeExecutionData } from 'n8n-workflow';

import { explainQrType } from '../../../shared/states';

/** A QR code comes out as a PNG file in binary `data`, ready for an email or the editor's preview. */
export async function qrToBinary(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const results: INodeExecutionData[] = [];
	for (const item of items) {
		const type = item.json.type;
		const explanation = explainQrType(type);
		if (type === 'qrCode' && typeof item.json.message === 'string') {
			const png = Buffer.from(item.json.message, 'base64');
			const data = await this.helpers.prepareBinaryData(png, 'whatsapp-qr.png', 'image/png');
			results.push({ ...item, json: { type, explanation }, binary: { data } });
		} else {
			results.push({ ...item, json: { ...item.json, explanation } });
		}
	}
	return results;
}
