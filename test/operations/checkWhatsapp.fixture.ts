import type { OperationFixture } from '../harness/operations';

const fromInput = { phoneNumber: '={{ $json.phone }}' };

export const fixture: OperationFixture = {
	operation: 'checkWhatsapp',
	cases: [
		{
			title: 'normalises what people paste and sends the number the API wants',
			parameters: fromInput,
			input: [
				{ phone: '+44 1234 567891' },
				{ phone: '0044 1234 567890' },
				{ phone: '(44) 1234-567892' },
				{ phone: '441234567893@c.us' },
				{ phone: 441234567894 },
				{ phone: '441234567895' },
			],
			output: [
				{ phoneNumber: '441234567891', existsWhatsapp: true },
				{ phoneNumber: '441234567890', existsWhatsapp: false },
				{ phoneNumber: '441234567892', existsWhatsapp: true },
				{ phoneNumber: '441234567893', existsWhatsapp: true },
				{ phoneNumber: '441234567894', existsWhatsapp: true },
				{ phoneNumber: '441234567895', existsWhatsapp: true },
			],
			// The sandbox refuses anything but digits, so six 200s prove the body held a clean integer.
			statuses: { checkWhatsapp: { '200': 6 } },
		},
		{
			title: 'fails an item that cannot be a phone number before sending it, naming the item and the value',
			parameters: fromInput,
			input: [{ phone: '441234567891' }, { phone: 'call me' }, { phone: '441234567893' }],
			error: /Phone Number in item 1: "call me" is not a phone number/,
		},
		{
			title: 'with Continue On Fail, bad items become error items in place and the others still succeed',
			parameters: fromInput,
			continueOnFail: true,
			input: [{ phone: '441234567891' }, { phone: '12345' }, { phone: '441234567890' }, { phone: null }],
			output: [
				{ phoneNumber: '441234567891', existsWhatsapp: true },
				{ error: expect.stringMatching(/item 1: "12345" has 5 digits; GREEN-API accepts 11 to 16/) },
				{ phoneNumber: '441234567890', existsWhatsapp: false },
				{ error: expect.stringMatching(/item 3: The phone number is empty/) },
			],
			// Only the two good numbers reached GREEN-API.
			requests: { checkWhatsapp: 2 },
		},
		{
			title: 'says when the monthly quota is used up, with the numbers from the API',
			instance: { checkWhatsappQuota: 2 },
			parameters: fromInput,
			continueOnFail: true,
			input: [{ phone: '441234567891' }, { phone: '441234567892' }, { phone: '441234567893' }],
			outputLike: [
				{ existsWhatsapp: true },
				{ existsWhatsapp: true },
				{ error: expect.stringMatching(/monthly GREEN-API quota for checkWhatsapp is used up \(2 of 2 used\) \[item 2\]/) },
			],
			// 466 is final: not retried.
			requests: { checkWhatsapp: 3 },
			check: (result) => {
				expect((result.items[2].error as { description?: string }).description).toMatch(/Monthly quota has been exceeded/);
			},
		},
		...(['json', 'text'] as const).map((errorStyle) => ({
			title: `shows GREEN-API's own text for a 400 written as ${errorStyle}`,
			sandbox: { errorStyle },
			instance: { stateInstance: 'starting' },
			parameters: { phoneNumber: '441234567891' },
			error: 'GREEN-API rejected the request: instance in starting process try later [item 0]',
			errorDescription: /wait a few minutes/,
		})),
	],
};
