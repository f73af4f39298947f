import { jsonWithPhoneNumber, normalizePhoneNumber, PhoneNumberError } from '../../nodes/client/phone';

describe('normalizePhoneNumber', () => {
	it.each([
		['+44 1234 567890', '441234567890'],
		['0044 1234 567890', '441234567890'],
		['(44) 1234-567890', '441234567890'],
		['441234567890@c.us', '441234567890'],
		['441234567890@s.whatsapp.net', '441234567890'],
		['  +7 (900) 123-45-67 ', '79001234567'],
		['+44 (0)20 7946 0958', '442079460958'],
		['49.151.2345.6789', '4915123456789'],
		[441234567890, '441234567890'],
		['1234567890123456', '1234567890123456'],
		[' 441234567890@c.us ', '441234567890'],
	])('%p becomes %p', (input, expected) => {
		expect(normalizePhoneNumber(input)).toBe(expected);
	});

	it.each([
		['abc', /"abc" is not a phone number/],
		['+44 12ab 567890', /is not a phone number/],
		['', /empty/],
		['   ', /empty/],
		[null, /empty/],
		[undefined, /empty/],
		['12345', /has 5 digits; GREEN-API accepts 11 to 16/],
		['12345678901234567', /has 17 digits/],
		['120363025555555555@g.us', /group chat ID/],
		[' 120363025555555555@g.us ', /group chat ID/],
		// The chat ID suffix counts only at the end: a number cut in two by it is not a number.
		['44123@c.us4567890', /is not a phone number/],
		// A number is shown as it is, text in quotes.
		[44.5, /^44\.5 is not a phone number/],
		[0, /^0 is not a phone number/],
		[-441234567890, /is not a phone number/],
		[1e20, /is not a phone number/],
		[{ phone: '441234567890' }, /expected text or a number/],
		[true, /expected text or a number/],
	])('%p is refused', (input, message) => {
		expect(() => normalizePhoneNumber(input)).toThrow(PhoneNumberError);
		expect(() => normalizePhoneNumber(input)).toThrow(message);
	});

	it('names any other value without failing itself', () => {
		expect(() => normalizePhoneNumber(Symbol('phone'))).toThrow(new PhoneNumberError('Symbol(phone) is not a phone number: expected text or a number'));
	});

	it('shows the value as it was typed, in quotes', () => {
		expect(() => normalizePhoneNumber('44\\1234 "x"')).toThrow(/^"44\\1234 "x"" is not a phone number/);
	});

	it('shortens a long value in the message to 60 characters', () => {
		// 58 characters and the quotes: shown whole.
		const fits = 'x'.repeat(58);
		expect(() => normalizePhoneNumber(fits)).toThrow(new RegExp(`^"${fits}" is not`));
		const long = 'x'.repeat(59);
		expect(() => normalizePhoneNumber(long)).toThrow(new RegExp(`^"${'x'.repeat(56)}\\.\\.\\. is not`));
	});
});

describe('jsonWithPhoneNumber', () => {
	it('writes the digits as a JSON integer, exactly, even past 2^53', () => {
		const text = jsonWithPhoneNumber('9999999999999999', { description: 'text "__phoneNumber__"' });
		expect(text).toBe('{"phoneNumber":9999999999999999,"description":"text \\"__phoneNumber__\\""}');
	});
});

describe('numbers without a country code', () => {
	it.each(['07700 900150', '000447700900150', '+0447700900150', '0 44 7700 900150'])('refuses %s before any request, saying to add the country code', (value) => {
		expect(() => normalizePhoneNumber(value)).toThrow(PhoneNumberError);
		expect(() => normalizePhoneNumber(value)).toThrow(/no country code/);
	});

	it('writes only digits that are a JSON number', () => {
		expect(JSON.parse(jsonWithPhoneNumber('447700900150', { description: 'x' }))).toEqual({ phoneNumber: 447700900150, description: 'x' });
		expect(() => jsonWithPhoneNumber('07700900150')).toThrow(new PhoneNumberError('"07700900150" cannot be sent as a JSON number'));
		expect(() => jsonWithPhoneNumber('447700900150x')).toThrow(PhoneNumberError);
	});
});

describe('values of other types', () => {
	it('a BigInt is refused with a PhoneNumberError that shows it, not a crash', () => {
		expect(() => normalizePhoneNumber(BigInt('441234567890'))).toThrow(PhoneNumberError);
		expect(() => normalizePhoneNumber(BigInt('441234567890'))).toThrow('441234567890 is not a phone number: expected text or a number');
	});
});
