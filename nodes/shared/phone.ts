/** What GREEN-API's checkWhatsapp accepts: 11 to 16 digits (older docs: 11 or 12). */
export const MIN_PHONE_DIGITS = 11;
export const MAX_PHONE_DIGITS = 16;

export class PhoneNumberError extends Error {}

function show(value: unknown): string {
	const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value) ?? String(value);
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
 * what a JavaScript number holds exactly, so the digits are written into the JSON text as they are.
 */
export function jsonWithPhoneNumber(digits: string, rest: Record<string, unknown> = {}): string {
	// phoneNumber is the first key, so the first match is always ours, whatever `rest` holds.
	return JSON.stringify({ phoneNumber: '__phoneNumber__', ...rest }).replace('"__phoneNumber__"', digits);
}

/** The digits a body made by jsonWithPhoneNumber carries (undefined for any other text). */
export function phoneNumberInJson(json: unknown): string | undefined {
	const match = typeof json === 'string' ? /^\{"phoneNumber":(\d+)[,}]/.exec(json) : null;
	return match ? match[1] : undefined;
}
