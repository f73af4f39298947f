/** What GREEN-API's checkWhatsapp accepts: 11 to 16 digits (older docs: 11 or 12). */
export const MIN_PHONE_DIGITS = 11;
export const MAX_PHONE_DIGITS = 16;

export class PhoneNumberError extends Error {}

function show(value: unknown): string {
	// JSON.stringify throws for a BigInt (a number from an expression can be one).
	const text = typeof value === 'string' ? `"${value}"` : typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Turns what people paste (`+44 1234 567890`, `0044...`, `(44) 1234-567890`,
 * `441234567890@c.us`, a number from an expression) into the digits GREEN-API wants.
 * Throws a PhoneNumberError that shows the value for anything that cannot be a phone number.
 */
export function normalizePhoneNumber(value: unknown): string {
	let digits: string;
	if (typeof value === 'number') {
		if (!Number.isSafeInteger(value) || value <= 0) {
			throw new PhoneNumberError(
				`${show(value)} is not a phone number: use the international format, digits only, e.g. 441234567890 (pass long numbers as text)`,
			);
		}
		digits = String(value);
	} else if (typeof value === 'string') {
		let text = value.trim();
		if (/@g\.us$/i.test(text)) {
			throw new PhoneNumberError(`${show(value)} is a group chat ID, not a phone number`);
		}
		text = text.replace(/@(c\.us|s\.whatsapp\.net)$/i, '');
		// "+44 (0)20 ..." writes the national trunk 0 that must not be dialled internationally.
		text = text.replace(/\(0\)/g, '');
		text = text.replace(/[\s\-.()/\u00a0]/g, '');
		if (text.startsWith('+')) text = text.slice(1);
		else if (text.startsWith('00')) text = text.slice(2);
		if (text === '') throw new PhoneNumberError('The phone number is empty');
		if (!/^\d+$/.test(text)) {
			throw new PhoneNumberError(
				`${show(value)} is not a phone number: only digits, spaces, dashes, brackets and a leading + or 00 are allowed`,
			);
		}
		// Country codes never start with 0: a 0 here is a national trunk prefix (07700 900150),
		// or one 0 too many after + or 00. GREEN-API needs the number with its country code.
		if (text.startsWith('0')) {
			throw new PhoneNumberError(
				`${show(value)} has no country code: after the international prefix (+ or 00) it starts with 0. Write it with the country code instead of the leading 0, e.g. 07700 900150 in the UK is +44 7700 900150`,
			);
		}
		digits = text;
	} else {
		throw new PhoneNumberError(
			value === undefined || value === null
				? 'The phone number is empty'
				: `${show(value)} is not a phone number: expected text or a number`,
		);
	}
	if (digits.length < MIN_PHONE_DIGITS || digits.length > MAX_PHONE_DIGITS) {
		throw new PhoneNumberError(
			`${show(value)} has ${digits.length} digits; GREEN-API accepts ${MIN_PHONE_DIGITS} to ${MAX_PHONE_DIGITS} digits with the country code, e.g. 441234567890`,
		);
	}
	return digits;
}

/**
 * JSON for a request body whose `phoneNumber` must be an integer. A 16-digit number can exceed
 * what a JavaScript number holds exactly, so the digits are written into the JSON text as they
 * are: only digits that form a JSON number (no leading 0, as normalizePhoneNumber ensures).
 */
export function jsonWithPhoneNumber(digits: string, rest: Record<string, unknown> = {}): string {
	if (!/^[1-9]\d*$/.test(digits)) throw new PhoneNumberError(`"${digits}" cannot be sent as a JSON number`);
	// phoneNumber is the first key, so the first match is always ours, whatever `rest` holds.
	return JSON.stringify({ phoneNumber: '__phoneNumber__', ...rest }).replace('"__phoneNumber__"', digits);
}
