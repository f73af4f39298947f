import type { OperationFixture } from '../harness/operations';

const fromInput = { phoneNumber: '={{ $json.phone }}' };

export const fixture: OperationFixture = {
	operation: 'checkWhatsapp',
	cases: [
		{
			title: 'normalises what people paste and sends the number the API wants',
			contract: true,
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
				{ phone: '+44 1234 567891', phoneNumber: '441234567891', existsWhatsapp: true },
				{ phone: '0044 1234 567890', phoneNumber: '441234567890', existsWhatsapp: false },
				{ phone: '(44) 1234-567892', phoneNumber: '441234567892', existsWhatsapp: true },
				{ phone: '441234567893@c.us', phoneNumber: '441234567893', existsWhatsapp: true },
				{ phone: 441234567894, phoneNumber: '441234567894', existsWhatsapp: true },
				{ phone: '441234567895', phoneNumber: '441234567895', existsWhatsapp: true },
			],
			// The sandbox refuses anything but digits, so six 200s prove the body held the digits alone
			// (that they go out as an integer: test/requests.test.ts); six distinct numbers, six
			// requests, no item marked as a repeat.
			statuses: { checkWhatsapp: { '200': 6 } },
		},
		{
			title: 'keeps the input item\'s fields; the answer\'s fields win a name clash',
			parameters: { phoneNumber: '={{ $json.phoneNumber }}' },
			input: [
				{ name: 'Ann', phoneNumber: '+44 1234 567891', existsWhatsapp: 'unknown', tags: ['vip'] },
				{ name: 'Bob', phoneNumber: '+44 1234 567890', existsWhatsapp: 'unknown' },
			],
			output: [
				{ name: 'Ann', phoneNumber: '441234567891', existsWhatsapp: true, tags: ['vip'] },
				{ name: 'Bob', phoneNumber: '441234567890', existsWhatsapp: false },
			],
			requests: { checkWhatsapp: 2 },
		},
		{
			title: 'Put Answer In Field: the input item stays as it was and the answer goes under the name',
			parameters: { phoneNumber: '={{ $json.phoneNumber }}', options: { answerField: 'whatsapp' } },
			input: [{ name: 'Ann', phoneNumber: '+44 1234 567891', existsWhatsapp: 'unknown' }],
			output: [
				{ name: 'Ann', phoneNumber: '+44 1234 567891', existsWhatsapp: 'unknown', whatsapp: { phoneNumber: '441234567891', existsWhatsapp: true } },
			],
		},
		{
			title: 'Keep Input Fields off: only the answer, and n8n\'s own error items, as before the option existed',
			parameters: { phoneNumber: '={{ $json.phone }}', options: { keepInputFields: false } },
			continueOnFail: true,
			input: [{ name: 'Ann', phone: '+44 1234 567891' }, { name: 'Bob', phone: '12345' }],
			output: [{ phoneNumber: '441234567891', existsWhatsapp: true }, { error: expect.stringMatching(/item 1: "12345" has 5 digits/) }],
			check: (result) => {
				expect((result.items[1].error as { description?: string }).description).toMatch(/international format/);
			},
		},
		{
			title: 'checks a number once per execution, whatever its spelling, and answers every item in its place',
			parameters: fromInput,
			input: [
				{ phone: '+44 1234 567891' },
				{ phone: '441234567890@c.us' },
				{ phone: '441234567891@c.us' },
				{ phone: '0044 (1234) 567-891' },
				{ phone: '+44 1234 567890' },
				{ phone: 441234567892 },
			],
			output: [
				{ phone: '+44 1234 567891', phoneNumber: '441234567891', existsWhatsapp: true },
				{ phone: '441234567890@c.us', phoneNumber: '441234567890', existsWhatsapp: false },
				{ phone: '441234567891@c.us', phoneNumber: '441234567891', existsWhatsapp: true, repeatOfEarlierItem: true },
				{ phone: '0044 (1234) 567-891', phoneNumber: '441234567891', existsWhatsapp: true, repeatOfEarlierItem: true },
				{ phone: '+44 1234 567890', phoneNumber: '441234567890', existsWhatsapp: false, repeatOfEarlierItem: true },
				{ phone: 441234567892, phoneNumber: '441234567892', existsWhatsapp: true },
			],
			statuses: { checkWhatsapp: { '200': 3 } },
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
				{ phone: '441234567891', phoneNumber: '441234567891', existsWhatsapp: true },
				{
					phone: '12345',
					error: expect.stringMatching(/item 1: "12345" has 5 digits; GREEN-API accepts 11 to 16/),
					details: expect.stringMatching(/international format with the country code/),
				},
				{ phone: '441234567890', phoneNumber: '441234567890', existsWhatsapp: false },
				{ phone: null, error: expect.stringMatching(/item 3: The phone number is empty/), details: expect.any(String) },
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
				{
					phone: '441234567893',
					error: expect.stringMatching(/monthly GREEN-API quota for checkWhatsapp is used up \(2 of 2 used\) \[item 2\]/),
					details: expect.stringMatching(/Monthly quota has been exceeded/),
				},
			],
			// 466 is final: not retried.
			requests: { checkWhatsapp: 3 },
		},
		{
			title: 'quota of 2: two accepted requests, one 466, and no request after it; every later item gets the same message',
			instance: { checkWhatsappQuota: 2 },
			// 2/s: the 466 is back long before the next turn, even on a busy machine (a request
			// already on its way when the 466 comes would get its own 466).
			parameters: { ...fromInput, options: { maxRequestsPerSecond: 2 } },
			continueOnFail: true,
			input: [
				{ phone: '441234567891' },
				{ phone: '441234567892' },
				{ phone: '+44 1234 567891' },
				{ phone: '441234567893' },
				{ phone: '441234567894' },
				{ phone: '441234567893@c.us' },
				{ phone: '441234567895' },
			],
			outputLike: [
				{ existsWhatsapp: true },
				{ existsWhatsapp: true },
				{ existsWhatsapp: true, repeatOfEarlierItem: true },
				...[3, 4, 5, 6].map((item) => ({
					error: `The monthly GREEN-API quota for checkWhatsapp is used up (2 of 2 used) [item ${item}]`,
					details: expect.stringMatching(/Upgrade the plan in the GREEN-API console or wait for next month/),
				})),
			],
			statuses: { checkWhatsapp: { '200': 2, '466': 1 } },
			// Not remembered across executions: the next one asks GREEN-API again (one request, one 466).
			then: {
				operation: 'checkWhatsapp',
				parameters: { phoneNumber: '441234567896' },
				error: 'The monthly GREEN-API quota for checkWhatsapp is used up (2 of 2 used) [item 0]',
				statuses: { checkWhatsapp: { '466': 1 } },
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
