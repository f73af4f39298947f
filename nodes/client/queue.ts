/**
 * Reading GREEN-API's getMessagesCount answer: the number of messages waiting in the outgoing
 * queue. GREEN-API's WhatsApp examples spell the key "сount" with a Cyrillic first letter
 * (U+0441), its other products' docs "count": both are read. Anything else is rejected with a
 * message saying what came, rather than read as 0 (an empty queue would be a wrong answer).
 */

const KEYS = ['count', '\u0441ount'] as const;

export class QueueAnswerError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'QueueAnswerError';
	}
}

function shown(value: unknown): string {
	let text: string;
	try {
		text = JSON.stringify(value) ?? String(value);
	} catch {
		text = String(value);
	}
	return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

/** The count from a getMessagesCount answer, or a QueueAnswerError. */
export function readMessagesCount(answer: unknown): number {
	if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
		throw new QueueAnswerError(`GREEN-API answered getMessagesCount without a count: ${shown(answer)}`);
	}
	const record = answer as Record<string, unknown>;
	const present = KEYS.filter((key) => Object.prototype.hasOwnProperty.call(record, key));
	if (present.length === 0) {
		throw new QueueAnswerError(`GREEN-API answered getMessagesCount without a count: ${shown(answer)}`);
	}
	const values = present.map((key) => record[key]);
	if (values.length > 1 && values[0] !== values[1]) {
		throw new QueueAnswerError(`GREEN-API answered getMessagesCount with two different counts: ${shown(answer)}`);
	}
	const count = values[0];
	if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
		throw new QueueAnswerError(`GREEN-API answered getMessagesCount with a count that is not a whole number of at least 0: ${shown(answer)}`);
	}
	return count;
}
