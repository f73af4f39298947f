/** Reading getMessagesCount answers (nodes/client/queue.ts). */
import { QueueAnswerError, readMessagesCount } from '../../nodes/client/queue';

describe('readMessagesCount', () => {
	it('reads "count" and the Cyrillic-c "сount" of GREEN-API\'s WhatsApp examples', () => {
		expect(readMessagesCount({ count: 12 })).toBe(12);
		expect(readMessagesCount({ '\u0441ount': 7 })).toBe(7);
		expect(readMessagesCount(JSON.parse('{"сount": 0}'))).toBe(0);
		expect(readMessagesCount({ count: 3, '\u0441ount': 3 })).toBe(3);
	});

	it.each<[string, unknown, string]>([
		['null', null, 'GREEN-API answered getMessagesCount without a count: null'],
		['a bare number', 5, 'GREEN-API answered getMessagesCount without a count: 5'],
		['an array', [1], 'GREEN-API answered getMessagesCount without a count: [1]'],
		['another key', { Count: 4 }, 'GREEN-API answered getMessagesCount without a count: {"Count":4}'],
		['a string count', { count: '4' }, 'GREEN-API answered getMessagesCount with a count that is not a whole number of at least 0: {"count":"4"}'],
		['a negative count', { count: -1 }, 'GREEN-API answered getMessagesCount with a count that is not a whole number of at least 0: {"count":-1}'],
		['a fraction', { count: 1.5 }, 'GREEN-API answered getMessagesCount with a count that is not a whole number of at least 0: {"count":1.5}'],
		['two different counts', { count: 1, '\u0441ount': 2 }, 'GREEN-API answered getMessagesCount with two different counts: {"count":1,"\u0441ount":2}'],
	])('rejects %s clearly', (_name, answer, message) => {
		expect(() => readMessagesCount(answer)).toThrow(new QueueAnswerError(message));
	});

	it('says what came even when it cannot be written as JSON', () => {
		const circular: Record<string, unknown> = {};
		circular.self = circular;
		expect(() => readMessagesCount(circular)).toThrow(new QueueAnswerError('GREEN-API answered getMessagesCount without a count: [object Object]'));
	});

	it('shows an answer of up to 120 characters whole', () => {
		// {"other":""} is 12 characters.
		const whole = { other: 'x'.repeat(108) };
		expect(() => readMessagesCount(whole)).toThrow(new QueueAnswerError(`GREEN-API answered getMessagesCount without a count: ${JSON.stringify(whole)}`));
	});

	it('shortens a long answer in the message', () => {
		const long = { other: 'x'.repeat(500) };
		expect(() => readMessagesCount(long)).toThrow(/without a count: \{"other":"x{100,}\.\.\.$/);
		expect(() => readMessagesCount(long)).not.toThrow(/x{200}/);
	});
});
